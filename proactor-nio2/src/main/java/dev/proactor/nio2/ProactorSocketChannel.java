package dev.proactor.nio2;

import dev.proactor.AsyncSocket;
import dev.proactor.Operation;
import dev.proactor.ProactorException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.WritePendingException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * An {@link AsynchronousSocketChannel} on a proactor's {@link AsyncSocket}. The channel keeps the
 * NIO.2 state the proactor does not have (unconnected, connecting, connected; one read and one
 * write pending at most; reads or writes forbidden after a timeout or a cancelled Future, as the
 * JDK's provider forbids them; input or output shut down) and checks it in the order the JDK's
 * provider does, so the same misuse throws the same exception. Each read and write is one proactor
 * {@code read}/{@code write} (one kernel call, possibly short, as NIO.2 promises), with the
 * timeout as the operation's deadline.
 *
 * <p>Closing cancels the pending connect, read and write (their handlers get
 * {@link AsynchronousCloseException} once the proactor has ended them, so no buffer is handed back
 * while the kernel may still use it), then closes the socket gracefully. Every method is safe
 * from any thread; {@link #lock} guards the state and is never held while a handler runs.
 */
final class ProactorSocketChannel extends AsynchronousSocketChannel implements ProactorChannelGroup.Member {

    private enum State { UNCONNECTED, CONNECTING, CONNECTED }

    /**
     * One direction's NIO.2 state (guarded by the channel's lock): the operation a close must cancel,
     * whether one is pending, whether a timeout or a cancelled Future forbade the direction for good,
     * and whether it was shut down.
     */
    private static final class Side {
        private final String forbidden;
        private final boolean reads;
        private Operation<?> op;
        private boolean pending;
        private boolean killed;
        private boolean shutdown;

        Side(boolean reads) {
            this.reads = reads;
            this.forbidden = (reads ? "Reading" : "Writing") + " not allowed due to timeout or cancellation";
        }

        /** The checks after "connected", in the JDK provider's order: killed, then already pending. */
        void checkStart() {
            if (killed) {
                throw new IllegalStateException(forbidden);
            }
            if (pending) {
                throw reads ? new ReadPendingException() : new WritePendingException();
            }
        }
    }

    private final ProactorChannelGroup group;
    private final ChannelOptions options;
    private final Object lock = new Object();
    // Guarded by lock:
    private State state;
    private boolean open = true;
    private boolean bound;
    private AsyncSocket socket;
    private SocketAddress remote;
    private Operation<?> connectOp;
    private final Side in = new Side(true);
    private final Side out = new Side(false);

    /** A new unconnected channel of {@code group}; throws ShutdownChannelGroupException if it is shut down. */
    ProactorSocketChannel(ProactorChannelGroup group) {
        super(group.provider());
        this.group = group;
        this.options = ChannelOptions.forSocket();
        this.state = State.UNCONNECTED;
        group.register(this);
    }

    /** The channel of a socket a listener of {@code group} accepted: its options are the live socket's. */
    ProactorSocketChannel(ProactorChannelGroup group, AsyncSocket accepted) {
        super(group.provider());
        this.group = group;
        this.options = ChannelOptions.forAccepted();
        this.socket = accepted;
        this.remote = accepted.remoteAddress();
        this.state = State.CONNECTED;
        this.bound = true;
        group.register(this);
    }

    @Override
    public AsynchronousSocketChannel bind(SocketAddress local) throws IOException {
        synchronized (lock) {
            ensureOpen();
            if (state == State.CONNECTING) {
                throw new ConnectionPendingException();
            }
            if (bound) {
                throw new AlreadyBoundException();
            }
            InetSocketAddress a = local == null ? new InetSocketAddress(0) : Failures.checkAddress(local);
            if (!a.getAddress().isAnyLocalAddress() || a.getPort() != 0) {
                throw new UnsupportedOperationException("the Proactor provider binds a socket channel only to the"
                        + " wildcard address with port 0 before it connects (the kernel then picks the local"
                        + " address); asked for " + a);
            }
            bound = true;
        }
        return this;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Before a connect the option is recorded and applied when the socket is created; while the
     * connect is in flight it is recorded and set on the socket once connected; afterwards (and on
     * an accepted channel) it is set on the live socket, and this call returns once the kernel
     * has it.
     */
    @Override
    public <T> AsynchronousSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        AsyncSocket live;
        synchronized (lock) {
            ensureOpen();
            if (socket == null) {
                options.set(name, value, state == State.CONNECTING);
                return this;
            }
            options.check(name);
            live = socket;
        }
        group.await(() -> live.setOption(name, value));
        return this;
    }

    /** {@inheritDoc} Once the channel has a socket, the kernel's value now. */
    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        AsyncSocket live;
        synchronized (lock) {
            ensureOpen();
            if (socket == null) {
                return options.get(name);
            }
            options.check(name);
            live = socket;
        }
        return group.await(() -> live.option(name));
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return options.supported();
    }

    @Override
    public AsynchronousSocketChannel shutdownInput() throws IOException {
        return shutdown(in);
    }

    @Override
    public AsynchronousSocketChannel shutdownOutput() throws IOException {
        return shutdown(out);
    }

    /** Shuts one direction down once; later calls return at once, as the JDK's provider does. */
    private AsynchronousSocketChannel shutdown(Side side) throws IOException {
        AsyncSocket s;
        synchronized (lock) {
            ensureConnected();
            if (side.shutdown) {
                return this;
            }
            side.shutdown = true;
            s = socket;
        }
        group.await(side.reads ? s::shutdownInput : s::shutdownOutput);
        return this;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        synchronized (lock) {
            ensureOpen();
            return remote;
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        synchronized (lock) {
            ensureOpen();
            if (socket != null) {
                return socket.localAddress();
            }
            return bound ? new InetSocketAddress(0) : null;
        }
    }

    @Override
    public boolean isOpen() {
        synchronized (lock) {
            return open;
        }
    }

    @Override
    public <A> void connect(SocketAddress remote, A attachment, CompletionHandler<Void, ? super A> handler) {
        connect(remote, PendingIo.handler(group, handler, attachment));
    }

    @Override
    public Future<Void> connect(SocketAddress remote) {
        return connect(remote, PendingIo.future(group, this::cancelConnect));
    }

    private <A> PendingIo<Void, A> connect(SocketAddress address, PendingIo<Void, A> io) {
        if (!isOpen()) {
            io.fail(new ClosedChannelException());
            return io;
        }
        InetSocketAddress target = Failures.checkAddress(address);
        Operation<AsyncSocket> op;
        synchronized (lock) {
            if (state == State.CONNECTED) {
                throw new AlreadyConnectedException();
            }
            if (state == State.CONNECTING) {
                throw new ConnectionPendingException();
            }
            state = State.CONNECTING;
            op = group.proactor().connect(target, options.toSocketOptions(1));
            connectOp = op;
        }
        // Outside the lock: a Future form's outcome may be delivered right here (deliverDirect).
        io.start(op, (s, failure) -> connected(io, s, failure));
        return io;
    }

    private void connected(PendingIo<Void, ?> io, AsyncSocket s, ProactorException failure) {
        Throwable nio = null;
        boolean lateSocket = false;
        synchronized (lock) {
            connectOp = null;
            if (failure != null) {
                nio = open ? Failures.toNio(failure) : new AsynchronousCloseException();
            } else if (!open) {
                lateSocket = true;
                nio = new AsynchronousCloseException();
            } else {
                socket = s;
                remote = s.remoteAddress();
                bound = true;
                state = State.CONNECTED;
                // Initiated under the lock, so a setOption that finds the socket comes after them.
                // Each is an option the socket's creation already accepted the kind of; its outcome
                // is what getOption then reads.
                for (Map.Entry<SocketOption<?>, Object> e : options.takeSetWhileConnecting().entrySet()) {
                    setLive(s, e.getKey(), e.getValue());
                }
            }
        }
        if (lateSocket) {
            s.closeAsync();
        }
        if (nio == null) {
            io.complete(null);
            return;
        }
        // As the JDK's provider: a connection that cannot be established closes the channel.
        closeQuietly();
        io.fail(nio);
    }

    @Override
    public <A> void read(ByteBuffer dst, long timeout, TimeUnit unit, A attachment,
            CompletionHandler<Integer, ? super A> handler) {
        PendingIo<Integer, A> io = PendingIo.handler(group, handler, attachment);
        requireWritable(dst);
        read(io, new ByteBuffer[] {dst}, false, timeout, unit);
    }

    @Override
    public Future<Integer> read(ByteBuffer dst) {
        requireWritable(dst);
        return read(PendingIo.future(group, (f, interrupt) -> killed(in, interrupt)),
                new ByteBuffer[] {dst}, false, 0, TimeUnit.MILLISECONDS);
    }

    @Override
    public <A> void read(ByteBuffer[] dsts, int offset, int length, long timeout, TimeUnit unit, A attachment,
            CompletionHandler<Long, ? super A> handler) {
        PendingIo<Long, A> io = PendingIo.handler(group, handler, attachment);
        ByteBuffer[] range = range(dsts, offset, length);
        for (ByteBuffer b : range) {
            requireWritable(b);
        }
        read(io, range, true, timeout, unit);
    }

    @Override
    public <A> void write(ByteBuffer src, long timeout, TimeUnit unit, A attachment,
            CompletionHandler<Integer, ? super A> handler) {
        PendingIo<Integer, A> io = PendingIo.handler(group, handler, attachment);
        write(io, new ByteBuffer[] {Objects.requireNonNull(src, "src")}, false, timeout, unit);
    }

    @Override
    public Future<Integer> write(ByteBuffer src) {
        return write(PendingIo.future(group, (f, interrupt) -> killed(out, interrupt)),
                new ByteBuffer[] {Objects.requireNonNull(src, "src")}, false, 0, TimeUnit.MILLISECONDS);
    }

    @Override
    public <A> void write(ByteBuffer[] srcs, int offset, int length, long timeout, TimeUnit unit, A attachment,
            CompletionHandler<Long, ? super A> handler) {
        PendingIo<Long, A> io = PendingIo.handler(group, handler, attachment);
        write(io, range(srcs, offset, length), true, timeout, unit);
    }

    /**
     * Starts one read into {@code dsts} (one buffer unless {@code vectored}), checking the state in
     * the JDK's order: closed (delivered as the outcome), not connected, killed by a timeout or a
     * cancel, already reading (thrown). After {@code shutdownInput} it answers -1 at once, with no
     * room to read 0, as the JDK's provider does.
     */
    private <V, A> PendingIo<V, A> read(PendingIo<V, A> io, ByteBuffer[] dsts, boolean vectored, long timeout,
            TimeUnit unit) {
        boolean room = anyRemaining(dsts);
        boolean atEnd = false;
        AsyncSocket s;
        synchronized (lock) {
            if (!open) {
                s = null;
            } else {
                if (state != State.CONNECTED) {
                    throw new NotYetConnectedException();
                }
                in.checkStart();
                if (in.shutdown) {
                    atEnd = true;
                } else if (room) {
                    in.pending = true;
                }
                s = socket;
            }
        }
        if (s == null) {
            io.fail(new ClosedChannelException());
            return io;
        }
        if (atEnd || !room) {
            io.complete(immediate(vectored, atEnd ? -1 : 0));
            return io;
        }
        AsyncSocket view = timeout > 0 ? s.withTimeout(Duration.ofNanos(unit.toNanos(timeout))) : s;
        Operation<?> op = vectored ? view.read(dsts) : view.read(dsts[0]);
        track(in, op);
        io.start(op, (n, failure) -> ended(in, io, n, failure));
        return io;
    }

    /**
     * Starts one write from {@code srcs}, with the read's checks for writing; after
     * {@code shutdownOutput} it fails with {@link ClosedChannelException}, with nothing to write it
     * answers 0 at once, as the JDK's provider does.
     */
    private <V, A> PendingIo<V, A> write(PendingIo<V, A> io, ByteBuffer[] srcs, boolean vectored, long timeout,
            TimeUnit unit) {
        boolean data = anyRemaining(srcs);
        boolean shut = false;
        AsyncSocket s;
        synchronized (lock) {
            if (!open) {
                s = null;
            } else {
                if (state != State.CONNECTED) {
                    throw new NotYetConnectedException();
                }
                out.checkStart();
                if (out.shutdown) {
                    shut = true;
                } else if (data) {
                    out.pending = true;
                }
                s = socket;
            }
        }
        if (s == null || shut) {
            io.fail(new ClosedChannelException());
            return io;
        }
        if (!data) {
            io.complete(immediate(vectored, 0));
            return io;
        }
        AsyncSocket view = timeout > 0 ? s.withTimeout(Duration.ofNanos(unit.toNanos(timeout))) : s;
        Operation<?> op = vectored ? view.write(srcs) : view.write(srcs[0]);
        track(out, op);
        io.start(op, (n, failure) -> ended(out, io, n, failure));
        return io;
    }

    /** Remembers the operation a close must cancel, unless it already ended. */
    private void track(Side side, Operation<?> op) {
        synchronized (lock) {
            if (!op.isDone()) {
                side.op = op;
            }
        }
    }

    /** A read's or write's end: the direction is free again (or killed by a timeout), then the outcome. */
    @SuppressWarnings("unchecked")
    private <V> void ended(Side side, PendingIo<V, ?> io, Object result, ProactorException failure) {
        Throwable nio = null;
        synchronized (lock) {
            if (failure != null) {
                nio = open ? Failures.toNio(failure) : new AsynchronousCloseException();
                if (nio instanceof InterruptedByTimeoutException) {
                    side.killed = true;
                }
            }
            side.pending = false;
            side.op = null;
        }
        if (nio == null) {
            io.complete((V) result);
        } else {
            io.fail(nio);
        }
    }

    /** A cancelled Future: the direction is forbidden from now on, as the JDK's provider forbids it. */
    private void killed(Side side, boolean interrupt) {
        synchronized (lock) {
            side.killed = true;
        }
        if (interrupt) {
            closeQuietly();
        }
    }

    /** A cancelled connect leaves the channel in no usable state: it is closed. */
    private void cancelConnect(PendingIo<?, ?> io, boolean interrupt) {
        closeQuietly();
    }

    @SuppressWarnings("unchecked")
    private static <V> V immediate(boolean vectored, int n) {
        return (V) (vectored ? (Object) (long) n : (Object) n);
    }

    /** Whether any of {@code buffers} has bytes remaining (a loop: this runs on every read and write). */
    private static boolean anyRemaining(ByteBuffer[] buffers) {
        for (ByteBuffer b : buffers) {
            if (b.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    private static ByteBuffer[] range(ByteBuffer[] buffers, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buffers.length);
        ByteBuffer[] range = Arrays.copyOfRange(buffers, offset, offset + length);
        for (ByteBuffer b : range) {
            Objects.requireNonNull(b, "buffer");
        }
        if (range.length == 0) {
            throw new IllegalArgumentException("no buffers in the range");
        }
        return range;
    }

    private static void requireWritable(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
    }

    @Override
    public void close() throws IOException {
        AsyncSocket s;
        Operation<?> c;
        Operation<?> r;
        Operation<?> w;
        synchronized (lock) {
            if (!open) {
                return;
            }
            open = false;
            s = socket;
            c = connectOp;
            r = in.op;
            w = out.op;
        }
        try {
            for (Operation<?> op : new Operation<?>[] {c, r, w}) {
                if (op != null) {
                    op.cancel();
                }
            }
            if (s != null) {
                // Through the group's wait, delivered on the dispatcher: AsyncSocket.close() on a
                // handler thread waited for a delivery queued to the same pool, so a burst of
                // closes from handlers stalled the group until the pool grew a thread per close.
                group.await(s::closeAsync);
            }
        } finally {
            group.unregister(this);
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // The channel is closed all the same; the failure that led here is what the caller reports.
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }

    private void ensureConnected() throws ClosedChannelException {
        ensureOpen();
        if (state != State.CONNECTED) {
            throw new NotYetConnectedException();
        }
    }

    /** The value was checked against the option's type when it was recorded. */
    @SuppressWarnings("unchecked")
    private static <T> void setLive(AsyncSocket s, SocketOption<T> name, Object value) {
        s.setOption(name, (T) value);
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "ProactorSocketChannel[" + (open ? state : "closed") + (remote != null ? " " + remote : "") + "]";
        }
    }
}
