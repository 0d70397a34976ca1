package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.EINVAL;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_ENTER_EXT_ARG;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_ENTER_GETEVENTS;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_FEAT_SINGLE_MMAP;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_SETUP_CLAMP;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_SETUP_COOP_TASKRUN;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_SETUP_CQSIZE;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_SETUP_DEFER_TASKRUN;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_SETUP_NO_SQARRAY;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_SETUP_SINGLE_ISSUER;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_SETUP_SUBMIT_ALL;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_SETUP_TASKRUN_FLAG;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.GETEVENTS_ARG_SIGMASK_SZ;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.GETEVENTS_ARG_TS;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_CQ_ENTRIES;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_CQ_OFF_CQES;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_CQ_OFF_HEAD;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_CQ_OFF_OVERFLOW;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_CQ_OFF_RING_MASK;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_CQ_OFF_TAIL;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_FEATURES;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_FLAGS;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_SQ_ENTRIES;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_SQ_OFF_ARRAY;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_SQ_OFF_DROPPED;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_SQ_OFF_FLAGS;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_SQ_OFF_HEAD;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_SQ_OFF_RING_MASK;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.PARAMS_SQ_OFF_TAIL;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.TIMESPEC_TV_NSEC;
import static dev.proactor.internal.uring.ffi.IoUringLayouts.TIMESPEC_TV_SEC;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.proactor.internal.uring.ffi.IoUringConstants;
import dev.proactor.internal.uring.ffi.IoUringLayouts;
import dev.proactor.internal.uring.ffi.LibC;
import dev.proactor.internal.uring.ffi.Pointers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

/**
 * Not thread-safe: all methods must be called on the thread that owns the ring (the
 * dispatcher). One io_uring instance: its fd, its mapped submission and completion queues and
 * the kernel's answer about features and opcodes.
 *
 * <p>{@link #open} must itself run on that thread when {@link RingOptions#singleIssuer()} is
 * set: the kernel binds the ring to the thread that creates it and refuses submissions from any
 * other with {@code -EEXIST}. {@link #close()} may run on another thread once the owner has
 * stopped calling into the ring; afterwards every method, including those of the
 * {@link #sq()} and {@link #cq()} objects taken earlier, throws {@link IllegalStateException}
 * (the mappings belong to a shared arena that {@code close} closes before unmapping).
 *
 * <p>The ring fd is close-on-exec: the kernel always creates io_uring fds with
 * {@code O_CLOEXEC} ({@code io_uring_install_fd} passes {@code O_RDWR | O_CLOEXEC}), which
 * {@code RingTest} checks in {@code /proc/self/fdinfo}.
 *
 * <p>SQ indirection: this class asks for {@code IORING_SETUP_NO_SQARRAY} (kernel 6.6+), so the
 * kernel takes SQE {@code i} for ring slot {@code i}; on older kernels, where that flag is
 * refused, it fills the SQ index array with the identity {@code array[i] = i} once at open, and
 * the two cases behave the same.
 */
public final class Ring implements AutoCloseable {

    /**
     * Flags {@link #open} may drop on EINVAL, newest kernel first, so that an older kernel loses
     * only what it does not know: NO_SQARRAY 6.6, DEFER_TASKRUN 6.1, SINGLE_ISSUER 6.0,
     * TASKRUN_FLAG 5.19 (before COOP_TASKRUN, which it needs when DEFER_TASKRUN is gone),
     * COOP_TASKRUN 5.19, SUBMIT_ALL 5.18, CLAMP 5.6, CQSIZE 5.5.
     */
    private static final int[] DROP_ORDER = {
        IORING_SETUP_NO_SQARRAY, IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_SINGLE_ISSUER,
        IORING_SETUP_TASKRUN_FLAG, IORING_SETUP_COOP_TASKRUN, IORING_SETUP_SUBMIT_ALL, IORING_SETUP_CLAMP, IORING_SETUP_CQSIZE,
    };

    /** Room for every opcode a probe can describe: ops_len is a u8. */
    private static final int PROBE_CAPACITY = 256;

