package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_SQ_CQ_OVERFLOW;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_SQ_TASKRUN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.proactor.internal.uring.ffi.IoUringLayouts;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * Not thread-safe: all methods must be called on the thread that owns the ring (the
 * dispatcher). The completion side of a {@link Ring}: reads CQEs the kernel posted and hands
 * them back.
 *
 * <p>With {@code IORING_SETUP_DEFER_TASKRUN} most completions are produced only while the owner
 * is inside {@code io_uring_enter} with {@code IORING_ENTER_GETEVENTS}; {@link #ready()} can then
 * be 0 although operations have finished in the kernel. Completions that did not fit the ring
 * wait in the kernel's overflow list ({@link #overflowPending()}) until such an enter; only
 * without {@code IORING_FEAT_NODROP} can they be lost ({@link #kernelDropped()}).
 */
public final class CompletionQueue {

    /** Receives one CQE; called on the dispatcher thread, inside {@link #drain}. */
    @FunctionalInterface
    public interface CqeHandler {
        /**
         * @param userData the SQE's user_data
         * @param res      the result: a count or value when {@code >= 0}, else {@code -errno}
         * @param flags    IORING_CQE_F_* (and a buffer id in the upper 16 bits with F_BUFFER)
         */
        void accept(long userData, int res, int flags);
    }

    private static final VarHandle INT = JAVA_INT.varHandle();

    private final MemorySegment ring;
    private final long headOffset;
    private final long tailOffset;
    private final long overflowOffset;
    private final long cqesOffset;
    private final long sqFlagsOffset;
    private final MemorySegment sqRing;
    private final int mask;
    private final int entries;

    /** Our copy of the CQ head; only this class writes the kernel-visible head. */
    private int head;

    CompletionQueue(MemorySegment ring, long headOffset, long tailOffset, long overflowOffset, long cqesOffset,
                    int mask, int entries, MemorySegment sqRing, long sqFlagsOffset) {
        this.ring = ring;
        this.headOffset = headOffset;
        this.tailOffset = tailOffset;
        this.overflowOffset = overflowOffset;
        this.cqesOffset = cqesOffset;
        this.mask = mask;
        this.entries = entries;
        this.sqRing = sqRing;
        this.sqFlagsOffset = sqFlagsOffset;
        this.head = (int) INT.getAcquire(ring, headOffset);
    }

    /** The number of CQE slots (a power of two). */
    public int capacity() {
        return entries;
    }

    /** CQEs posted and not yet drained. */
    public int ready() {
        return kernelTail() - head;
    }

    /**
     * Hands up to {@code max} posted CQEs to {@code handler}, oldest first, then returns their
     * slots to the kernel. Allocates nothing. If the handler throws, the CQE it was given counts
     * as consumed, the slots of all CQEs handed out so far are returned, and the exception
     * propagates. The handler may prepare SQEs but must not call {@code drain} again.
     *
     * @return the number of CQEs handed to the handler
     */
    public int drain(CqeHandler handler, int max) {
        int tail = kernelTail();
        int n = Math.min(tail - head, max);
        try {
            for (int i = 0; i < n; i++) {
                long cqe = cqesOffset + (long) (head & mask) * IoUringLayouts.CQE_SIZE;
                long userData = ring.get(JAVA_LONG, cqe + IoUringLayouts.CQE_USER_DATA);
                int res = ring.get(JAVA_INT, cqe + IoUringLayouts.CQE_RES);
                int flags = ring.get(JAVA_INT, cqe + IoUringLayouts.CQE_FLAGS);
                head++;
                handler.accept(userData, res, flags);
            }
        } finally {
            // Store-release: our loads of the CQEs above must complete before the kernel sees
            // the slots as free and overwrites them (liburing io_uring_cq_advance).
            INT.setRelease(ring, headOffset, head);
        }
        return n;
    }

    /**
     * True when the kernel holds CQEs that did not fit (IORING_SQ_CQ_OVERFLOW in the SQ ring
     * flags): drain, then enter with IORING_ENTER_GETEVENTS to have them flushed into the ring.
     */
    public boolean overflowPending() {
        return (((int) INT.getAcquire(sqRing, sqFlagsOffset)) & IORING_SQ_CQ_OVERFLOW) != 0;
    }

    /**
     * Whether an enter with {@code IORING_ENTER_GETEVENTS} would now have something to hand over,
     * told without a system call: CQEs posted and not drained, completions the kernel holds as task
     * work for this thread's next enter ({@code IORING_SQ_TASKRUN}, which the kernel raises only on
     * a ring set up with {@code IORING_SETUP_TASKRUN_FLAG}; without it this cannot see them), or
     * CQEs parked in the overflow list. Each read is an acquire, so a loop that polls it sees the
     * kernel's writes and the JIT cannot hoist the load out of the loop.
     */
    public boolean pending() {
        return ready() > 0
                || (((int) INT.getAcquire(sqRing, sqFlagsOffset)) & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW)) != 0;
    }

    /** CQEs the kernel could not keep and dropped ({@code cq_off.overflow}); 0 with FEAT_NODROP. */
    public int kernelDropped() {
        return (int) INT.getAcquire(ring, overflowOffset);
    }

    private int kernelTail() {
        // Load-acquire: the kernel writes a CQE, then store-releases the tail; acquiring the tail
        // makes that CQE's contents visible to the loads in drain (liburing io_uring_smp_load_acquire).
        return (int) INT.getAcquire(ring, tailOffset);
    }
}
