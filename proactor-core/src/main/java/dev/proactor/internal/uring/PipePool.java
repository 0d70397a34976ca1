package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.O_CLOEXEC;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.proactor.internal.uring.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * Not thread-safe: all methods must be called on the dispatcher thread. The pipes that file
 * transfers splice through, one per transfer round in flight.
 *
 * <p>A pipe goes back to the pool only empty: a round that ends with bytes still in its pipe (the
 * socket failed, or the round was cancelled or timed out) {@linkplain #discard discards} it, because
 * those bytes would otherwise reach the next transfer's socket. At most {@link #MAX_IDLE} idle pipes
 * are kept, so a burst of transfers does not hold descriptors for ever.
 */
final class PipePool {
    /** Idle pipes kept for reuse; more than a handful of concurrent transfers per ring is rare. */
    static final int MAX_IDLE = 8;

    /** One pipe: {@code read} is where the socket splice takes from, {@code write} where the file splice puts. */
    record Pipe(int read, int write) {}

    private final ArrayDeque<Pipe> idle = new ArrayDeque<>();
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment fds = arena.allocate(JAVA_INT, 2);
    private int open;

    /** An empty pipe, or null with the errno of pipe2 in {@link #lastErrno()}. */
    Pipe acquire() {
        Pipe p = idle.poll();
        if (p != null) {
            return p;
        }
        int r = LibC.pipe2(fds, O_CLOEXEC);
        if (r < 0) {
            lastErrno = -r;
            return null;
        }
        open++;
        return new Pipe(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
    }

    private int lastErrno;

    /** Why the last {@link #acquire()} returned null. */
    int lastErrno() {
        return lastErrno;
    }

    /** Gives back a pipe known to be empty. */
    void release(Pipe p) {
        if (idle.size() < MAX_IDLE) {
            idle.push(p);
        } else {
            discard(p);
        }
    }

    /** Closes a pipe that may hold bytes, or that is not wanted any more. */
    void discard(Pipe p) {
        LibC.close(p.read());
        LibC.close(p.write());
        open--;
    }

    /** Pipes open now, idle or lent. */
    int open() {
        return open;
    }

    /** Closes the idle pipes; pipes still lent to the kernel stay open (their rounds are abandoned). */
    void close() {
        Pipe p;
        while ((p = idle.poll()) != null) {
            discard(p);
        }
        arena.close();
    }
}
