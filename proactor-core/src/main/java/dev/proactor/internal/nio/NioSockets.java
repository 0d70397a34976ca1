package dev.proactor.internal.nio;

import static java.nio.channels.SelectionKey.OP_ACCEPT;
import static java.nio.channels.SelectionKey.OP_CONNECT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;

import dev.proactor.SocketOptions;
import dev.proactor.internal.spi.Errno;
import dev.proactor.internal.spi.Request;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.ArrayDeque;
import java.util.Set;

/**
 * All methods must be called on the dispatcher thread: the portable backend's stream sockets
 * (TCP over IPv4 and IPv6, and Unix-domain), completions emulated with the selector the way the
 * JDK's own asynchronous channels do on Linux: readiness, then the non-blocking call, then the
 * completion.
 *
 * <p>Listen, shutdown and close run their (never blocking) call at once, inside
 * {@link NioBackend#submit}, and only decide the outcome; the next {@code runOnce} delivers it. A
 * connect starts at once too and then waits for OP_CONNECT. An accept, a receive or a send joins its
 * socket's queue for its direction ({@link NioSocket}); when it joins an empty queue, the next
 * {@code runOnce} attempts it before it selects, and otherwise it is attempted once it reaches the
 * head and the selector reports the socket ready. A receive that finds nothing, a send that finds
 * the buffer full, or an accept that finds no connection arms the interest and waits.
 *
 * <p>A send completes only once its whole buffer is written (or fails, reporting the bytes already
 * written, if any, as its result), as a blocking {@code send(2)} does, so that several sends pending
 * on one socket never interleave their bytes. A receive completes with what one read returns, 0 at
 * end of stream.
 *
 * <p>An operation waiting for readiness has made no call that changed anything yet (or, for a send,
 * its progress is its result), so a cancel or a deadline always takes it out of its queue: it
 * settles as cancelled or timed out, or, for a send that already wrote part of its buffer, completes
 * with that count. A connect taken out closes its socket: a failed or abandoned connect leaves no
 * descriptor behind.
 *
 * <p>Options: TCP_NODELAY, SO_KEEPALIVE, SO_SNDBUF and SO_RCVBUF are set where the family has them
 * and ignored where it does not (Unix-domain sockets have no TCP options); SO_REUSEADDR likewise on
 * listeners. SO_REUSEPORT is set when asked for, and a request for it fails with EOPNOTSUPP where the
 * JDK does not offer it (Unix-domain listeners, or a platform without it): silently ignoring it
 * would let a second listener's bind fail with EADDRINUSE for no visible reason. Accepted sockets
 * get the options their listener was created with.
 */
final class NioSockets {
    /**
     * The pass under way is the selector's report that the socket is readable: the one thing that
     * settles an {@link Request.AwaitReadable}, which no call can test without taking the data.
     * Speculative passes (a fresh submission) leave it false, so such a wait goes to the selector,
     * which reports data already there at once.
     */
    private boolean selectedReadable;

    private static final System.Logger LOG = System.getLogger("dev.proactor.nio");

    /** Where the sockets report outcomes; implemented by the backend. */
    interface Outcomes {
        /** Records an outcome now, outside {@code runOnce}; the next {@code runOnce} delivers it. */
        void decide(NioOp op, int outcome, int errno);

        /** Inside {@code runOnce}: settles {@code op} as complete and releases it. */
        void complete(NioOp op, long result, Object attachment);

        /** Inside {@code runOnce}: one result of a multishot {@code op}, which stays queued. */
        void next(NioOp op, long result, Object attachment);

        /** Inside {@code runOnce}: one chunk of a multishot receive, which stays queued; see {@code Completions}. */
        void nextChunk(NioOp op, long result, int bufferId, MemorySegment data);

        /** Inside {@code runOnce}: settles {@code op} as failed and releases it. */
        void fail(NioOp op, int errno);
    }

    private final Selector selector;
    private final ChannelTable table;
    private final Outcomes out;
    private final ProvidedBuffers provided;
    /** Sockets whose queues got an operation while empty: attempted by the next runOnce, before it selects. */
    private final ArrayDeque<NioSocket> fresh = new ArrayDeque<>();
    private long calls;

    NioSockets(Selector selector, ChannelTable table, Outcomes out, ProvidedBuffers provided) {
        this.selector = selector;
        this.table = table;
        this.out = out;
        this.provided = provided;
    }

    /** Non-blocking socket calls made so far. */
    long calls() {
        return calls;
    }

