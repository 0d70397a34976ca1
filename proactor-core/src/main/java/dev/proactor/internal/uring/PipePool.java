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
 * <p>How many idle pipes are kept follows the rounds in flight: up to as many as are lent now, and
 * at least {@link #MAX_IDLE}. With many transfers at once (64 connections downloading 1 MiB each
 * take 16 rounds of 64 KiB per response) a round's pipe is soon wanted by the next round, and a
 * fixed cap below the concurrency made most rounds pay a pipe2 and two closes (with an inode each)
 * on the dispatcher. Once the transfers end, the last releases trim the idle pipes back to
 * {@link #MAX_IDLE}, so a burst does not hold descriptors for ever; at any time the pool holds at
 * most about twice the pipes in flight (lent plus idle), or {@link #MAX_IDLE} idle ones.
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

    /** An empty pipe, or null with the errno of pipe2 in {@link #lastErrno()}. */
    Pipe acquire() {
        Pipe p = idle.poll();
        if (p != null) {
            lent++;
            return p;
        }
        int r = LibC.pipe2(fds, O_CLOEXEC);
        if (r < 0) {
            lastErrno = -r;
            return null;
        }
        open++;
        lent++;
        return new Pipe(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
    }

    private int lastErrno;

    /** Why the last {@link #acquire()} returned null. */
    int lastErrno() {
        return lastErrno;
    }

    /** Gives back a lent pipe known to be empty; idle ones beyond what the rounds in flight justify are closed. */
    void release(Pipe p) {
        lent--;
        idle.push(p);
        int keep = Math.max(MAX_IDLE, lent);
        while (idle.size() > keep) {
            close(idle.pollLast()); // the longest idle
        }
    }

    /** Closes a lent pipe that may hold bytes, or that is not wanted any more. */
    void discard(Pipe p) {
        lent--;
        close(p);
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
