package dev.proactor.internal.nio;

import dev.proactor.OperationKind;
import dev.proactor.ProactorConfig;
import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Errno;
import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * All methods of the portable backend except {@link #wakeup()} must be called on the dispatcher
 * thread, which also created it; the file threads it owns never call the core. It performs every
 * request on JDK NIO, with the outcomes io_uring gives.
 *
 * <p>The dispatcher's wait is a {@link Selector}: {@link #runOnce} selects (with the earliest timer
 * as its timeout), then delivers, in this order, what the selected keys report (sockets: see
 * {@link ReadyHandler}), the results of file requests, the timers and deadlines that expired, and
 * outcomes decided without waiting (a nop, a bad descriptor, a cancellation, a listen). Before it
 * selects, it attempts the socket operations that joined an empty queue since the last turn.
 *
 * <p>Stream sockets and listeners ({@link NioSockets}) are non-blocking channels in the same
 * {@link ChannelTable} as files, driven by the selector on the dispatcher alone: readiness, then the
 * non-blocking call, then the completion. A socket operation waiting for readiness can always be
 * cancelled or timed out.
 *
 * <p>Files have no readiness: open, read, write, readv, writev, fsync, stat and close run as
 * blocking {@link java.nio.channels.FileChannel} calls on the {@link FilePool} (2 to 4 threads named
 * {@code <proactor>-file-N}, and a queue as long as the configured submission queue; a full queue
 * makes {@link #submit} return false). Reads and writes of a pipe, FIFO or character device (told
 * at open) may wait for ever for the other end, so they never go there: each gets a thread of its
 * own ({@code <proactor>-file-stream-N}, {@link FilePool#forStreams}), which the file's close ends
 * (the JDK signals a thread blocked in the channel). A file thread posts its result to a concurrent queue and
 * wakes the selector; only the dispatcher settles it. Descriptors are handles into the backend's
 * {@link ChannelTable}, resolved on the dispatcher when a request is submitted.
 *
 * <p>Timers and deadlines live in a {@link DeadlineHeap} on the dispatcher. A timer completes with
 * 0 once {@code System.nanoTime()} reaches its expiry, never before. An operation's deadline ends it
 * as timed out if its file request has not started; a request already running cannot be stopped
 * safely and settles with its real result, as on io_uring when a link timeout comes too late.
 * Cancellation follows the same rule: a timer, or a file request still queued, is cancelled; a
 * running file request completes. A close is never withdrawn once accepted: its handle has left the
 * table, and withdrawing it would leak the channel.
 *
 * <p>Every accepted submission is settled and then released exactly once, both on the dispatcher
 * inside {@link #runOnce} (never inside {@link #submit} or {@link #cancel}, so the core is never
 * re-entered); a receive stream's chunks ({@code next}) are reported there too, and a cancel the
 * core sends from inside {@code next} only decides an outcome for the next turn. Requests' buffers
 * are the core's native segments, used through {@link MemorySegment#asByteBuffer()}; a segment
 * confined to another thread fails its operation with EFAULT. The only native memory of the
 * backend's own is the buffer set of receive streams ({@link ProvidedBuffers}), allocated on first
 * use and freed at close.
 */
public final class NioBackend implements Backend {
    private static final System.Logger LOG = System.getLogger("dev.proactor.nio");

    static final int OUTCOME_COMPLETE = 1;
    static final int OUTCOME_FAIL = 2;
    static final int OUTCOME_CANCELLED = 3;

    private static final Set<OperationKind> KINDS = EnumSet.of(OperationKind.NOP, OperationKind.TIMER,
            OperationKind.OPEN, OperationKind.READ, OperationKind.WRITE, OperationKind.READV, OperationKind.WRITEV,
            OperationKind.FSYNC, OperationKind.STAT, OperationKind.CLOSE, OperationKind.LISTEN, OperationKind.ACCEPT,
            OperationKind.CONNECT, OperationKind.RECV, OperationKind.SEND, OperationKind.SHUTDOWN,
            OperationKind.TRANSFER, OperationKind.SOCKET_OPTION);

    /** How long close waits for file threads still in a call once their channels are closed. */
    private static final long CLOSE_WAIT_NANOS = Duration.ofSeconds(2).toNanos();

    /**
     * Reacts to a selected key. Each socket ({@link NioSocket}) attaches itself to the key it
     * registers; {@link #runOnce} calls it for every selected key and counts what it delivered.
     */
    interface ReadyHandler {
        /** Performs the ready non-blocking call and settles what it finished; returns how many. */
        int ready(SelectionKey key);
    }

    private final String proactorName;
    private final Selector selector;
    private final FilePool pool;
    /** Reads and writes of pipes, FIFOs and character devices: a thread per call (see {@link FilePool#forStreams}). */
    private final FilePool streams;
    private final int resultsPerTurn;
    private final ChannelTable table = new ChannelTable();
    private final DeadlineHeap timers = new DeadlineHeap();
    private final NioSockets sockets;
    private final ProvidedBuffers provided;
    /** Outcomes decided on the dispatcher, delivered by the next runOnce. */
    private final ArrayDeque<NioOp> due = new ArrayDeque<>();
    /** File requests that ran, posted by the file threads. */
    private final ConcurrentLinkedQueue<NioOp> results = new ConcurrentLinkedQueue<>();
    /** Set by the first file thread to post since the last turn, so that a burst costs one wake-up. */
    private final AtomicBoolean resultWake = new AtomicBoolean();
    /** Orders the file threads' posting against close: after close, a result is discarded instead. */
    private final Object closeLock = new Object();
    private volatile boolean closed;

    // ---- dispatcher-confined ----
    private Completions sink;
    private int pending;
    private long selects;
    private int closedAtClose;

    /** Opens the selector and the file pool sized for {@code config}; must run on the dispatcher thread. */
    public NioBackend(ProactorConfig config) {
        this(config.name(), FilePool.defaultThreads(), config.submissionQueueEntries(), config.receiveBufferSize(),
                config.receiveBufferCount());
    }

    NioBackend(String proactorName, int fileThreads, int queueCapacity) {
        this(proactorName, fileThreads, queueCapacity, 16 * 1024, 256);
    }

    /**
     * @param proactorName prefix of the file threads' names
     * @param fileThreads how many file threads
     * @param queueCapacity how many file requests may wait for a thread before submit pushes back
     * @param receiveBufferSize bytes in each buffer a ReceiveEach takes when its socket is readable
     * @param receiveBufferCount how many such buffers
     */
    NioBackend(String proactorName, int fileThreads, int queueCapacity, int receiveBufferSize, int receiveBufferCount) {
        this.proactorName = proactorName;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        this.pool = new FilePool(proactorName, fileThreads, queueCapacity, this::posted);
        this.streams = FilePool.forStreams(proactorName, this::posted);
        this.provided = new ProvidedBuffers(receiveBufferSize, receiveBufferCount);
        this.sockets = new NioSockets(selector, table, new SocketOutcomes(), provided);
        // Every task in the pool (queued or running) posts at most one result, so one pass over this
        // many takes everything that was there when the turn began; a busy pool cannot hold the
        // dispatcher in the drain. Stream threads' results beyond it wait for the next turn, which
        // does not block while results are queued.
        this.resultsPerTurn = queueCapacity + fileThreads;
    }

    @Override
    public String name() {
        return "portable";
    }

    @Override
    public Map<OperationKind, String> operationSupport() {
        Map<OperationKind, String> m = new EnumMap<>(OperationKind.class);
        String threads = pool.threads() + " file threads";
        for (OperationKind k : OperationKind.values()) {
            m.put(k, switch (k) {
                case NOP -> "portable: completes on the next loop turn";
                case TIMER -> "portable: timer heap, selector timeout";
                case OPEN -> "portable: FileChannel.open on " + threads
                        + (FileCalls.DIRECT == null ? " (DIRECT: off, jdk.unsupported is not loaded)" : "");
                case READ -> "portable: FileChannel.read(ByteBuffer, long) on " + threads + PIPES;
                case WRITE -> "portable: FileChannel.write(ByteBuffer, long) on " + threads + PIPES;
                case READV -> "portable: FileChannel.position + read(ByteBuffer[]) on " + threads + PIPES;
                case WRITEV -> "portable: FileChannel.position + write(ByteBuffer[]) on " + threads + PIPES;
                case FSYNC -> "portable: FileChannel.force on " + threads;
                case STAT -> "portable: FileChannel.size + unix/basic attributes by path on " + threads
                        + " (no st_blocks)";
                case CLOSE -> "portable: FileChannel.close on " + threads + "; sockets: close on the dispatcher";
                case ACCEPT -> SOCKETS + "; acceptEach: an accept re-armed after each connection";
                case RECV -> SOCKETS + "; receiveEach: a buffer of " + provided.count() + " x "
                        + provided.size() + " bytes taken only once the socket is readable, reads until it would block";
                case SEND -> SOCKETS + "; vectored: SocketChannel.write(ByteBuffer[]), a gathering write";
                case LISTEN, CONNECT, SHUTDOWN -> SOCKETS;
                case TRANSFER -> "portable (selector): FileChannel.transferTo to the non-blocking socket on the"
                        + " dispatcher (sendfile on Linux)";
                case SOCKET_OPTION -> "portable: the channel's setOption and getOption on the dispatcher";
            });
        }
        return m;
    }

    /** Where reads and writes of pipes, FIFOs and character devices run instead of the file threads. */
    static final String PIPES = "; pipes, FIFOs and character devices: a thread per call, which the file's close ends";

    /** How every socket kind is performed: non-blocking calls on the dispatcher, driven by the selector. */
    static final String SOCKETS = "portable (selector)";

    @Override
    public boolean supports(OperationKind kind) {
        return KINDS.contains(kind);
    }

    @Override
    public boolean supportsMultishot(OperationKind kind) {
        return kind == OperationKind.RECV;
    }

    @Override
    public void recycle(int bufferId) {
        provided.giveBack(bufferId);
    }

    @Override
    public int providedBuffersLent() {
        return provided.lent();
    }

    @Override
    public int providedBufferCount() {
        return provided.count();
    }

    @Override
    public void start(Completions completions) {
        this.sink = completions;
    }

    @Override
    public boolean registerBuffers(MemorySegment[] buffers) {
        LOG.log(Level.DEBUG, "the portable backend has no registered buffers; leased buffers go unregistered");
        return false;
    }

    // ------------------------------------------------------------------ submission

    @Override
    public boolean submit(Submission s) {
        Request r = s.request();
        NioOp op;
        switch (r) {
            case Request.Nop n -> {
                op = new NioOp(s, null, null);
                decide(op, OUTCOME_COMPLETE, 0);
            }
            case Request.Timer t -> {
                op = new NioOp(s, null, null);
                long at = t.deadlineNanos();
                if (s.deadlineNanos() != 0 && s.deadlineNanos() - at < 0) {
                    at = s.deadlineNanos();
                }
                timers.add(op, at);
            }
            case Request.Open o -> {
                op = new NioOp(s, null, pool);
                if (!pool.offer(op)) {
                    return false;
                }
                armDeadline(op);
            }
            case Request.Close c -> {
                ChannelTable.Entry e = table.get(c.fd());
                if (e == null) {
                    op = new NioOp(s, null, null);
                    decide(op, OUTCOME_FAIL, Errno.EBADF);
                } else if (e instanceof NioSocket so) {
                    // Never blocks: on the dispatcher, no file thread.
                    op = new NioOp(s, null, null);
                    sockets.close(op, so);
                } else {
                    op = new NioOp(s, (ChannelTable.OpenFile) e, pool);
                    if (!pool.offer(op)) {
                        return false;
                    }
                    // The handle is gone as soon as the close is accepted, as with close(2); no
                    // deadline: a close runs to its end (see the class comment).
                    table.remove(c.fd());
                }
            }
            case Request.Read x -> { op = fileOp(s, x.fd()); if (op == null) { return false; } }
            case Request.Write x -> { op = fileOp(s, x.fd()); if (op == null) { return false; } }
            case Request.ReadV x -> { op = fileOp(s, x.fd()); if (op == null) { return false; } }
            case Request.WriteV x -> { op = fileOp(s, x.fd()); if (op == null) { return false; } }
            case Request.Fsync x -> { op = fileOp(s, x.fd()); if (op == null) { return false; } }
            case Request.Stat x -> { op = fileOp(s, x.fd()); if (op == null) { return false; } }
            // The directory's entry, for its path: the walk and the open run on a file thread.
            case Request.OpenAt x -> { op = fileOp(s, x.dirFd()); if (op == null) { return false; } }
            case Request.Listen x -> {
                op = new NioOp(s, null, null);
                sockets.listen(op, x);
            }
            case Request.Connect x -> {
                op = new NioOp(s, null, null);
                sockets.connect(op, x);
                if (op.socket != null) {
                    armDeadline(op);
                }
            }
            case Request.Accept x -> op = socketOp(s, x.fd(), true, true);
            case Request.Recv x -> op = socketOp(s, x.fd(), false, true);
            case Request.RecvV x -> op = socketOp(s, x.fd(), false, true);
            case Request.ReceiveEach x -> op = socketOp(s, x.fd(), false, true);
            case Request.AcceptEach x -> throw new IllegalArgumentException("no multishot accept on this backend");
            case Request.AwaitReadable x -> op = socketOp(s, x.fd(), false, true);
            case Request.Send x -> op = socketOp(s, x.fd(), false, false);
            case Request.SendV x -> op = socketOp(s, x.fd(), false, false);
            case Request.Splice x -> {
                ChannelTable.Entry e = table.get(x.fileFd());
                if (e instanceof ChannelTable.OpenFile) {
                    op = socketOp(s, x.socketFd(), false, false);
                } else {
                    op = new NioOp(s, null, null);
                    decide(op, OUTCOME_FAIL, e == null ? Errno.EBADF : Errno.EINVAL);
                }
            }
            case Request.SocketOpt x -> {
                op = new NioOp(s, null, null);
                ChannelTable.Entry e = table.get(x.fd());
                if (e instanceof NioSocket so) {
                    sockets.option(op, so, x);
                } else {
                    decide(op, OUTCOME_FAIL, e == null ? Errno.EBADF : Errno.ENOTSOCK);
                }
            }
            case Request.Shutdown x -> {
                op = new NioOp(s, null, null);
                NioSocket so = socket(op, x.fd(), false);
                if (so != null) {
                    sockets.shutdown(op, so, x);
                }
            }
        }
        s.backendState = op;
        pending++;
        return true;
    }

    /**
     * Queues a request on an open handle; null when the pool is full. A bad handle fails with EBADF,
     * a socket's with ESPIPE (what a positional call on a socket gets from the kernel).
     */
    private NioOp fileOp(Submission s, int fd) {
        ChannelTable.Entry e = table.get(fd);
        if (!(e instanceof ChannelTable.OpenFile f)) {
            NioOp op = new NioOp(s, null, null);
            decide(op, OUTCOME_FAIL, e == null ? Errno.EBADF : Errno.ESPIPE);
            return op;
        }
        FilePool runner = f.pipeLike && mayWait(s.request()) ? streams : pool;
        NioOp op = new NioOp(s, f, runner);
        if (!runner.offer(op)) {
            return null;
        }
        armDeadline(op);
        return op;
    }

    /** Whether {@code r} may wait for the other end of a pipe: a read or a write; fsync and stat never do. */
    private static boolean mayWait(Request r) {
        return r instanceof Request.Read || r instanceof Request.Write || r instanceof Request.ReadV
                || r instanceof Request.WriteV;
    }

    /** Queues an accept ({@code listener}), a receive or a send ({@code inbound} or not) on its socket. */
    private NioOp socketOp(Submission s, int fd, boolean listener, boolean inbound) {
        NioOp op = new NioOp(s, null, null);
        NioSocket so = socket(op, fd, listener);
        if (so != null) {
            sockets.enqueue(op, so, inbound);
            armDeadline(op);
        }
        return op;
    }

    /**
     * The socket under {@code fd}, or null after deciding the failure the kernel would give: EBADF
     * for no handle, ENOTSOCK for a file, EINVAL for an accept on a connected socket (accept(2)),
     * ENOTCONN for a transfer or a shutdown on a listener.
     */
    private NioSocket socket(NioOp op, int fd, boolean listener) {
        ChannelTable.Entry e = table.get(fd);
        int errno;
        if (e instanceof NioSocket so) {
            if (so.listener() == listener) {
                return so;
            }
            errno = listener ? Errno.EINVAL : Errno.ENOTCONN;
        } else {
            errno = e == null ? Errno.EBADF : Errno.ENOTSOCK;
        }
        decide(op, OUTCOME_FAIL, errno);
        return null;
    }

    private void armDeadline(NioOp op) {
        if (op.submission.deadlineNanos() != 0) {
            timers.add(op, op.submission.deadlineNanos());
        }
    }

    /** Records an outcome known now; the next runOnce delivers it. */
    private void decide(NioOp op, int outcome, int errno) {
        timers.remove(op);
        op.outcome = outcome;
        op.outcomeErrno = errno;
        due.add(op);
    }

    @Override
    public boolean cancel(Submission s) {
        NioOp op = (NioOp) s.backendState;
        if (op == null || op.outcome != 0) {
            // Released already, or its outcome is decided and on its way.
            return true;
        }
        switch (op.request) {
            case Request.Timer t -> {
                timers.remove(op);
                decide(op, OUTCOME_CANCELLED, 0);
            }
            case Request.Close c -> {
                // Runs to its end: see the class comment.
            }
            case Request.Accept _, Request.Recv _, Request.ReceiveEach _, Request.AwaitReadable _, Request.Send _,
                    Request.SendV _, Request.RecvV _, Request.Splice _, Request.Connect _ -> withdrawSocketOp(op);
            case Request.Nop _, Request.Listen _, Request.Shutdown _, Request.SocketOpt _ -> {
                // Decided inside submit (outcome set above): never reached.
            }
            case Request.AcceptEach _ -> {
                // Refused inside submit: never reached.
            }
            case Request.Open _, Request.OpenAt _, Request.Read _, Request.Write _, Request.ReadV _, Request.WriteV _,
                    Request.Fsync _, Request.Stat _ -> withdrawFileCall(op);
        }
        return true;
    }

    /**
     * A request on the file-call pool: cancelled while still queued; once a file thread runs it,
     * its real result comes through runOnce.
     */
    private void withdrawFileCall(NioOp op) {
        if (op.pool().withdraw(op)) {
            timers.remove(op);
            decide(op, OUTCOME_CANCELLED, 0);
        }
    }

    /** A socket request waiting for readiness: cancelled, or complete with a send's progress. */
    private void withdrawSocketOp(NioOp op) {
        if (sockets.withdraw(op)) {
            if (op.result > 0) {
                decide(op, OUTCOME_COMPLETE, 0);
            } else {
                decide(op, OUTCOME_CANCELLED, 0);
            }
        }
    }

    /** The sockets' outcomes: decided into {@link #due}, or settled at once inside runOnce. */
    private final class SocketOutcomes implements NioSockets.Outcomes {
        @Override
        public void decide(NioOp op, int outcome, int errno) {
            NioBackend.this.decide(op, outcome, errno);
        }

        @Override
        public void complete(NioOp op, long result, Object attachment) {
            timers.remove(op);
            sink.complete(op.submission, result, attachment);
            release(op);
        }

        @Override
        public void next(NioOp op, long result, Object attachment) {
            sink.next(op.submission, result, attachment);
        }

        @Override
        public void nextChunk(NioOp op, long result, int bufferId, MemorySegment data) {
            sink.nextChunk(op.submission, result, bufferId, data);
        }

        @Override
        public void fail(NioOp op, int errno) {
            timers.remove(op);
            sink.fail(op.submission, errno);
            release(op);
        }
    }

    // ------------------------------------------------------------------ the loop

    @Override
    public int runOnce(long waitNanos) {
        // Operations that joined an empty socket queue are tried before waiting: most find their
        // socket ready and need no select at all.
        int fresh = sockets.pumpFresh();
        long now = System.nanoTime();
        try {
            if (waitNanos == 0 || fresh > 0 || !due.isEmpty() || !results.isEmpty()
                    || timers.nanosUntilFirst(now) == 0) {
                selector.selectNow();
            } else {
                long wait = timers.nanosUntilFirst(now);
                if (waitNanos > 0) {
                    wait = wait < 0 ? waitNanos : Math.min(wait, waitNanos);
                }
                if (wait < 0) {
                    selector.select();
                } else {
                    selector.select(ceilMillis(wait));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("select failed", e);
        }
        selects++;
        // Cleared before the drain: a result posted from here on wakes the next select.
        resultWake.set(false);
        int delivered = fresh + processSelectedKeys();
        delivered += drainResults();
        delivered += fireTimers(System.nanoTime());
        delivered += drainDue();
        return delivered;
    }

    /**
     * The selector's timeout for {@code nanos}, rounded up: waking before a timer's expiry would only
     * spin, and the timer fires by its own nanoTime check, never early. At least 1 (0 means forever).
     */
    static long ceilMillis(long nanos) {
        return Math.max(1, (Math.min(nanos, Long.MAX_VALUE / 2) + 999_999) / 1_000_000);
    }

    private int processSelectedKeys() {
        Set<SelectionKey> keys = selector.selectedKeys();
        if (keys.isEmpty()) {
            return 0;
        }
        int n = 0;
        for (Iterator<SelectionKey> it = keys.iterator(); it.hasNext();) {
            SelectionKey key = it.next();
            it.remove();
            if (key.isValid() && key.attachment() instanceof ReadyHandler h) {
                n += h.ready(key);
            }
        }
        return n;
    }

    /** File thread: hands a finished task to the dispatcher, or cleans up after it if the backend closed. */
    private void posted(NioOp op) {
        synchronized (closeLock) {
            if (!closed) {
                results.offer(op);
                if (!resultWake.getAndSet(true)) {
                    selector.wakeup();
                }
                return;
            }
        }
        discard(op);
    }

    private int drainResults() {
        int n = 0;
        NioOp op;
        while (n < resultsPerTurn && (op = results.poll()) != null) {
            n++;
            timers.remove(op);
            Submission s = op.submission;
            if (op.errno != 0) {
                sink.fail(s, op.errno);
            } else {
                switch (op.request) {
                    case Request.Open _, Request.OpenAt _ -> {
                        int handle = table.add(op.opened);
                        if (handle < 0) {
                            closeQuietly(op.opened);
                            sink.fail(s, Errno.EMFILE);
                        } else {
                            sink.complete(s, handle, null);
                        }
                    }
                    case Request.Stat st -> sink.complete(s, 0, op.attachment);
                    case Request.Nop _, Request.Timer _, Request.Read _, Request.Write _, Request.ReadV _,
                            Request.WriteV _, Request.Fsync _, Request.Listen _, Request.Accept _,
                            Request.Connect _, Request.Recv _, Request.AcceptEach _, Request.ReceiveEach _,
                            Request.AwaitReadable _, Request.Send _, Request.SendV _, Request.RecvV _, Request.Splice _,
                            Request.Shutdown _, Request.Close _, Request.SocketOpt _ ->
                                    sink.complete(s, op.result, null);
                }
            }
            release(op);
        }
        return n;
    }

    private int fireTimers(long now) {
        int n = 0;
        DeadlineHeap.Entry e;
        while ((e = timers.pollExpired(now)) != null) {
            NioOp op = (NioOp) e;
            if (op.request instanceof Request.Timer t) {
                if (now - t.deadlineNanos() >= 0) {
                    sink.complete(op.submission, 0, null);
                } else {
                    sink.timedOut(op.submission);
                }
                release(op);
                n++;
            } else if (NioSockets.waits(op.request)) {
                if (sockets.withdraw(op)) {
                    if (op.result > 0) {
                        sink.complete(op.submission, op.result, null);
                    } else {
                        sink.timedOut(op.submission);
                    }
                    release(op);
                    n++;
                }
            } else if (op.pool().withdraw(op)) {
                sink.timedOut(op.submission);
                release(op);
                n++;
            }
            // Otherwise the request is running: it settles with its real result when it ends.
        }
        return n;
    }

    private int drainDue() {
        int n = 0;
        NioOp op;
        while ((op = due.poll()) != null) {
            Submission s = op.submission;
            switch (op.outcome) {
                case OUTCOME_COMPLETE -> sink.complete(s, op.result, op.attachment);
                case OUTCOME_FAIL -> sink.fail(s, op.outcomeErrno);
                case OUTCOME_CANCELLED -> sink.cancelled(s);
                default -> throw new IllegalStateException("no outcome for " + op);
            }
            release(op);
            n++;
        }
        return n;
    }

    /**
     * Closes the channel behind {@code fd} at once: a positional call blocked on it (a read of a
     * FIFO) fails with AsynchronousCloseException and ends, which a cancel alone cannot achieve. The
     * handle stays in the table until the core's Close removes it.
     */
    @Override
    public void descriptorClosing(int fd) {
        // A socket needs nothing here: every socket operation waiting on it is cancellable.
        if (table.get(fd) instanceof ChannelTable.OpenFile f) {
            closeQuietly(f);
        }
    }

    @Override
    public void resetConnection(int fd) {
        if (table.get(fd) instanceof NioSocket so) {
            sockets.resetOnClose(so);
        }
    }

    private void release(NioOp op) {
        op.submission.backendState = null;
        pending--;
        sink.released(op.submission);
    }

    @Override
    public void wakeup() {
        // A no-op once the selector is closed (the JDK's selectors ignore it), so safe at any time.
        selector.wakeup();
    }

    /**
     * {@inheritDoc}
     *
     * <p>File results, expired deadlines and operations queued to retry are read from memory;
     * socket readiness takes a {@code selectNow()} (an {@code epoll_wait} that does not wait: a
     * system call, but no sleep), whose selected keys the next {@link #runOnce} processes.
     */
    @Override
    public boolean completionsPending() {
        if (!results.isEmpty() || !due.isEmpty() || timers.nanosUntilFirst(System.nanoTime()) == 0
                || !selector.selectedKeys().isEmpty()) {
            return true;
        }
        try {
            return selector.selectNow() > 0;
        } catch (IOException e) {
            throw new UncheckedIOException("select failed", e);
        }
    }

    @Override
    public boolean seesCompletions() {
        return true;
    }

    @Override
    public int pending() {
        return pending;
    }

    /** Selects and non-blocking socket calls made by the dispatcher, plus blocking calls made on the file threads. */
    @Override
    public long kernelCalls() {
        return selects + pool.calls() + streams.calls() + sockets.calls();
    }

    /** Always 0: the backend allocates no native memory. */
    @Override
    public long nativeBytes() {
        return 0;
    }

    /** Channels that were still open when the backend closed, and that close closed. */
    int closedAtClose() {
        return closedAtClose;
    }

    /** Channels open in the table now. */
    int openChannels() {
        return table.size();
    }

    /**
     * Stops the file threads, closes what remains, then the selector; afterwards no thread or
     * descriptor of the backend is left. Requests still queued never run. A request still running
     * (a read blocked on a FIFO, say) is unblocked by closing its channel: every channel left in the
     * table is closed here, which makes a blocked call fail at once; file threads get two seconds to
     * end after that, and are interrupted if they have not. The core closes the application's files
     * itself (through Close requests) before it closes the backend, so anything closed here is
     * counted and logged as left over. Submissions still pending are abandoned unsettled: the core
     * gave up on them before calling close.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        int leftOver = 0;
        // The stream pool queues nothing (each call has its thread at once), so it has none to give back.
        streams.shutdown();
        for (NioOp op : pool.shutdown()) {
            if (op.request instanceof Request.Close) {
                // Accepted, so its handle is gone from the table: the channel must be closed here.
                closeQuietly(op.file);
            }
        }
        for (ChannelTable.Entry f : table.removeAll()) {
            closeQuietly(f);
            leftOver++;
        }
        for (FilePool p : List.of(pool, streams)) {
            if (!p.awaitTermination(CLOSE_WAIT_NANOS)) {
                p.abandon();
                p.awaitTermination(CLOSE_WAIT_NANOS);
            }
        }
        NioOp op;
        while ((op = results.poll()) != null) {
            if (discard(op)) {
                leftOver++;
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the selector failed", e);
        }
        provided.close();
        closedAtClose = leftOver;
        if (leftOver > 0) {
            LOG.log(Level.WARNING, proactorName + ": the portable backend closed " + leftOver
                    + " channels still open at close");
        }
        if (pending > 0) {
            LOG.log(Level.DEBUG, proactorName + ": " + pending + " submissions abandoned at close");
        }
    }

    /** A result nobody will deliver: closes the channel an open made. Returns whether there was one. */
    private static boolean discard(NioOp op) {
        if (op.opened != null) {
            closeQuietly(op.opened);
            op.opened = null;
            return true;
        }
        return false;
    }

    private static void closeQuietly(ChannelTable.Entry f) {
        try {
            f.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "closing a channel failed: " + e);
        }
    }
}
