package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.*;

import dev.proactor.OperationKind;
import dev.proactor.ProactorConfig;
import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import dev.proactor.internal.uring.ffi.IoUringLayouts;
import dev.proactor.internal.uring.ffi.LibC;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The io_uring backend. All methods except {@link #wakeup()} must be called on the dispatcher
 * thread, which also created it: the ring is set up with IORING_SETUP_SINGLE_ISSUER, which binds it
 * to the creating thread.
 *
 * <p>Completion-queue room is accounted before anything is submitted: {@link RingRoom} counts
 * the CQEs still to come, and a submission that could push them past the CQ's size is refused as
 * back-pressure. Every SQE produces exactly one CQE (no CQE_SKIP_SUCCESS) except
 * IORING_OP_SEND_ZC, which may produce two, so a zero-copy send reserves room for both; when its
 * first CQE says no notification follows (no IORING_CQE_F_MORE) the spare room is given back; and
 * except the multishot accept and receive of streams, which reserve room for their final CQE only:
 * an item CQE (IORING_CQE_F_MORE) keeps the reservation, so their items draw on the spare room,
 * bounded for receives by the provided buffer ring ({@link BufferRing}). The
 * kernel's overflow list (IORING_FEAT_NODROP) is still flushed if it is ever used, and counted;
 * the test switch {@link #CQ_ENTRIES_PROPERTY} makes the ring smaller than the accounting so that
 * it is.
 *
 * <p>Zero-copy sends: a send of at least {@link ProactorConfig#zeroCopySendThreshold()} bytes is
 * IORING_OP_SEND_ZC when the kernel's probe has it. Its first CQE carries the result and settles the
 * outcome; the submission is released (and the core hands the buffer back) only when the
 * notification CQE (IORING_CQE_F_NOTIF) says the kernel no longer reads the buffer. A socket that
 * refuses zero-copy (-EOPNOTSUPP: Unix-domain sockets, protocols without SOCK_SUPPORT_ZC) gets the
 * same submission again as a plain IORING_OP_SEND, invisibly to the core, and its descriptor is
 * remembered so that later sends on it skip the refused attempt, until the backend sees the
 * descriptor closed. The notification of a TCP send comes once the peer acknowledged the data, so a
 * peer that stops reading holds the buffer, and the operation, indefinitely; a cancel or deadline
 * that comes meanwhile cannot end it. Closing the socket can: when the core announces the close
 * ({@link #descriptorClosing}) while a zero-copy send on it still awaits its notification, the
 * backend aborts the connection (connect(2) to AF_UNSPEC: tcp_disconnect purges the send queue and
 * resets the peer), which frees the buffer and brings the notification.
 *
 * <p>Refusals are remembered per descriptor rather than per address family because the Send request
 * carries only the descriptor: knowing its family would cost a getsockopt per socket on the
 * dispatcher or bookkeeping in the connect and accept paths, for a saving of one refused SQE per
 * Unix-domain connection; and a remembered descriptor that was closed behind the backend's back and
 * reused only loses zero-copy, never correctness.
 *
 * <p>Memory: an operation that needs native memory besides its buffer (timespecs, iovecs, a msghdr, paths,
 * a statx buffer, a sockaddr) gets a block of {@link Scratch} memory (an arena of its own only
 * when it needs more than the largest block), held in {@link Submission#backendState} until the
 * last CQE of the submission is reaped, even when the operation was cancelled long before.
 *
 * <p>Sockets are stream sockets in blocking mode (no O_NONBLOCK: io_uring polls them itself) until
 * their first transfer makes them non-blocking for good (its splices would otherwise sleep in io-wq
 * workers, see {@link Transfers}), and close-on-exec, like every accepted descriptor. A listener's socket(2), setsockopt, bind, listen and
 * getsockname are quick and never block, so {@link #submit} makes them on the dispatcher thread,
 * keeps the outcome in the submission's state and queues an IORING_OP_NOP whose CQE settles it
 * inside {@link #runOnce}, as every other outcome is. A connect makes its socket the same way, then
 * IORING_OP_CONNECT; if it does not succeed, the socket is closed (close(2), synchronously) before
 * the failure is reported, so no descriptor outlives a failed, cancelled or timed-out connect.
 *
 * <p>An operation whose opcode the probe lacks falls back alone ({@link FallbackRoutes},
 * {@link FallbackOps}): readiness on the ring and a non-blocking call for sockets (a listener whose
 * accepts fall back is made non-blocking), a call on the fallback threads for files. Those
 * submissions carry a {@link FallbackOps.Job} as their state; the hooks here only route to it.
 */
public final class UringBackend implements Backend {
    private static final System.Logger LOG = System.getLogger("dev.proactor.uring");

    /** Bounds the CQ drain passes of one turn: a steady stream of completions must not starve submission. */
    private static final int MAX_DRAIN_PASSES = 4;
    /**
     * The longest a turn waits while the backend holds SQEs it could not place, or could not arm
     * the wake-up read: completions would free the room, but nothing else would wake it.
     */
    static final long HELD_WAIT_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1);

    private final Ring ring;
    private final SubmissionQueue sq;
    private final CompletionQueue cq;
    /**
     * Whether {@link CompletionQueue#pending()} sees every completion an enter would deliver: the
     * ring raises {@code IORING_SQ_TASKRUN} (TASKRUN_FLAG), or it defers no task work at all (no
     * COOP_TASKRUN nor DEFER_TASKRUN: the kernel posts CQEs while the thread runs in userspace).
     */
    private final boolean peekable;
    /** SQ slots and CQ entries, promised before anything is prepared. */
    private final RingRoom room;
    private final WakeUp wake;
    /** The socket system calls the dispatcher makes itself. */
    private final SocketCalls sockets = new SocketCalls();
    private boolean closed;
    private final CompletionQueue.CqeHandler onCqe = this::onCqe;

    /** File-to-socket splice rounds. */
    private final Transfers transfers;

    /**
     * Submissions holding a socket this backend made (a listen's or a connect's) that has not been
     * handed to the core yet. Closed at {@link #close()} if still held: a connect the kernel never
     * gave back before the proactor gave up on it must not leave its socket open.
     */
    private final Set<OpState.Socket> madeSockets = new HashSet<>();
    private Completions sink;
    private int pending;
    private long kernelCalls;
    /** Native bytes kept at close because the kernel may still write to them (the buffer ring). */
    private long nativeBytes;
    private final Scratch.Pool scratch = new Scratch.Pool();

    /** Which sends go zero-copy, the sockets that refused it, the notifications due. */
    private final ZeroCopy zeroCopy;
    /**
     * Refused zero-copy sends waiting to go again as plain sends because the SQ was full when their
     * last CQE came in; still counted in {@link #pending}. Resubmitted first thing in {@link #runOnce}.
     */
    private final ArrayDeque<Submission> plainAgain = new ArrayDeque<>();

    /** Multishot accept (IORING_ACCEPT_MULTISHOT, kernel 5.19) is used; else the kernel is older than that. */
    private final boolean multishotAccept;
    /** The provided buffer ring of multishot receives, or null (the capability report says why). */
    private final BufferRing bufferRing;
    /** What multishot accepts' and receives' CQEs deliver. */
    private final MultishotCqes multishot;
    /** Which kinds this ring performs, and how: the capability report's text. */
    private final OperationSupport support;
    /** The kernel's probe minus the opcodes masked for diagnosis ({@link FallbackRoutes#PROPERTY}). */
    private final Probe probe;
    /** Which kinds fall back because the probe lacks their opcode; fixed at start. */
    private final FallbackRoutes routes;
    /** Performs the kinds that fall back; idle (no thread, no memory) when none does. */
    private final FallbackOps fallbacks;

    /** Opens a ring sized by {@code config}; must run on the dispatcher thread. */
    public UringBackend(ProactorConfig config) {
        this(config, System.getProperty(FallbackRoutes.PROPERTY));
    }

    /**
     * As {@link #UringBackend(ProactorConfig)}, with {@code disableOpcodes} (null for none) in place
     * of the system property {@value FallbackRoutes#PROPERTY}: for tests that run one proactor with
     * fallbacks beside others without.
     *
     * @throws IllegalArgumentException when {@code disableOpcodes} names an opcode without a fallback
     */
    public UringBackend(ProactorConfig config, String disableOpcodes) {
        int accountedCq = completionQueueSize(config);
        int exactCq = exactCompletionQueue(System.getProperty(CQ_ENTRIES_PROPERTY), config.submissionQueueEntries());
        try {
            this.ring = Ring.open(new RingOptions(config.submissionQueueEntries(),
                    exactCq > 0 ? exactCq : accountedCq, true, true));
        } catch (RingSetupException e) {
            throw new UncheckedIOException(e);
        }
        if (exactCq > 0 && ring.cq().capacity() != exactCq) {
            int got = ring.cq().capacity();
            sockets.close();
            ring.close();
            throw new IllegalStateException(CQ_ENTRIES_PROPERTY + "=" + exactCq + ": the kernel made a completion queue of "
                    + got);
        }
        try {
            this.routes = new FallbackRoutes(ring.probe(), OperationSupport.OPCODES, disableOpcodes);
        } catch (IllegalArgumentException e) {
            sockets.close();
            ring.close();
            throw e;
        }
        this.probe = routes.probe();
        this.sq = ring.sq();
        this.cq = ring.cq();
        int setup = ring.setupFlags();
        this.peekable = (setup & IORING_SETUP_TASKRUN_FLAG) != 0
                || (setup & (IORING_SETUP_COOP_TASKRUN | IORING_SETUP_DEFER_TASKRUN)) == 0;
        // With the test switch the ring is smaller than what the accounting admits: the kernel's
        // overflow list takes the rest.
        this.room = new RingRoom(sq::space, exactCq > 0 ? Math.max(accountedCq, exactCq) : cq.capacity());
        this.fallbacks = new FallbackOps(sq, room, new FallbackHost(), routes, config.name());
        try {
            this.wake = WakeUp.open(!probe.supports(IORING_OP_READ));
        } catch (IllegalStateException e) {
            sockets.close();
            ring.close();
            throw e;
        }
        this.zeroCopy = new ZeroCopy(probe.supports(IORING_OP_SEND_ZC) ? config.zeroCopySendThreshold() : 0,
                ring.hasFeature(IORING_FEAT_REG_REG_RING), sockets);
        this.transfers = new Transfers(sq, room, this::release);
        limitIoWorkers(ring);
        // A kind that falls back (its opcode absent or masked) streams through its fallback's
        // single-shot requests.
        this.multishotAccept = probe.supports(IORING_OP_ACCEPT) && kernelAtLeast(5, 19);
        BufferRing br = null;
        String note;
        if (!probe.supports(IORING_OP_RECV)) {
            note = "the probe lacks " + UringNames.opcodeName(IORING_OP_RECV);
        } else if (!kernelAtLeast(6, 0)) {
            note = "kernel " + UringSupport.kernelRelease() + " has no multishot receive (6.0)";
        } else {
            try {
                br = BufferRing.register(ring, config.receiveBufferCount(), config.receiveBufferSize());
                note = null;
            } catch (IllegalStateException e) {
                note = e.getMessage();
                // DEBUG, not INFO: it would repeat on every open on this machine, and the capability
                // report's receive lines carry the same note.
                LOG.log(Level.DEBUG, "no provided buffer ring (" + note + "): receive streams use single-shot receives");
            }
        }
        this.bufferRing = br;
        this.multishot = new MultishotCqes(room, sockets, br);
        this.support = new OperationSupport(probe, routes, multishotAccept, br, note, zeroCopy.threshold());
    }

    /**
     * The most io-wq workers this ring's dispatcher may have for unbounded work (what is not a
     * regular file or block device: every splice of a transfer, as the out descriptor is a pipe
     * or a socket). The kernel's own limit is RLIMIT_NPROC, and it starts a worker for each
     * forced-async request queued while none is idle ({@code io_uring/io-wq.c},
     * {@code io_wq_enqueue}: {@code IO_WQ_WORK_CONCURRENT}), so a burst of transfers would start a
     * thread each, kept idle for seconds. No splice here waits for a peer (see {@link Transfers}),
     * so a few workers keep up with a ring, and a cap cannot make one connection wait for another's
     * peer; the only waits left are the file's own reads. A fixed number rather than the kernel's
     * bounded default ({@code 4 * num_online_cpus()}) keeps a process's threads independent of the
     * machine; sixteen reads in flight are queue depth enough for a disk.
     */
    static final int UNBOUNDED_IO_WORKERS = 16;

    /**
     * Applies {@link #UNBOUNDED_IO_WORKERS}; on a kernel without the registration (before 5.15)
     * the limit stays the kernel's, which costs threads under bursts but no correctness.
     */
    private static void limitIoWorkers(Ring ring) {
        int r = ring.limitIoWorkers(0, UNBOUNDED_IO_WORKERS);
        if (r < 0) {
            LOG.log(Level.DEBUG, "IORING_REGISTER_IOWQ_MAX_WORKERS failed (errno " + -r
                    + "): io-wq workers are limited by RLIMIT_NPROC only");
        }
    }

    /** Whether the running kernel's release is at least {@code major.minor}. */
    static boolean kernelAtLeast(int major, int minor) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(UringSupport.kernelRelease());
        if (!m.find()) {
            return false;
        }
        int ma = Integer.parseInt(m.group(1));
        int mi = Integer.parseInt(m.group(2));
        return ma > major || ma == major && mi >= minor;
    }

    /**
     * A switch for tests and diagnosis, read when a backend starts: the completion queue gets
     * exactly this many entries (a power of two, at least the submission queue's size), while the
     * room accounting and admission keep the size {@link #completionQueueSize} would give. More
     * completions may then be due than the ring holds; the kernel keeps the rest in its overflow
     * list (IORING_FEAT_NODROP, 5.5), and the overflow path of {@link #runOnce} (flush, count in
     * {@code MetricsSnapshot.completionQueueOverflows}) runs, which it otherwise never needs to.
     */
    static final String CQ_ENTRIES_PROPERTY = "dev.proactor.uring.completionQueueEntries";

    /**
     * The value of {@link #CQ_ENTRIES_PROPERTY}, or 0 when it is not set.
     *
     * @throws IllegalArgumentException when it is not a power of two in [{@code sqEntries}, 65536]
     */
    static int exactCompletionQueue(String value, int sqEntries) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(CQ_ENTRIES_PROPERTY + " is not a number: " + value, e);
        }
        // The kernel rounds the SQ up to a power of two and refuses a smaller CQ.
        int sq = Integer.highestOneBit(sqEntries) == sqEntries ? sqEntries : Integer.highestOneBit(sqEntries) << 1;
        if (Integer.bitCount(n) != 1 || n < sq || n > MAX_CQ_ENTRIES) {
            throw new IllegalArgumentException(CQ_ENTRIES_PROPERTY + " must be a power of two in [" + sq + ", "
                    + MAX_CQ_ENTRIES + "]: " + value);
        }
        return n;
    }

    /** The kernel's limit on completion-queue entries (IORING_MAX_CQ_ENTRIES, io_uring/io_uring.h). */
    private static final int MAX_CQ_ENTRIES = 65536;

    /**
     * Room for every admitted operation's completions: its own, a linked timeout's, and a cancel's.
     * A smaller queue would let operations that wait a long time (reads on idle connections) take
     * all the room, and nothing else could be submitted until one of them ended; sized from the
     * admission limit, the admission policy is where callers wait instead.
     */
    static int completionQueueSize(ProactorConfig config) {
        long needed = 3L * config.maxInFlight() + 64;
        int size = config.completionQueueEntries();
        while (size < needed && size < MAX_CQ_ENTRIES) {
            size <<= 1;
        }
        size = Math.min(size, MAX_CQ_ENTRIES);
        if (needed > size) {
            LOG.log(Level.WARNING, "maxInFlight " + config.maxInFlight() + " needs " + needed
                    + " completion-queue entries; one ring holds " + size + ": beyond that, submissions wait for"
                    + " completions (use a ProactorGroup to spread them over rings)");
        }
        return size;
    }

    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public Map<OperationKind, String> operationSupport() {
        return support.describe();
    }

    @Override
    public boolean supports(OperationKind kind) {
        return support.performs(kind);
    }

    @Override
    public List<String> setupFlags() {
        return UringNames.setupFlagNames(ring.setupFlags());
    }

    @Override
    public boolean supportsMultishot(OperationKind kind) {
        return switch (kind) {
            case ACCEPT -> multishotAccept;
            case RECV -> bufferRing != null;
            default -> false;
        };
    }

    @Override
    public void recycle(int bufferId) {
        bufferRing.recycle(bufferId);
    }

    @Override
    public int providedBuffersLent() {
        return bufferRing == null ? 0 : bufferRing.lent();
    }

    @Override
    public int providedBufferCount() {
        return bufferRing == null ? 0 : bufferRing.count();
    }

    @Override
    public void start(Completions completions) {
        this.sink = completions;
        transfers.start(completions);
        multishot.start(completions);
    }

    @Override
    public boolean registerBuffers(MemorySegment[] buffers) {
        int r = ring.registerBuffers(buffers);
        if (r < 0) {
            LOG.log(Level.WARNING, "registering " + buffers.length + " buffers failed (errno " + -r
                    + "); leased buffers use the unregistered path");
            return false;
        }
        return true;
    }

    // ------------------------------------------------------------------ submission

    @Override
    public boolean submit(Submission s) {
        Request r = s.request();
        if (routes.any() && fallbacks.handles(r)) {
            return fallbacks.submit(s);
        }
        boolean linked = s.deadlineNanos() != 0;
        PipePool.Pipe pipe = null;
        int pipeErrno = 0;
        if (r instanceof Request.Splice sp) {
            pipe = transfers.acquire(sp);
            if (pipe == null) {
                // Reported by a NOP, as a listen's setup failure is.
                pipeErrno = transfers.acquireErrno();
            }
        }
        int sqes = (r instanceof Request.Splice ? Transfers.sqes(pipe) : 1) + (linked ? 1 : 0);
        boolean zeroCopySend = r instanceof Request.Send sd && zeroCopy.wants(sd);
        // A zero-copy send may post a notification after its result.
        int cqes = zeroCopySend ? sqes + 1 : sqes;
        if (!room.fits(sqes, cqes)) {
            transfers.unused(pipe);
            return false;
        }
        if (r instanceof Request.Close c) {
            zeroCopy.closeSubmitted(c.fd());
        }
        long ud = UserData.encode(s.token(), UserData.OP);
        long bytes = scratchBytes(r) + (linked ? IoUringLayouts.KERNEL_TIMESPEC.byteSize() : 0);
        Scratch arena = bytes > 0 ? scratch.take(bytes) : null;
        OpState st = newState(r, arena, sqes, zeroCopySend, pipe, pipeErrno);
        long sqe;
        try {
            sqe = prepare(r, ud, arena, st);
        } catch (RuntimeException e) {
            transfers.unused(pipe);
            if (arena != null) {
                arena.close();
            }
            throw e;
        }
        if (linked) {
            sq.setFlags(sqe, IOSQE_IO_LINK);
            MemorySegment ts = KernelArgs.timespec(arena, s.deadlineNanos());
            sq.prepLinkTimeout(ts, IORING_TIMEOUT_ABS, UserData.encode(s.token(), UserData.LINK_TIMEOUT));
            if (st instanceof Transfers.Round round) {
                // A transfer that waits for room in the socket links the same deadline to each poll.
                round.deadline = ts;
            }
        }
        s.backendState = st;
        room.promise(cqes);
        pending++;
        return true;
    }

    /**
     * The state {@code r} keeps until its last CQE, by family; null for a request with no memory of
     * its own and one CQE, which is most reads, writes and sends.
     */
    private static OpState newState(Request r, Scratch arena, int sqes, boolean zeroCopySend,
            PipePool.Pipe pipe, int pipeErrno) {
        return switch (r) {
            case Request.Splice _ -> new Transfers.Round(arena, sqes, pipe, pipeErrno);
            case Request.Listen _, Request.Connect _, Request.Accept _ -> new OpState.Socket(arena, sqes);
            case Request.Stat _ -> new OpState.Stat(arena, sqes);
            case Request.SocketOpt _ -> new OpState.Option(arena, sqes);
            case Request.AcceptEach _, Request.ReceiveEach _ -> new OpState.Stream(arena, sqes);
            case Request.Send _ -> zeroCopySend ? new OpState.Send(arena, sqes) : plainState(arena, sqes);
            case Request.Nop _, Request.Timer _, Request.Open _, Request.OpenAt _, Request.Read _, Request.Write _, Request.ReadV _,
                    Request.WriteV _, Request.Fsync _, Request.Close _, Request.Recv _, Request.AwaitReadable _,
                    Request.SendV _, Request.RecvV _, Request.Shutdown _ -> plainState(arena, sqes);
        };
    }

    /** The base state, for a request whose only need is its scratch memory; null when it has none. */
    private static OpState plainState(Scratch arena, int sqes) {
        return arena != null ? new OpState(arena, sqes) : null;
    }

    private static long scratchBytes(Request r) {
        return switch (r) {
            case Request.Timer t -> IoUringLayouts.KERNEL_TIMESPEC.byteSize();
            case Request.Open o -> (long) o.path().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
            case Request.OpenAt o -> KernelArgs.openAtBytes(o);
            case Request.ReadV v -> IoUringLayouts.IOVEC.byteSize() * v.buffers().length;
            case Request.WriteV v -> IoUringLayouts.IOVEC.byteSize() * v.buffers().length;
            case Request.SendV v -> KernelArgs.msghdrBytes(v.buffers());
            case Request.RecvV v -> KernelArgs.msghdrBytes(v.buffers());
            case Request.Stat st -> IoUringLayouts.STATX.byteSize() + 8;
            case Request.Nop n -> 0;
            case Request.Read rd -> 0;
            case Request.Write w -> 0;
            case Request.Fsync f -> 0;
            case Request.Close c -> 0;
            case Request.Listen x -> 0;
            case Request.Accept x -> IoUringLayouts.SOCKADDR_STORAGE_SIZE + IoUringLayouts.SOCKLEN_T.byteSize();
            case Request.Connect x -> IoUringLayouts.SOCKADDR_STORAGE_SIZE;
            case Request.Recv x -> 0;
            case Request.AwaitReadable x -> 0;
            case Request.AcceptEach x -> 0;
            case Request.ReceiveEach x -> 0;
            case Request.Send x -> 0;
            case Request.Shutdown x -> 0;
            case Request.Splice x -> 0;
            case Request.SocketOpt x -> 0;
        };
    }


    /** Prepares the operation's own SQE; returns its offset. Space was checked by the caller. */
    private long prepare(Request r, long ud, Scratch arena, OpState st) {
        return switch (r) {
            case Request.Nop n -> sq.prepNop(ud);
            case Request.Timer t -> sq.prepTimeout(KernelArgs.timespec(arena, t.deadlineNanos()), 0, IORING_TIMEOUT_ABS, ud);
            case Request.Open o -> {
                String path = o.path().toString();
                if (path.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("path contains a NUL character");
                }
                yield sq.prepOpenat(AT_FDCWD, arena.allocateFrom(path), KernelArgs.openFlags(o.options()), o.mode(), ud);
            }
            case Request.OpenAt o -> sq.prepOpenat2(o.dirFd(), arena.allocateFrom(o.path().toString()),
                    KernelArgs.openHow(arena, o), ud);
            case Request.Read rd -> rd.bufferIndex() >= 0
                    ? sq.prepReadFixed(rd.fd(), rd.buffer(), KernelArgs.len(rd.buffer()), rd.position(), rd.bufferIndex(), ud)
                    : sq.prepRead(rd.fd(), rd.buffer(), KernelArgs.len(rd.buffer()), rd.position(), ud);
            case Request.Write w -> w.bufferIndex() >= 0
                    ? sq.prepWriteFixed(w.fd(), w.buffer(), KernelArgs.len(w.buffer()), w.position(), w.bufferIndex(), ud)
                    : sq.prepWrite(w.fd(), w.buffer(), KernelArgs.len(w.buffer()), w.position(), ud);
            case Request.ReadV v -> sq.prepReadv(v.fd(), KernelArgs.iovecs(arena, v.buffers()), v.buffers().length, v.position(), ud);
            case Request.WriteV v -> sq.prepWritev(v.fd(), KernelArgs.iovecs(arena, v.buffers()), v.buffers().length, v.position(), ud);
            case Request.Fsync f -> sq.prepFsync(f.fd(), f.dataOnly() ? IORING_FSYNC_DATASYNC : 0, ud);
            case Request.Stat stat -> {
                MemorySegment empty = arena.allocate(8, 8);
                MemorySegment buf = arena.allocate(IoUringLayouts.STATX);
                ((OpState.Stat) st).statx = buf;
                yield sq.prepStatx(stat.fd(), empty, AT_EMPTY_PATH, STATX_BASIC_STATS, buf, ud);
            }
            case Request.Close c -> sq.prepClose(c.fd(), ud);
            case Request.Listen l -> {
                listenNow(l, (OpState.Socket) st);
                yield sq.prepNop(ud);
            }
            case Request.Connect c -> {
                OpState.Socket so = (OpState.Socket) st;
                // Encoding throws for a bad address before any descriptor exists.
                MemorySegment sa = arena.allocate(IoUringLayouts.SOCKADDR_STORAGE);
                int len = SocketAddresses.encode(c.address(), sa);
                int fd = sockets.open(SocketAddresses.family(c.address()), c.options(), false);
                if (fd < 0) {
                    so.setupErrno = -fd;
                    yield sq.prepNop(ud);
                }
                so.socketFd = fd;
                madeSockets.add(so);
                yield sq.prepConnect(fd, sa, len, ud);
            }
            case Request.Accept a -> {
                OpState.Socket so = (OpState.Socket) st;
                so.peer = arena.allocate(IoUringLayouts.SOCKADDR_STORAGE);
                so.peerLen = arena.allocate(IoUringLayouts.SOCKLEN_T);
                so.peerLen.set(IoUringLayouts.SOCKLEN_T, 0, (int) IoUringLayouts.SOCKADDR_STORAGE_SIZE);
                yield sq.prepAccept(a.fd(), so.peer, so.peerLen, SOCK_CLOEXEC, ud);
            }
            case Request.Recv rv -> sq.prepRecv(rv.fd(), rv.buffer(), KernelArgs.len(rv.buffer()), 0, ud);
            case Request.AwaitReadable w -> sq.prepPollAdd(w.fd(), POLLIN, ud);
            case Request.AcceptEach a -> sq.prepMultishotAccept(a.fd(), SOCK_CLOEXEC, ud);
            case Request.ReceiveEach rv -> {
                if (bufferRing == null) {
                    throw new IllegalArgumentException("no provided buffer ring");
                }
                yield sq.prepRecvMultishot(rv.fd(), BufferRing.GROUP, 0, ud);
            }
            case Request.Send sd -> st instanceof OpState.Send
                    ? zeroCopy.prepare(sq, sd, ud)
                    : sq.prepSend(sd.fd(), sd.buffer(), KernelArgs.len(sd.buffer()), MSG_NOSIGNAL, ud);
            case Request.SendV v -> sq.prepSendmsg(v.fd(), KernelArgs.msghdr(arena, v.buffers()), MSG_NOSIGNAL, ud);
            case Request.RecvV v -> sq.prepRecvmsg(v.fd(), KernelArgs.msghdr(arena, v.buffers()), 0, ud);
            case Request.Shutdown sh -> sq.prepShutdown(sh.fd(), KernelArgs.shutdownHow(sh), ud);
            case Request.Splice sp -> transfers.prepare(sp, ud, (Transfers.Round) st);
            case Request.SocketOpt o -> {
                // setsockopt never blocks (SocketCalls.option says why it is not a ring request);
                // the NOP carries its outcome, as a listen's.
                OpState.Option opt = (OpState.Option) st;
                int v = sockets.option(o.fd(), o.name(), o.value());
                if (v < 0) {
                    opt.setupErrno = -v;
                } else {
                    opt.value = v;
                }
                yield sq.prepNop(ud);
            }
        };
    }

    // ------------------------------------------------------------------ socket setup on the dispatcher

    /**
     * Makes a listener: socket, options, bind, listen, getsockname; none of them blocks. The outcome
     * goes into {@code st} (the descriptor and address, or the errno with the half-made socket
     * already closed), for the NOP's CQE to report.
     */
    private void listenNow(Request.Listen l, OpState.Socket st) {
        int fd = sockets.open(SocketAddresses.family(l.address()), l.options(), true);
        if (fd < 0) {
            st.setupErrno = -fd;
            return;
        }
        int r = sockets.listen(fd, l.address(), l.options().backlog(), routes.fallsBack(OperationKind.ACCEPT));
        if (r < 0) {
            LibC.close(fd);
            st.setupErrno = -r;
            return;
        }
        st.socketFd = fd;
        madeSockets.add(st);
        st.endpoints = new Request.Endpoints(sockets.address(fd, false, l.address()), null);
    }

    @Override
    public boolean cancel(Submission s) {
        if (s.backendState instanceof FallbackOps.Job job) {
            return fallbacks.cancel(s, job);
        }
        boolean transfer = s.backendState instanceof Transfers.Round round && round.pipe != null;
        int sqes = transfer ? 2 : 1;
        // A transfer's second cancel (its pipe-to-socket splice) must fit too, or wait a turn.
        if (!room.fits(sqes, sqes)) {
            return false;
        }
        sq.prepCancel(UserData.encode(s.token(), UserData.OP), 0, UserData.encode(s.token(), UserData.CANCEL));
        room.promise(1);
        if (transfer) {
            // Cancelling the head of the chain stops a pipe-to-socket splice not yet issued; one
            // already issued (blocked on a full socket) needs its own cancel.
            transfers.cancelOut(s);
        }
        return true;
    }

    // ------------------------------------------------------------------ the kernel call

    /**
     * {@inheritDoc}
     *
     * <p>The dispatcher is woken only through the eventfd read this backend keeps armed, so it never
     * sleeps without it: when this turn's SQEs leave no room for the read, they go to the kernel
     * first (an enter that does not wait), and the read is armed in the room that frees. Work the
     * backend still holds afterwards (a deferred drain or cancel, a send to repeat, a wake-up read it
     * could not arm) bounds the wait to {@link #HELD_WAIT_NANOS}.
     */
    @Override
    public int runOnce(long waitNanos) {
        prepareHeld();
        boolean armed = wake.arm(sq, room);
        if (!armed || sq.space() == 0 && holdsDeferred()) {
            submitNow();
            prepareHeld();
            armed = wake.arm(sq, room);
        }
        if (routes.any() && fallbacks.hasCompletions()) {
            waitNanos = 0;
        }
        if (!armed || holdsDeferred()) {
            waitNanos = waitNanos < 0 ? HELD_WAIT_NANOS : Math.min(waitNanos, HELD_WAIT_NANOS);
        }
        int toSubmit = sq.flushTail();
        boolean mustEnter = toSubmit > 0 || waitNanos != 0 || cq.ready() == 0;
        if (mustEnter) {
            kernelCalls++;
            // GETEVENTS even when not waiting: with DEFER_TASKRUN completions are only posted
            // while the issuer is inside io_uring_enter.
            int r = waitNanos == 0 ? ring.enter(toSubmit, 0, IORING_ENTER_GETEVENTS) : ring.submitAndWait(1, waitNanos);
            checkEnter(r);
        }
        int reaped = 0;
        for (int pass = 0; pass < MAX_DRAIN_PASSES; pass++) {
            int n = cq.drain(onCqe, room.capacity());
            reaped += n;
            if (cq.overflowPending()) {
                // NODROP parked completions in the kernel; entering with GETEVENTS moves them in.
                sink.overflowed(1);
                kernelCalls++;
                ring.enter(0, 0, IORING_ENTER_GETEVENTS);
                continue;
            }
            if (n == 0) {
                break;
            }
        }
        if (routes.any()) {
            reaped += fallbacks.drainCompletions();
        }
        return reaped;
    }

    /** The work this backend holds from earlier turns, prepared into the SQ where it finds room. */
    private void prepareHeld() {
        if (transfers.holds()) {
            transfers.prepareHeld();
        }
        resubmitPlain();
        if (routes.any()) {
            fallbacks.beforeEnter();
        }
    }

    /** Whether SQEs this backend owes the kernel still wait for room. */
    private boolean holdsDeferred() {
        return transfers.holds() || !plainAgain.isEmpty();
    }

    /** Hands the prepared SQEs to the kernel without waiting, so that they free their room. */
    private void submitNow() {
        int toSubmit = sq.flushTail();
        if (toSubmit > 0) {
            kernelCalls++;
            checkEnter(ring.enter(toSubmit, 0, IORING_ENTER_GETEVENTS));
        }
    }

    /** Fails the dispatcher on an io_uring_enter error other than the transient ones. */
    private static void checkEnter(int r) {
        if (r < 0 && r != -ETIME && r != -EINTR && r != -EBUSY && r != -EAGAIN) {
            throw new IllegalStateException("io_uring_enter failed: errno " + -r);
        }
    }

    private void onCqe(long userData, int res, int flags) {
        room.release();
        if (userData == UserData.WAKE) {
            wake.completed(res);
            return;
        }
        int tag = UserData.tag(userData);
        if (tag == UserData.CANCEL) {
            // 0, -ENOENT or -EALREADY: advisory; the target's own CQE carries the outcome.
            return;
        }
        Submission s = sink.lookup(UserData.token(userData));
        if (tag == UserData.CANCEL_OUT) {
            transfers.onCancelOut(s, res);
            return;
        }
        if (s == null) {
            sink.stray(userData, res);
            return;
        }
        if (s.backendState instanceof FallbackOps.Job job) {
            fallbacks.onCqe(job, tag, res);
            return;
        }
        OpState st = (OpState) s.backendState;
        if (st instanceof Transfers.Round round && round.pipe != null) {
            transfers.onCqe(s, round, tag, res);
            return;
        }
        if (st instanceof OpState.Stream && tag == UserData.OP) {
            if (multishot.onCqe(s, res, flags)) {
                release(s, st);
            }
            return;
        }
        if (tag == UserData.LINK_TIMEOUT) {
            if (st != null) {
                st.linkResult = res;
                if (--st.cqesLeft == 0) {
                    roundDone(s, st);
                }
            }
            return;
        }
        if (st == null) {
            settle(s, res, null, 0);
            release(s, null);
            return;
        }
        if ((flags & IORING_CQE_F_NOTIF) != 0) {
            // A zero-copy send's notification: the kernel has let go of the buffer.
            OpState.Send send = (OpState.Send) st;
            if (zeroCopy.notified(send, ((Request.Send) s.request()).fd(), res) && send.cqesLeft == 0) {
                releaseOrSendAgain(s, send);
            }
            return;
        }
        st.opResult = res;
        if (st instanceof OpState.Send send && send.zeroCopy
                && !zeroCopy.resultSeen(send, ((Request.Send) s.request()).fd(), flags)) {
            // No notification follows: give back the room reserved for it.
            room.release();
        }
        if (--st.cqesLeft == 0) {
            roundDone(s, st);
        }
    }

    /**
     * The op's and its link timeout's CQEs are in: settle, then release unless a zero-copy
     * notification is still due. A zero-copy send its socket refused is not settled: it goes again
     * as a plain send once its notification, if any, is in.
     */
    private void roundDone(Submission s, OpState st) {
        if (!(st instanceof OpState.Send send)) {
            settle(s, st.opResult, st, st.linkResult);
            release(s, st);
            return;
        }
        if (send.opResult == -EOPNOTSUPP) {
            zeroCopy.refusedBy(((Request.Send) s.request()).fd());
            if (s.cancelRequested()) {
                sink.cancelled(s);
                send.zeroCopy = false;
            }
        } else {
            settle(s, send.opResult, send, send.linkResult);
            send.zeroCopy = false;
        }
        if (send.notifications == 0) {
            releaseOrSendAgain(s, send);
        }
    }

    /** Every CQE of the round is in: release it, or send a refused zero-copy send again as a plain send. */
    private void releaseOrSendAgain(Submission s, OpState.Send st) {
        if (!st.zeroCopy) {
            release(s, st);
            return;
        }
        // Still zeroCopy here only if refused and not cancelled: same submission, same token, plain SEND.
        freeState(s, st);
        pending--;
        if (!submit(s)) {
            plainAgain.add(s);
            pending++;
        }
    }

    /**
     * Ends operations that cannot be cancelled: a zero-copy send that awaits its notification holds
     * its buffer until the peer acknowledged the data, so its connection is aborted.
     */
    @Override
    public void descriptorClosing(int fd) {
        zeroCopy.closing(fd);
    }

    @Override
    public void resetConnection(int fd) {
        int r = sockets.disconnect(fd);
        LOG.log(Level.DEBUG, () -> "fd " + fd + ": connection reset before close (" + (r == 0 ? "ok" : "errno " + -r) + ")");
    }

    /** Resubmits refused zero-copy sends that found the SQ full, in order; a cancelled one ends here. */
    private void resubmitPlain() {
        Submission s;
        while ((s = plainAgain.peek()) != null) {
            if (s.cancelRequested()) {
                plainAgain.poll();
                sink.cancelled(s);
                release(s, null);
                continue;
            }
            pending--;
            if (!submit(s)) {
                pending++;
                return;
            }
            plainAgain.poll();
        }
    }

    /** Decides the outcome once every CQE of the submission is in. */
    private void settle(Submission s, int res, OpState st, int linkResult) {
        Request r = s.request();
        OpState.Socket so = st instanceof OpState.Socket made ? made : null;
        if (so != null && so.socketFd >= 0) {
            madeSockets.remove(so);
        }
        if (res >= 0 && st != null && st.setupErrno != 0) {
            // A listen's or connect's setup syscall failed; its NOP only carried the news.
            res = -st.setupErrno;
        }
        if (res < 0 && so != null && so.socketFd >= 0) {
            // The socket this backend made for a request that did not succeed: nobody else will close it.
            LibC.close(so.socketFd);
            so.socketFd = -1;
        }
        if (r instanceof Request.Timer && res == -ETIME) {
            sink.complete(s, 0, null);
        } else if (res >= 0) {
            switch (r) {
                case Request.Stat x -> sink.complete(s, res, KernelArgs.decodeStat(((OpState.Stat) st).statx));
                case Request.SocketOpt x -> sink.complete(s, ((OpState.Option) st).value, null);
                case Request.Listen x -> {
                    int fd = so.socketFd;
                    so.socketFd = -1;
                    sink.complete(s, fd, so.endpoints);
                }
                case Request.Connect c -> {
                    int fd = so.socketFd;
                    so.socketFd = -1;
                    sink.complete(s, fd, new Request.Endpoints(sockets.address(fd, false, null),
                            sockets.address(fd, true, c.address())));
                }
                case Request.Accept x -> sink.complete(s, res, new Request.Endpoints(sockets.address(res, false, null),
                        SocketAddresses.decode(so.peer, so.peerLen.get(IoUringLayouts.SOCKLEN_T, 0))));
                case Request.Nop _, Request.Timer _, Request.Open _, Request.OpenAt _, Request.Read _, Request.Write _,
                        Request.ReadV _, Request.WriteV _, Request.Fsync _, Request.Recv _, Request.AwaitReadable _,
                        Request.AcceptEach _, Request.ReceiveEach _, Request.Send _, Request.SendV _, Request.RecvV _,
                        Request.Splice _, Request.Shutdown _, Request.Close _ -> sink.complete(s, res, null);
            }
        } else if (res == -ECANCELED || res == -EINTR && st != null && linkResult == -ETIME) {
            if (linkResult == -ETIME) {
                sink.timedOut(s);
            } else if (s.cancelRequested()) {
                sink.cancelled(s);
            } else {
                sink.fail(s, -res);
            }
        } else {
            sink.fail(s, -res);
        }
    }

    private void release(Submission s, OpState st) {
        freeState(s, st);
        pending--;
        sink.released(s);
    }

    private void freeState(Submission s, OpState st) {
        s.backendState = null;
        if (st != null && st.arena != null) {
            st.arena.close();
        }
    }

    /** The kernel-argument memory pool, for tests and diagnostics. */
    Scratch.Pool scratch() {
        return scratch;
    }

    /** Zero-copy sends' counters, for tests and diagnostics. */
    ZeroCopy zeroCopy() {
        return zeroCopy;
    }

    @Override
    public void wakeup() {
        wake.wake();
    }

    /**
     * {@inheritDoc}
     *
     * <p>No system call: the CQ tail and the SQ flags word ({@link CompletionQueue#pending()}),
     * plus the fallback pool's finished jobs. A wake-up's eventfd write completes the armed read,
     * which shows here like any other completion.
     */
    @Override
    public boolean completionsPending() {
        return cq.pending() || (routes.any() && fallbacks.hasCompletions());
    }

    /**
     * {@inheritDoc}
     *
     * <p>False on a ring whose deferred completions the SQ flags do not show: a kernel that refused
     * TASKRUN_FLAG but kept COOP_TASKRUN or DEFER_TASKRUN. No kernel should: 5.19 brought
     * COOP_TASKRUN and TASKRUN_FLAG together, and an older one has neither and runs the task work
     * that posts CQEs by interrupting the thread, so CQEs appear while it spins.
     */
    @Override
    public boolean seesCompletions() {
        return peekable;
    }

    /**
     * Cancels the armed eventfd read and reaps its completion, so that the kernel no longer holds
     * the wake buffer when the arena that owns it is closed. Bounded: a read that does not come
     * back within 100 ms keeps its buffer (the arena stays open) rather than risk a late write.
     */
    private void retireWakeRead() {
        if (!wake.armed() || sq.space() == 0) {
            return;
        }
        sq.prepCancel(UserData.WAKE, 0, UserData.encode(0, UserData.CANCEL));
        room.promise(1);
        long end = System.nanoTime() + 100_000_000L;
        while (wake.armed() && System.nanoTime() - end < 0) {
            ring.submitAndWait(1, 10_000_000L);
            cq.drain(onCqe, room.capacity());
        }
    }

    @Override
    public long droppedCompletions() {
        return cq.kernelDropped();
    }

    @Override
    public int pending() {
        return pending;
    }

    @Override
    public long kernelCalls() {
        return kernelCalls;
    }

    @Override
    public long nativeBytes() {
        return nativeBytes + scratch.bytes() + fallbacks.nativeBytes();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        wake.stop();
        if (pending > 0) {
            LOG.log(Level.WARNING, pending + " submissions still held by the kernel at close; their memory ("
                    + nativeBytes + " bytes) is kept");
        }
        retireWakeRead();
        if (bufferRing != null) {
            if (pending == 0) {
                bufferRing.close(ring);
            } else {
                // A receive the kernel still holds may write into the buffers: keep them.
                nativeBytes += bufferRing.bytes();
            }
        }
        fallbacks.close();
        transfers.close();
        ring.close();
        for (OpState.Socket st : madeSockets) {
            // Abandoned: the kernel still held the request at close. Its own file reference keeps
            // what it needs; our descriptor is ours to close, and nobody else will.
            if (st.socketFd >= 0) {
                LibC.close(st.socketFd);
                st.socketFd = -1;
            }
        }
        madeSockets.clear();
        wake.close();
        sockets.close();
        scratch.close();
    }

    // ------------------------------------------------------------------ for the fallbacks

    /** Kinds that fall back: which, and how. For tests and diagnostics. */
    FallbackRoutes routes() {
        return routes;
    }

    /** The fallback machinery, for tests and diagnostics. */
    FallbackOps fallbacks() {
        return fallbacks;
    }

    /** The backend's queues, counters and socket helpers as {@link FallbackOps} uses them. */
    private final class FallbackHost implements FallbackOps.Host {
        @Override
        public void accepted() {
            pending++;
        }

        @Override
        public void released(Submission s) {
            pending--;
            sink.released(s);
        }

        @Override
        public Completions sink() {
            return sink;
        }

        @Override
        public int openSocket(int family, dev.proactor.SocketOptions options) {
            return sockets.open(family, options, false);
        }

        @Override
        public java.net.SocketAddress address(int fd, boolean peer, java.net.SocketAddress fallback) {
            return sockets.address(fd, peer, fallback);
        }

        @Override
        public void wakeup() {
            UringBackend.this.wakeup();
        }
    }
}