    /** Whether an operation waits to be attempted on the next turn. */
    boolean hasFresh() {
        return !fresh.isEmpty();
    }

    /** Whether {@code r} is a request that waits in a socket's queue for readiness. */
    static boolean waits(Request r) {
        return r instanceof Request.Accept || r instanceof Request.Recv || r instanceof Request.RecvV
                || r instanceof Request.ReceiveEach || r instanceof Request.Send || r instanceof Request.SendV
                || r instanceof Request.Splice
                || r instanceof Request.Connect;
    }

    // ------------------------------------------------------------------ submission (decides only)

    /** Opens, configures, binds and enters a listener; decides the handle and its Endpoints. */
    void listen(NioOp op, Request.Listen r) {
        ServerSocketChannel ch = null;
        try {
            ch = ServerSocketChannel.open(family(r.address()));
            applyListenerOptions(ch, r.options());
            ch.bind(r.address(), r.options().backlog());
            ch.configureBlocking(false);
            calls += 3;
            Request.Endpoints ends = new Request.Endpoints(ch.getLocalAddress(), null);
            NioSocket so = new NioSocket(this, ch, r.options());
            if (!enter(so)) {
                closeQuietly(ch);
                out.decide(op, NioBackend.OUTCOME_FAIL, Errno.EMFILE);
                return;
            }
            op.result = so.handle;
            op.attachment = ends;
            out.decide(op, NioBackend.OUTCOME_COMPLETE, 0);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            out.decide(op, NioBackend.OUTCOME_FAIL, NioErrno.of(e, "listen on " + r.address()));
        }
    }

    /**
     * Opens, configures and enters a socket and starts its connect: decides the outcome if the
     * connect ended at once (a Unix-domain peer, often), else queues it for OP_CONNECT, leaving
     * {@link NioOp#socket} set.
     */
    void connect(NioOp op, Request.Connect r) {
        SocketChannel ch = null;
        NioSocket so = null;
        try {
            ch = SocketChannel.open(family(r.address()));
            applySocketOptions(ch, r.options());
            ch.configureBlocking(false);
            so = new NioSocket(this, ch, null);
            if (!enter(so)) {
                closeQuietly(ch);
                out.decide(op, NioBackend.OUTCOME_FAIL, Errno.EMFILE);
                return;
            }
            calls += 2;
            if (ch.connect(r.address())) {
                op.attachment = endpoints(ch);
                op.result = so.handle;
                out.decide(op, NioBackend.OUTCOME_COMPLETE, 0);
                return;
            }
            so.connecting = true;
            op.socket = so;
            so.outbound.add(op);
            updateInterest(so);
        } catch (IOException | RuntimeException e) {
            if (so != null && so.handle != 0) {
                table.remove(so.handle);
            }
            op.socket = null;
            closeQuietly(ch);
            out.decide(op, NioBackend.OUTCOME_FAIL, NioErrno.of(e, "connect to " + r.address()));
        }
    }

    /** Queues an accept, a receive or a send on {@code so}, in its direction's FIFO. */
    void enqueue(NioOp op, NioSocket so, boolean inbound) {
        ArrayDeque<NioOp> q = inbound ? so.inbound : so.outbound;
        op.socket = so;
        q.add(op);
        if (q.size() == 1) {
            markFresh(so, inbound, !inbound);
        }
    }

    private void markFresh(NioSocket so, boolean inbound, boolean outbound) {
        so.inboundNew |= inbound;
        so.outboundNew |= outbound;
        if (!so.listed) {
            so.listed = true;
            fresh.add(so);
        }
    }

    /** Shuts down one or both directions; waiting receives then see end of stream on this turn. */
    void shutdown(NioOp op, NioSocket so, Request.Shutdown r) {
        SocketChannel ch = (SocketChannel) so.channel;
        try {
            if (r.input()) {
                calls++;
                ch.shutdownInput();
            }
            if (r.output()) {
                calls++;
                ch.shutdownOutput();
            }
            out.decide(op, NioBackend.OUTCOME_COMPLETE, 0);
        } catch (IOException | RuntimeException e) {
            out.decide(op, NioBackend.OUTCOME_FAIL, NioErrno.of(e, "shutdown of " + so));
        }
        // A head waiting for readiness is tried again on this turn: it now ends, whatever the selector says.
        markFresh(so, !so.inbound.isEmpty(), !so.outbound.isEmpty());
    }

