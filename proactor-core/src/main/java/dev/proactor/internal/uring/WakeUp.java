package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.*;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.proactor.internal.uring.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How other threads wake a dispatcher that waits in io_uring_enter: they write to an eventfd, and
 * the dispatcher keeps a read of it (or, without IORING_OP_READ, a poll) armed on the ring, whose
 * completion ends the wait. The read's CQ entry is the one {@link RingRoom} keeps, so it can
 * always be armed when the SQ has a slot.
 *
 * <p>{@link #wake} is for any thread; everything else is for the dispatcher. The eventfd and the
 * buffers stay valid until {@link #close}, which first waits for wakers already inside
 * {@link #wake}, so that no write reaches a descriptor number reused after the close.
 */
final class WakeUp {

    private final int eventFd;
    /** Without IORING_OP_READ the wake-up is a POLL_ADD on the eventfd, then read(2) on the dispatcher. */
    private final boolean byPoll;
    /** Memory shared with waking threads and the kernel; closed after the last waker left, and only if no read is armed. */
    private final Arena arena = Arena.ofShared();
    /** Where the armed read puts the counter; only the kernel writes it. */
    private final MemorySegment counter = arena.allocate(8, 8);
    /** The 1 a waker adds; only ever read by the kernel. */
    private final MemorySegment one = arena.allocate(8, 8);
    /** Threads inside {@link #wake}. */
    private final AtomicInteger wakers = new AtomicInteger();
    private volatile boolean stopped;
    private boolean armed;

    private WakeUp(int eventFd, boolean byPoll) {
        this.eventFd = eventFd;
        this.byPoll = byPoll;
        one.set(JAVA_LONG, 0, 1L);
    }

    /**
     * A close-on-exec eventfd and its buffers.
     *
     * @param byPoll arm a POLL_ADD rather than a READ (the probe lacks IORING_OP_READ)
     * @throws IllegalStateException when eventfd(2) fails
     */
    static WakeUp open(boolean byPoll) {
        int fd = LibC.eventfd(0, EFD_CLOEXEC);
        if (fd < 0) {
            throw new IllegalStateException("eventfd failed: errno " + -fd);
        }
        return new WakeUp(fd, byPoll);
    }

    /** Whether a read (or poll) of the eventfd is on the ring, its CQE not reaped. */
    boolean armed() {
        return armed;
    }

    /** Arms the read if {@code room} has its slot; whether the read is armed now. */
    boolean arm(SubmissionQueue sq, RingRoom room) {
        if (armed) {
            return true;
        }
        if (!room.fitsWake()) {
            return false;
        }
        if (byPoll) {
            sq.prepPollAdd(eventFd, POLLIN, UserData.WAKE);
        } else {
            sq.prepRead(eventFd, counter, 8, 0, UserData.WAKE);
        }
        room.promise(1);
        armed = true;
        return true;
    }

    /** The armed read's CQE, with its result {@code res}: the read is no longer armed. */
    void completed(int res) {
        armed = false;
        if (byPoll && res > 0) {
            // The poll saw the counter non-zero and only this thread reads it: never blocks, and
            // cannot fail but for a bug; errno is not captured, which would allocate per wake-up.
            LibC.readIgnoringErrno(eventFd, counter, 8);
        }
    }

    /** Wakes the dispatcher; any thread, and harmless after {@link #stop}. */
    void wake() {
        wakers.incrementAndGet();
        try {
            if (!stopped) {
                // The one failure, EAGAIN at a counter about to overflow, leaves it readable: the
                // dispatcher wakes anyway, so errno is not needed (and not capturing it allocates nothing).
                LibC.writeIgnoringErrno(eventFd, one, 8);
            }
        } finally {
            wakers.decrementAndGet();
        }
    }

    /** Turns later wakes into no-ops and waits for those already writing. */
    void stop() {
        stopped = true;
        while (wakers.get() != 0) {
            Thread.onSpinWait();
        }
    }

    /**
     * Closes the eventfd, after {@link #stop}. The buffers are freed only if no read is armed:
     * the kernel may still write into a read it holds.
     */
    void close() {
        LibC.close(eventFd);
        if (!armed) {
            arena.close();
        }
    }
}