    private final int fd;
    private final int setupFlags;
    private final int features;
    private final Arena arena;
    private final MemorySegment callState;
    private final MemorySegment waitArg;
    private final MemorySegment waitTimespec;
    private final SubmissionQueue sq;
    private final CompletionQueue cq;
    private final Probe probe;
    private boolean closed;

    private Ring(int fd, int setupFlags, int features, Arena arena, MemorySegment callState,
                 SubmissionQueue sq, CompletionQueue cq) {
        this.fd = fd;
        this.setupFlags = setupFlags;
        this.features = features;
        this.arena = arena;
        this.callState = callState;
        this.sq = sq;
        this.cq = cq;
        this.waitTimespec = arena.allocate(IoUringLayouts.KERNEL_TIMESPEC);
        this.waitArg = arena.allocate(IoUringLayouts.IO_URING_GETEVENTS_ARG);
        // Fixed for the ring's life: no signal mask, and ts always points at waitTimespec.
        waitArg.set(JAVA_INT, GETEVENTS_ARG_SIGMASK_SZ, IoUringConstants.KERNEL_SIGSET_SIZE);
        Pointers.putPointer(waitArg, GETEVENTS_ARG_TS, waitTimespec);
        this.probe = readProbe();
    }

    /**
     * Creates a ring with the best setup flags this kernel accepts for {@code options}: first
     * {@code NO_SQARRAY | SUBMIT_ALL | CQSIZE | CLAMP | COOP_TASKRUN | TASKRUN_FLAG}, plus
     * {@code SINGLE_ISSUER} and {@code DEFER_TASKRUN} as asked; on EINVAL it drops the newest
     * flag (see {@link #setupFlags()} for what was kept) and retries, down to no flags at all.
     * On return the ring is mapped, its probe read, and it is owned by the calling thread.
     *
     * @throws RingSetupException with the errno and a cause a user can act on, when no
     *         combination is accepted or the queues cannot be mapped
     */
    public static Ring open(RingOptions options) throws RingSetupException {
        Arena arena = Arena.ofShared();
        try {
            return open(options, arena);
        } catch (RingSetupException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static Ring open(RingOptions options, Arena arena) throws RingSetupException {
        MemorySegment callState = arena.allocate(LibC.callStateSize(), LibC.callStateAlignment());
        MemorySegment params = arena.allocate(IoUringLayouts.IO_URING_PARAMS);
        int flags = wantedFlags(options);
        int fd;
        while (true) {
            params.fill((byte) 0);
            params.set(JAVA_INT, PARAMS_FLAGS, flags);
            if ((flags & IORING_SETUP_CQSIZE) != 0) {
                params.set(JAVA_INT, PARAMS_CQ_ENTRIES, options.cqEntries());
            }
            fd = LibC.ioUringSetup(callState, options.sqEntries(), params);
            if (fd >= 0) {
                break;
            }
            if (fd != -EINVAL || flags == 0) {
                throw new RingSetupException(-fd, SetupDiagnosis.explain(-fd,
                        "flags " + UringNames.setupFlagNames(flags)));
            }
            flags = dropNewest(flags);
        }
        try {
            return map(fd, flags, params, arena, callState);
        } catch (RingSetupException | RuntimeException | Error e) {
            LibC.close(fd);
            throw e;
        }
    }

    private static int wantedFlags(RingOptions options) {
        // TASKRUN_FLAG: the kernel raises IORING_SQ_TASKRUN in the SQ flags word while completions
        // wait as task work for the next enter, so the dispatcher can tell without a system call
        // (CompletionQueue.pending) whether spinning should end.
        int flags = IORING_SETUP_NO_SQARRAY | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CLAMP
                | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
        if (options.cqEntries() > 0) {
            flags |= IORING_SETUP_CQSIZE;
        }
        if (options.singleIssuer()) {
            flags |= IORING_SETUP_SINGLE_ISSUER;
        }
        if (options.deferTaskrun()) {
            flags |= IORING_SETUP_DEFER_TASKRUN;
        }
        return flags;
    }

    private static int dropNewest(int flags) {
        for (int flag : DROP_ORDER) {
            if ((flags & flag) != 0) {
                return flags & ~flag;
            }
        }
        return 0;
    }

    private static Ring map(int fd, int flags, MemorySegment params, Arena arena, MemorySegment callState)
            throws RingSetupException {
        int sqEntries = params.get(JAVA_INT, PARAMS_SQ_ENTRIES);
        int cqEntries = params.get(JAVA_INT, PARAMS_CQ_ENTRIES);
        int features = params.get(JAVA_INT, PARAMS_FEATURES);
        boolean noSqArray = (flags & IORING_SETUP_NO_SQARRAY) != 0;
        long sqArray = Integer.toUnsignedLong(params.get(JAVA_INT, PARAMS_SQ_OFF_ARRAY));
        long cqes = Integer.toUnsignedLong(params.get(JAVA_INT, PARAMS_CQ_OFF_CQES));
        // Ring sizes as liburing computes them (io_uring_mmap): the SQ ring ends with the index
        // array, the CQ ring with the CQE array.
        long sqRingSize = noSqArray ? 0 : sqArray + (long) sqEntries * Integer.BYTES;
        long cqRingSize = cqes + (long) cqEntries * IoUringLayouts.CQE_SIZE;
        MemorySegment sqRing;
        MemorySegment cqRing;
        if ((features & IORING_FEAT_SINGLE_MMAP) != 0) {
            sqRing = mapRegion(fd, Math.max(sqRingSize, cqRingSize), IoUringConstants.IORING_OFF_SQ_RING, arena);
            cqRing = sqRing;
        } else {
            sqRing = mapRegion(fd, sqRingSize, IoUringConstants.IORING_OFF_SQ_RING, arena);
            cqRing = mapRegion(fd, cqRingSize, IoUringConstants.IORING_OFF_CQ_RING, arena);
        }
        MemorySegment sqes = mapRegion(fd, sqEntries * IoUringLayouts.SQE_SIZE, IoUringConstants.IORING_OFF_SQES,
                arena);
        if (!noSqArray) {
            for (int i = 0; i < sqEntries; i++) {
                sqRing.set(JAVA_INT, sqArray + (long) i * Integer.BYTES, i);
            }
        }
        SubmissionQueue sq = new SubmissionQueue(sqRing, sqes,
                ringOffset(params, PARAMS_SQ_OFF_HEAD), ringOffset(params, PARAMS_SQ_OFF_TAIL),
                ringOffset(params, PARAMS_SQ_OFF_FLAGS), ringOffset(params, PARAMS_SQ_OFF_DROPPED),
                sqRing.get(JAVA_INT, ringOffset(params, PARAMS_SQ_OFF_RING_MASK)), sqEntries);
        CompletionQueue cq = new CompletionQueue(cqRing,
                ringOffset(params, PARAMS_CQ_OFF_HEAD), ringOffset(params, PARAMS_CQ_OFF_TAIL),
                ringOffset(params, PARAMS_CQ_OFF_OVERFLOW), cqes,
                cqRing.get(JAVA_INT, ringOffset(params, PARAMS_CQ_OFF_RING_MASK)), cqEntries,
                sqRing, ringOffset(params, PARAMS_SQ_OFF_FLAGS));
        return new Ring(fd, flags, features, arena, callState, sq, cq);
    }

    private static long ringOffset(MemorySegment params, long field) {
        return Integer.toUnsignedLong(params.get(JAVA_INT, field));
    }

    /** Maps a ring region whose munmap runs when the arena closes. */
    private static MemorySegment mapRegion(int fd, long size, long offset, Arena arena) throws RingSetupException {
        MemorySegment region = LibC.mmap(size, IoUringConstants.PROT_READ | IoUringConstants.PROT_WRITE,
                IoUringConstants.MAP_SHARED | IoUringConstants.MAP_POPULATE, fd, offset, arena);
        if (Pointers.isNull(region)) {
            int errno = LibC.lastErrno();
            throw new RingSetupException(errno, "mmap of io_uring region at offset 0x" + Long.toHexString(offset)
                    + " (" + size + " bytes) failed with errno " + errno);
        }
        return region;
    }

    private Probe readProbe() {
        BitSet supported = new BitSet();
        try (Arena scratch = Arena.ofConfined()) {
            long size = IoUringLayouts.PROBE_OPS + PROBE_CAPACITY * IoUringLayouts.PROBE_OP_SIZE;
            MemorySegment p = scratch.allocate(size, Long.BYTES);
            int r = LibC.ioUringRegister(callState, fd, IoUringConstants.IORING_REGISTER_PROBE, p, PROBE_CAPACITY);
            if (r < 0) {
                // Kernels before 5.6 have no probe: report nothing supported, so every caller
                // falls back rather than guessing.
                return new Probe(-1, supported);
            }
            int opsLen = Byte.toUnsignedInt(p.get(JAVA_BYTE, IoUringLayouts.PROBE_OPS_LEN));
            for (int i = 0; i < opsLen; i++) {
                long op = IoUringLayouts.PROBE_OPS + i * IoUringLayouts.PROBE_OP_SIZE;
                short opFlags = p.get(JAVA_SHORT, op + IoUringLayouts.PROBE_OP_FLAGS);
                if ((opFlags & IoUringConstants.IO_URING_OP_SUPPORTED) != 0) {
                    supported.set(Byte.toUnsignedInt(p.get(JAVA_BYTE, op + IoUringLayouts.PROBE_OP_OP)));
                }
            }
            return new Probe(Byte.toUnsignedInt(p.get(JAVA_BYTE, IoUringLayouts.PROBE_LAST_OP)), supported);
        }
    }

    /** The ring's file descriptor (close-on-exec). */
    public int fd() {
        ensureOpen();
        return fd;
    }

    /** The IORING_SETUP_* flags the kernel accepted; names via {@link UringNames#setupFlagNames}. */
    public int setupFlags() {
        ensureOpen();
        return setupFlags;
    }

    /** The IORING_FEAT_* mask the kernel reported; names via {@link UringNames#featureNames}. */
    public int features() {
        ensureOpen();
        return features;
    }

    /** True when the kernel reported every bit of {@code feature} (IORING_FEAT_*). */
    public boolean hasFeature(int feature) {
        return (features() & feature) == feature;
    }

    /** The submission queue. */
    public SubmissionQueue sq() {
        ensureOpen();
        return sq;
    }

    /** The completion queue. */
    public CompletionQueue cq() {
        ensureOpen();
        return cq;
    }

    /** The opcodes this kernel supports, probed once at open. */
    public Probe probe() {
        ensureOpen();
        return probe;
    }

    /**
     * {@code io_uring_enter(fd, toSubmit, minComplete, flags)} without an argument. Blocks while
     * {@code flags} has IORING_ENTER_GETEVENTS and fewer than {@code minComplete} CQEs are ready.
     *
     * @return SQEs consumed, or -errno; -EINTR (a signal) and -EAGAIN/-EBUSY (kernel out of
     *         resources or CQ overflow backlog: reap, then retry) leave unconsumed SQEs queued
     */
    public int enter(int toSubmit, int minComplete, int flags) {
        ensureOpen();
        return LibC.ioUringEnter(callState, fd, toSubmit, minComplete, flags, MemorySegment.NULL, 0);
    }

    /**
     * Publishes prepared SQEs and submits them without waiting.
     *
     * @return SQEs consumed, or -errno as for {@link #enter}
     */
    public int submit() {
        int toSubmit = sq().flushTail();
        return toSubmit == 0 ? 0 : enter(toSubmit, 0, 0);
    }

    /**
     * Publishes prepared SQEs, submits them, and waits until {@code minComplete} CQEs are ready
     * or {@code timeoutNanos} has passed ({@code < 0}: no time limit). The wait uses
     * IORING_ENTER_EXT_ARG with a timespec allocated once per ring, so nothing is allocated
     * here; it needs IORING_FEAT_EXT_ARG (5.11), else the kernel answers -EINVAL.
     *
     * @return SQEs consumed, or -errno: -ETIME when the time ran out and nothing was submitted,
     *         -EINTR when a signal interrupted the wait; both are normal and the caller simply
     *         drains and loops
     */
    public int submitAndWait(int minComplete, long timeoutNanos) {
        int toSubmit = sq().flushTail();
        if (timeoutNanos < 0) {
            return enter(toSubmit, minComplete, IORING_ENTER_GETEVENTS);
        }
        waitTimespec.set(JAVA_LONG, TIMESPEC_TV_SEC, timeoutNanos / TimeUnit.SECONDS.toNanos(1));
        waitTimespec.set(JAVA_LONG, TIMESPEC_TV_NSEC, timeoutNanos % TimeUnit.SECONDS.toNanos(1));
        return LibC.ioUringEnter(callState, fd, toSubmit, minComplete,
                IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, waitArg, waitArg.byteSize());
    }

    /**
     * Registers {@code buffers} as fixed buffers 0..n-1 for READ_FIXED/WRITE_FIXED. The kernel
     * pins their pages (charged to RLIMIT_MEMLOCK on older kernels); they must stay allocated
     * until {@link #unregisterBuffers()} or {@link #close()}.
     *
     * @return 0, or -errno (-EBUSY: buffers already registered; -ENOMEM: memlock limit)
     */
    public int registerBuffers(MemorySegment[] buffers) {
        ensureOpen();
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment iovecs = scratch.allocate(IoUringLayouts.IOVEC, buffers.length);
            for (int i = 0; i < buffers.length; i++) {
                if (!buffers[i].isNative()) {
                    throw new IllegalArgumentException("buffer " + i + " is not native memory");
                }
                Pointers.putIovec(iovecs, i, buffers[i]);
            }
            return LibC.ioUringRegister(callState, fd, IoUringConstants.IORING_REGISTER_BUFFERS, iovecs,
                    buffers.length);
        }
    }

    /**
     * {@code io_uring_register(fd, opcode, arg, nrArgs)} for registrations that take one struct,
     * such as IORING_(UN)REGISTER_PBUF_RING; 0 (or a positive count), or -errno.
     */
    public int register(int opcode, MemorySegment arg, int nrArgs) {
        ensureOpen();
        return LibC.ioUringRegister(callState, fd, opcode, arg, nrArgs);
    }

    /**
     * Caps the io-wq workers of the calling task's io-wq for this ring
     * (IORING_REGISTER_IOWQ_MAX_WORKERS, 5.15): {@code bounded} for regular-file and block work,
     * {@code unbounded} for the rest; 0 leaves a class as it is. Must run on the submitting thread:
     * the limit belongs to its io-wq, and is applied to it when it is made later
     * ({@code io_uring/register.c}, {@code io_register_iowq_max_workers}).
     *
     * @return 0, or -errno (-EINVAL on a kernel without it)
     */
    public int limitIoWorkers(int bounded, int unbounded) {
        ensureOpen();
        try (Arena scratch = Arena.ofConfined()) {
            // unsigned int[2] {bounded, unbounded}; the kernel writes the previous limits back.
            MemorySegment counts = scratch.allocate(JAVA_INT, 2);
            counts.setAtIndex(JAVA_INT, 0, bounded);
            counts.setAtIndex(JAVA_INT, 1, unbounded);
            return LibC.ioUringRegister(callState, fd, IoUringConstants.IORING_REGISTER_IOWQ_MAX_WORKERS, counts, 2);
        }
    }

    /** Drops the fixed buffers; 0, or -errno (-ENXIO when none are registered). */
    public int unregisterBuffers() {
        ensureOpen();
        return LibC.ioUringRegister(callState, fd, IoUringConstants.IORING_UNREGISTER_BUFFERS,
                MemorySegment.NULL, 0);
    }

    /** True once {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Unmaps the queues and closes the fd; idempotent. Operations still in flight are cancelled
     * by the kernel as it tears the ring down, and their CQEs are never seen: memory they
     * reference must outlive this call until the kernel has let go, which the caller ensures by
     * draining first.
     *
     * @throws IllegalStateException with nothing changed, when another thread is inside a call
     *         on this ring (its errno segment is then in use, so the arena refuses to close)
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        // Closing the arena invalidates every segment (so stale sq()/cq() use throws instead of
        // touching unmapped memory) and runs the munmap cleanups; then the fd goes.
        arena.close();
        closed = true;
        LibC.close(fd);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("ring closed");
        }
    }

    @Override
    public String toString() {
        return "Ring[fd=" + fd + ", sq=" + sq.capacity() + ", cq=" + cq.capacity()
                + ", flags=" + UringNames.setupFlagNames(setupFlags) + "]";
    }
}