    /**
     * Sets a live socket's option with the channel's {@code setOption} unless the request only
     * reads it, then reads it back: the value (a boolean as 1 or 0) is the outcome.
     */
    void option(NioOp op, NioSocket so, Request.SocketOpt r) {
        NetworkChannel ch = (NetworkChannel) so.channel;
        try {
            if (r.value() != null) {
                calls++;
                setOption(ch, r.name(), r.value());
            }
            calls++;
            Object v = ch.getOption(r.name());
            op.result = v instanceof Boolean b ? (b ? 1 : 0) : (Integer) v;
            out.decide(op, NioBackend.OUTCOME_COMPLETE, 0);
        } catch (IOException | RuntimeException e) {
            out.decide(op, NioBackend.OUTCOME_FAIL, NioErrno.of(e, r.name() + " on " + so));
        }
    }

    /** The core checked that {@code value} is of the option's type (SocketOptionOp). */
    @SuppressWarnings("unchecked")
    private static <T> void setOption(NetworkChannel ch, SocketOption<T> name, Object value) throws IOException {
        ch.setOption(name, (T) value);
    }

    /**
     * Takes {@code so} out of the table and closes it; whatever still waits on it is cancelled
     * (the core cancels an operation before it closes its socket, so normally nothing does). The
     * descriptor itself goes when the next select deregisters the key, before the close is reported.
     */
    void close(NioOp op, NioSocket so) {
        table.remove(so.handle);
        withdrawAll(so, so.inbound);
        withdrawAll(so, so.outbound);
        try {
            calls++;
            so.close();
            out.decide(op, NioBackend.OUTCOME_COMPLETE, 0);
        } catch (IOException | RuntimeException e) {
            out.decide(op, NioBackend.OUTCOME_FAIL, NioErrno.of(e, "close of " + so));
        }
    }

