package dev.proactor.nio2;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.Operation;
import dev.proactor.ProactorException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.Set;
import java.util.concurrent.Future;

/**
 * An {@link AsynchronousServerSocketChannel} on a proactor's {@link AsyncServerSocket}: binding
 * is the proactor's {@code listen} (with the options set before it), each accept one proactor
 * {@code accept}, at most one pending as NIO.2 requires. A connection accepted after the channel
 * was closed is closed, never leaked. Every method is safe from any thread; {@link #lock} guards
 * the state and is never held while a handler runs.
 */
final class ProactorServerSocketChannel extends AsynchronousServerSocketChannel
        implements ProactorChannelGroup.Member {

    /** The JDK's backlog when {@code bind} is given less than 1. */
    private static final int DEFAULT_BACKLOG = 50;

    private final ProactorChannelGroup group;
    private final ChannelOptions options = ChannelOptions.forServer();
    private final Object lock = new Object();
    // Guarded by lock:
    private boolean open = true;
    private AsyncServerSocket listener;
    /** A bind awaits its listen, outside the lock. */
    private boolean binding;
    private Operation<?> acceptOp;
    private boolean accepting;
    private boolean acceptKilled;

    /** A new unbound channel of {@code group}; throws ShutdownChannelGroupException if it is shut down. */
    ProactorServerSocketChannel(ProactorChannelGroup group) {
        super(group.provider());
        this.group = group;
        group.register(this);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The listen is awaited outside the channel's lock, through the group's wait
     * ({@link ProactorChannelGroup#await}), which depends on no thread of the group: so a handler
     * on a group of one thread can bind. A second bind while one is under way throws
     * {@link AlreadyBoundException}; a close meanwhile closes the new listener, and this throws
     * {@link AsynchronousCloseException}.
     */
    @Override
    public AsynchronousServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        InetSocketAddress a;
        synchronized (lock) {
            ensureOpen();
            a = local == null ? new InetSocketAddress(0) : Failures.checkAddress(local);
            if (listener != null || binding) {
                throw new AlreadyBoundException();
            }
            binding = true;
        }
        AsyncServerSocket bound = null;
        try {
            bound = group.await(() -> group.proactor()
                    .listen(a, options.toSocketOptions(backlog < 1 ? DEFAULT_BACKLOG : backlog)));
        } finally {
            boolean closed;
            synchronized (lock) {
                binding = false;
                closed = !open;
                if (!closed) {
                    listener = bound;
                }
            }
            if (closed && bound != null) {
                bound.closeAsync();
                throw new AsynchronousCloseException();
            }
        }
        return this;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Before {@code bind} the option is recorded and applied when the listener is created;
     * afterwards it is set on the live listener, and this call returns once the kernel has it.
     */
    @Override
    public <T> AsynchronousServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        AsyncServerSocket live;
        synchronized (lock) {
            ensureOpen();
            if (listener == null) {
                options.set(name, value, false);
                return this;
            }
            options.check(name);
            live = listener;
        }
        group.await(() -> live.setOption(name, value));
        return this;
    }

    /** {@inheritDoc} Once bound, the kernel's value now. */
    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        AsyncServerSocket live;
        synchronized (lock) {
            ensureOpen();
            if (listener == null) {
                return options.get(name);
            }
            options.check(name);
            live = listener;
        }
        return group.await(() -> live.option(name));
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return options.supported();
    }

    @Override
    public <A> void accept(A attachment, CompletionHandler<AsynchronousSocketChannel, ? super A> handler) {
        accept(PendingIo.handler(group, handler, attachment));
    }

    @Override
    public Future<AsynchronousSocketChannel> accept() {
        return accept(PendingIo.future(group, (io, interrupt) -> {
            synchronized (lock) {
                acceptKilled = true;
            }
            if (interrupt) {
                closeQuietly();
            }
        }));
    }

    /**
     * Starts one accept, checking in the JDK's order: closed (delivered as the outcome), not bound,
     * accepting forbidden by a cancelled Future (the JDK's RuntimeException), one already pending.
     */
    private <A> PendingIo<AsynchronousSocketChannel, A> accept(PendingIo<AsynchronousSocketChannel, A> io) {
        AsyncServerSocket l;
        synchronized (lock) {
            if (!open) {
                l = null;
            } else {
                if (listener == null) {
                    throw new NotYetBoundException();
                }
                if (acceptKilled) {
                    throw new RuntimeException("Accept not allowed due to cancellation");
                }
                if (accepting) {
                    throw new AcceptPendingException();
                }
                accepting = true;
                l = listener;
            }
        }
        if (l == null) {
            io.fail(new ClosedChannelException());
            return io;
        }
        Operation<AsyncSocket> op = l.accept();
        synchronized (lock) {
            acceptOp = op;
        }
        io.start(op, (s, failure) -> accepted(io, s, failure));
        return io;
    }

    private void accepted(PendingIo<AsynchronousSocketChannel, ?> io, AsyncSocket s, ProactorException failure) {
        boolean isOpen;
        synchronized (lock) {
            accepting = false;
            acceptOp = null;
            isOpen = open;
        }
        if (failure != null) {
            io.fail(isOpen ? Failures.toNio(failure) : new AsynchronousCloseException());
            return;
        }
        if (!isOpen) {
            s.closeAsync();
            io.fail(new AsynchronousCloseException());
            return;
        }
        ProactorSocketChannel channel;
        try {
            channel = new ProactorSocketChannel(group, s);
        } catch (ShutdownChannelGroupException e) {
            s.closeAsync();
            io.fail(new IOException("the connection was closed: the channel group is shut down", e));
            return;
        }
        io.complete(channel);
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        synchronized (lock) {
            ensureOpen();
            return listener == null ? null : listener.localAddress();
        }
    }

    @Override
    public boolean isOpen() {
        synchronized (lock) {
            return open;
        }
    }

    @Override
    public void close() throws IOException {
        AsyncServerSocket l;
        Operation<?> pending;
        synchronized (lock) {
            if (!open) {
                return;
            }
            open = false;
            l = listener;
            pending = acceptOp;
        }
        try {
            if (pending != null) {
                pending.cancel();
            }
            if (l != null) {
                group.await(l::closeAsync);  // as a socket channel's close: no group thread needed
            }
        } finally {
            group.unregister(this);
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // Closed all the same; the cancel that led here has its own outcome.
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "ProactorServerSocketChannel[" + (!open ? "closed" : listener == null ? "unbound"
                    : listener.localAddress().toString()) + "]";
        }
    }
}
