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
 * those bytes would otherwise reach the next transfer's socket.
 *
 * <p>How many idle pipes are kept follows the rounds in flight: the pool keeps enough for its
 * high-water mark of lent pipes (the most lent at once since none was), and at least
 * {@link #MAX_IDLE}. With many transfers at once (64 connections downloading 1 MiB each take 16
 * rounds of 64 KiB per response) a round's pipe is soon wanted by the next round, often after a
 * batch of completions released many pipes before their transfers' next rounds acquire again; a
 * fixed cap below the concurrency made most rounds pay a pipe2 and two closes (with an inode each)
 * on the dispatcher. When the last lent pipe comes back the mark resets and the idle pipes are
 * trimmed to {@link #MAX_IDLE}, so a burst does not hold descriptors for ever: open pipes never
 * exceed the larger of the high-water mark and those lent plus {@link #MAX_IDLE}.
 */
final class PipePool {
    /** Idle pipes always kept for reuse (more while more are lent: see the class comment). */
    static final int MAX_IDLE = 8;

    /** One pipe: {@code read} is where the socket splice takes from, {@code write} where the file splice puts. */
    record Pipe(int read, int write) {}

    private final ArrayDeque<Pipe> idle = new ArrayDeque<>();
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment fds = arena.allocate(JAVA_INT, 2);
    private int open;
    /** Pipes acquired and not yet released or discarded: the rounds in flight. */
    private int lent;
    /** The most pipes lent at once since {@link #lent} was last 0. */
    private int highWater;

    /** An empty pipe, or null with the errno of pipe2 in {@link #lastErrno()}. */
    Pipe acquire() {
        Pipe p = idle.poll();
        if (p != null) {
            lendOne();
            return p;
        }
        int r = LibC.pipe2(fds, O_CLOEXEC);
        if (r < 0) {
            lastErrno = -r;
            return null;
        }
        open++;
        lendOne();
        return new Pipe(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
    }

    private int lastErrno;

    /** Why the last {@link #acquire()} returned null. */
    int lastErrno() {
        return lastErrno;
    }

    private void lendOne() {
        lent++;
        highWater = Math.max(highWater, lent);
    }

    /** Gives back a lent pipe known to be empty; idle ones beyond the high-water mark are closed. */
    void release(Pipe p) {
        idle.push(p);
        returned();
    }

    /** Closes a lent pipe that may hold bytes, or that is not wanted any more. */
    void discard(Pipe p) {
        close(p);
        returned();
    }

    private void returned() {
        if (--lent == 0) {
            highWater = 0;
        }
        int keep = Math.max(MAX_IDLE, highWater - lent);
        while (idle.size() > keep) {
            close(idle.pollLast()); // the longest idle
        }
    }

    private void close(Pipe p) {
        LibC.close(p.read());
        LibC.close(p.write());
        open--;
    }

    /** Pipes open now, idle or lent. */
    int open() {
        return open;
    }

    /** Pipes lent now (acquired, not yet released or discarded). */
    int lent() {
        return lent;
    }

    /** Closes the idle pipes; pipes still lent to the kernel stay open (their rounds are abandoned). */
    void close() {
        Pipe p;
        while ((p = idle.poll()) != null) {
            close(p);
        }
        arena.close();
    }
}