    /**
     * Makes the coming close of {@code so} reset the connection: SO_LINGER 0, which the JDK's close
     * of a channel registered with a selector honours (it skips the FIN it would otherwise send,
     * and the descriptor's close then sends RST and drops the send queue). Unix-domain channels
     * have no SO_LINGER; their close is left as it is.
     */
    void resetOnClose(NioSocket so) {
        if (so.channel instanceof SocketChannel ch && ch.supportedOptions().contains(StandardSocketOptions.SO_LINGER)) {
            try {
                calls++;
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "SO_LINGER 0 on " + so + " failed: " + e);
            }
        }
    }

    private void withdrawAll(NioSocket so, ArrayDeque<NioOp> q) {
        NioOp op;
        while ((op = q.poll()) != null) {
            op.socket = null;
            out.decide(op, op.result > 0 ? NioBackend.OUTCOME_COMPLETE : NioBackend.OUTCOME_CANCELLED, 0);
        }
    }

    /**
     * Takes a waiting operation out of its socket's queue, for a cancel or a deadline; returns false
     * if it waits in none. A connect taken out closes and removes its socket. The caller settles it
     * (a send with progress completes with {@link NioOp#result}).
     */
    boolean withdraw(NioOp op) {
        NioSocket so = op.socket;
        if (so == null) {
            return false;
        }
        op.socket = null;
        boolean removed = so.inbound.remove(op) || so.outbound.remove(op);
        if (op.request instanceof Request.Connect) {
            so.connecting = false;
            table.remove(so.handle);
            closeQuietly(so);
        } else if (!so.closed) {
            updateInterest(so);
        }
        return removed;
    }

    // ------------------------------------------------------------------ inside runOnce (settles)

    /** Attempts the operations that joined empty queues since the last turn; returns how many settled. */
    int pumpFresh() {
        int n = 0;
        NioSocket so;
        // Bounded: a socket is listed at most once, and only by submissions made before this turn.
        while ((so = fresh.poll()) != null) {
            so.listed = false;
            boolean in = so.inboundNew;
            boolean outb = so.outboundNew;
            so.inboundNew = false;
            so.outboundNew = false;
            if (!so.closed) {
                n += pump(so, in, outb);
            }
        }
        return n;
    }

    /** The selector reported {@code so} ready. */
    int ready(NioSocket so, int readyOps) {
        if (so.closed) {
            return 0;
        }
        // On an error or a hang-up the JDK reports every interest as ready: the calls then tell.
        selectedReadable = (readyOps & OP_READ) != 0;
        try {
            return pump(so, (readyOps & (OP_READ | OP_ACCEPT)) != 0, (readyOps & (OP_WRITE | OP_CONNECT)) != 0);
        } finally {
            selectedReadable = false;
        }
    }

    /**
     * Counts what a pass delivered: settled operations, and the items of multishot receives, which
     * settle nothing but are work all the same (a turn that delivered one must not then sleep in
     * select before the dispatcher hands it to a worker).
     */
    private int pump(NioSocket so, boolean inbound, boolean outbound) {
        int n = -items;
        if (outbound) {
            n += so.connecting ? finishConnect(so) : drain(so, so.outbound);
        }
        if (inbound && !so.closed) {
            n += drain(so, so.inbound);
        }
        if (!so.closed) {
            updateInterest(so);
        }
        return n + items;
    }

    /** Attempts the head of {@code q} until one would block. Bounded by the queue's length. */
    private int drain(NioSocket so, ArrayDeque<NioOp> q) {
        int n = 0;
        NioOp op;
        while ((op = q.peek()) != null && attempt(so, q, op)) {
            n++;
        }
        return n;
    }

    /** Makes the head's non-blocking call; returns whether it settled (false: it would block). */
    private boolean attempt(NioSocket so, ArrayDeque<NioOp> q, NioOp op) {
        switch (op.request) {
            case Request.Recv r -> {
                return receive(so, q, op, views(op, r.buffer()));
            }
            case Request.RecvV r -> {
                return receive(so, q, op, views(op, r.buffers()));
            }
            case Request.ReceiveEach r -> {
                return receiveEach(so, q, op);
            }
            case Request.AwaitReadable r -> {
                if (!selectedReadable) {
                    return false;
                }
                dequeue(q, op);
                out.complete(op, OP_READ, null);
                return true;
            }
            case Request.Send r -> {
                return send(so, q, op, views(op, r.buffer()));
            }
            case Request.SendV r -> {
                return send(so, q, op, views(op, r.buffers()));
            }
            case Request.Splice r -> {
                // Like a send: complete once the whole length went out, or the file ended.
                try {
                    if (!(table.get(r.fileFd()) instanceof ChannelTable.OpenFile f)) {
                        throw new ClosedChannelException();
                    }
                    while (op.result < r.length()) {
                        calls++;
                        long at = r.position() + op.result;
                        long n = f.reader.transferTo(at, r.length() - op.result, (SocketChannel) so.channel);
                        if (n == 0) {
                            if (at >= f.reader.size()) {
                                break;
                            }
                            return false;
                        }
                        op.result += n;
                    }
                } catch (IOException | RuntimeException e) {
                    dequeue(q, op);
                    if (op.result > 0) {
                        out.complete(op, op.result, null);
                    } else {
                        out.fail(op, NioErrno.of(e, "transfer to " + so));
                    }
                    return true;
                }
                dequeue(q, op);
                out.complete(op, op.result, null);
                return true;
            }
            case Request.Accept a -> {
                SocketChannel c;
                try {
                    calls++;
                    c = ((ServerSocketChannel) so.channel).accept();
                } catch (IOException | RuntimeException e) {
                    dequeue(q, op);
                    out.fail(op, NioErrno.of(e, "accept on " + so));
                    return true;
                }
                if (c == null) {
                    return false;
                }
                dequeue(q, op);
                accepted(op, c, so.acceptOptions);
                return true;
            }
            case Request.Nop _, Request.Timer _, Request.Open _, Request.OpenAt _, Request.Read _, Request.Write _,
                    Request.ReadV _, Request.WriteV _, Request.Fsync _, Request.Stat _, Request.Listen _,
                    Request.Connect _, Request.AcceptEach _, Request.Shutdown _, Request.Close _,
                    Request.SocketOpt _ -> throw new IllegalStateException("not a queued socket request: " + op);
        }
    }

    /**
     * A send's turn, plain or gathering: one write; settled (true) once every buffer is empty,
     * else it stays queued (false) until the socket is writable again. The buffers' views persist
     * across turns, so their positions are the progress, and {@code result} the bytes sent so far.
     * One buffer takes the plain write, which spares the gathering path's bookkeeping.
     */
    private boolean send(NioSocket so, ArrayDeque<NioOp> q, NioOp op, ByteBuffer[] io) {
        try {
            if (hasRemaining(io)) {
                calls++;
                SocketChannel ch = (SocketChannel) so.channel;
                op.result += io.length == 1 ? ch.write(io[0]) : ch.write(io);
                if (hasRemaining(io)) {
                    return false;
                }
            }
        } catch (IOException | RuntimeException e) {
            dequeue(q, op);
            if (op.result > 0) {
                // As send(2): what went out is the result; the failure shows on the next send.
                out.complete(op, op.result, null);
            } else {
                out.fail(op, NioErrno.of(e, "send on " + so));
            }
            return true;
        }
        dequeue(q, op);
        out.complete(op, op.result, null);
        return true;
    }

    /**
     * A receive's turn, plain or scattering: one read, settled (true) with what it read, 0 at end
     * of stream, or left queued (false) when nothing is there yet. One buffer takes the plain read.
     */
    private boolean receive(NioSocket so, ArrayDeque<NioOp> q, NioOp op, ByteBuffer[] io) {
        long got = 0;
        try {
            if (hasRemaining(io)) {
                calls++;
                SocketChannel ch = (SocketChannel) so.channel;
                long k = io.length == 1 ? ch.read(io[0]) : ch.read(io);
                if (k == 0) {
                    return false;
                }
                got = Math.max(k, 0);
            }
        } catch (IOException | RuntimeException e) {
            dequeue(q, op);
            out.fail(op, NioErrno.of(e, "receive on " + so));
            return true;
        }
        dequeue(q, op);
        out.complete(op, got, null);
        return true;
    }

    /** {@code op}'s view of {@code buffer}, made on its first turn: its position carries the progress across turns. */
    private static ByteBuffer[] views(NioOp op, MemorySegment buffer) {
        if (op.io == null) {
            op.io = new ByteBuffer[] {buffer.asByteBuffer()};
        }
        return op.io;
    }

    /** {@code op}'s views of {@code buffers}, made on its first turn: their positions carry its progress across turns. */
    private static ByteBuffer[] views(NioOp op, MemorySegment[] buffers) {
        if (op.io == null) {
            ByteBuffer[] io = new ByteBuffer[buffers.length];
            for (int i = 0; i < buffers.length; i++) {
                io[i] = buffers[i].asByteBuffer();
            }
            op.io = io;
        }
        return op.io;
    }

    private static boolean hasRemaining(ByteBuffer[] buffers) {
        for (ByteBuffer b : buffers) {
            if (b.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A multishot receive's turn: reads chunks into provided buffers, each taken just before its read
     * and given back at once if the read finds nothing, until the socket would block. Returns true
     * when the receive ended (end of stream, failure, no buffer left: ENOBUFS, as the kernel's
     * buffer ring reports it) or was withdrawn meanwhile (the core stopped it from inside
     * {@code next}); false while it stays armed.
     */
    private boolean receiveEach(NioSocket so, ArrayDeque<NioOp> q, NioOp op) {
        SocketChannel ch = (SocketChannel) so.channel;
        // Bounded so that one busy socket cannot hold the dispatcher: the selector reports it
        // ready again on the next turn (level-triggered).
        for (int i = 0; i < CHUNKS_PER_TURN; i++) {
            int id = provided.take();
            if (id < 0) {
                dequeue(q, op);
                out.fail(op, Errno.ENOBUFS);
                return true;
            }
            MemorySegment buf = provided.buffer(id);
            int k;
            try {
                calls++;
                k = ch.read(buf.asByteBuffer());
            } catch (IOException | RuntimeException e) {
                provided.giveBack(id);
                dequeue(q, op);
                out.fail(op, NioErrno.of(e, "receive on " + so));
                return true;
            }
            if (k == 0) {
                provided.giveBack(id);
                return false;
            }
            if (k < 0) {
                provided.giveBack(id);
                dequeue(q, op);
                out.complete(op, 0, null);
                return true;
            }
            out.nextChunk(op, k, id, buf.asSlice(0, k));
            items++;
            if (op.socket == null) {
                return true;
            }
        }
        return false;
    }

    /** Items of multishot receives delivered so far (wraps harmlessly: only differences count). */
    private int items;

    /** Chunks one receive stream reads per turn before it lets other sockets go. */
    private static final int CHUNKS_PER_TURN = 16;

    private static void dequeue(ArrayDeque<NioOp> q, NioOp op) {
        q.poll();
        op.socket = null;
    }

    private void accepted(NioOp op, SocketChannel c, SocketOptions options) {
        try {
            c.configureBlocking(false);
            applySocketOptions(c, options);
            Request.Endpoints ends = endpoints(c);
            NioSocket so = new NioSocket(this, c, null);
            if (!enter(so)) {
                closeQuietly(c);
                out.fail(op, Errno.EMFILE);
                return;
            }
            out.complete(op, so.handle, ends);
        } catch (IOException | RuntimeException e) {
            closeQuietly(c);
            out.fail(op, NioErrno.of(e, "accepting a connection"));
        }
    }

    private int finishConnect(NioSocket so) {
        NioOp op = so.outbound.peek();
        if (op == null) {
            return 0;
        }
        SocketChannel ch = (SocketChannel) so.channel;
        try {
            calls++;
            if (!ch.finishConnect()) {
                return 0;
            }
            Request.Endpoints ends = endpoints(ch);
            so.connecting = false;
            dequeue(so.outbound, op);
            out.complete(op, so.handle, ends);
        } catch (IOException | RuntimeException e) {
            so.connecting = false;
            dequeue(so.outbound, op);
            table.remove(so.handle);
            closeQuietly(so);
            out.fail(op, NioErrno.of(e, "connect of " + so));
        }
        return 1;
    }

    /** Makes the key's interest exactly "a queue is not empty"; registers it on the first wait. */
    private void updateInterest(NioSocket so) {
        int ops = 0;
        if (!so.inbound.isEmpty()) {
            ops |= so.listener() ? OP_ACCEPT : OP_READ;
        }
        if (!so.outbound.isEmpty()) {
            ops |= so.connecting ? OP_CONNECT : OP_WRITE;
        }
        if (so.key == null) {
            if (ops != 0) {
                try {
                    so.key = so.channel.register(selector, ops, so);
                } catch (ClosedChannelException e) {
                    // Only the backend closes its channels, and it never waits on a closed one.
                    throw new IllegalStateException("waiting on a closed channel: " + so, e);
                }
            }
        } else if (so.key.interestOps() != ops) {
            so.key.interestOps(ops);
        }
    }

    // ------------------------------------------------------------------ helpers

    private boolean enter(NioSocket so) {
        int h = table.add(so);
        if (h < 0) {
            return false;
        }
        so.handle = h;
        return true;
    }

    private static Request.Endpoints endpoints(SocketChannel ch) throws IOException {
        return new Request.Endpoints(ch.getLocalAddress(), ch.getRemoteAddress());
    }

    /** The protocol family for {@code a}; an unresolved name is refused (no lookups on the dispatcher). */
    static ProtocolFamily family(SocketAddress a) {
        return switch (a) {
            case UnixDomainSocketAddress u -> StandardProtocolFamily.UNIX;
            case InetSocketAddress i when i.isUnresolved() -> throw new UnresolvedAddressException();
            case InetSocketAddress i -> i.getAddress() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
            default -> throw new UnsupportedAddressTypeException();
        };
    }

    private static void applyListenerOptions(ServerSocketChannel ch, SocketOptions o) throws IOException {
        Set<SocketOption<?>> has = ch.supportedOptions();
        if (o.reusePort()) {
            if (!has.contains(StandardSocketOptions.SO_REUSEPORT)) {
                throw new UnsupportedOperationException("SO_REUSEPORT is not available for " + ch);
            }
            ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        if (has.contains(StandardSocketOptions.SO_REUSEADDR)) {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, o.reuseAddress());
        }
        // Set on the listener so that accepted sockets start with it (it sizes the TCP window).
        if (o.receiveBufferSize() > 0 && has.contains(StandardSocketOptions.SO_RCVBUF)) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, o.receiveBufferSize());
        }
    }

    private static void applySocketOptions(SocketChannel ch, SocketOptions o) throws IOException {
        Set<SocketOption<?>> has = ch.supportedOptions();
        set(ch, has, StandardSocketOptions.TCP_NODELAY, o.tcpNoDelay());
        set(ch, has, StandardSocketOptions.SO_KEEPALIVE, o.keepAlive());
        if (o.sendBufferSize() > 0) {
            set(ch, has, StandardSocketOptions.SO_SNDBUF, o.sendBufferSize());
        }
        if (o.receiveBufferSize() > 0) {
            set(ch, has, StandardSocketOptions.SO_RCVBUF, o.receiveBufferSize());
        }
    }

    private static <T> void set(NetworkChannel ch, Set<SocketOption<?>> has, SocketOption<T> option, T value)
            throws IOException {
        if (has.contains(option)) {
            ch.setOption(option, value);
        }
    }

    private static void closeQuietly(java.nio.channels.Channel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "closing a socket failed: " + e);
        }
    }

    private static void closeQuietly(NioSocket so) {
        try {
            so.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "closing " + so + " failed: " + e);
        }
    }
}
