package dev.proactor.internal.core;

import dev.proactor.internal.spi.NativeAccounting;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * Native memory for the bounce buffers behind heap {@code ByteBuffer}s, kept for reuse by one
 * proactor. An arena of its own per bounce would be simplest, but the memory must be usable from the
 * caller's thread, the dispatcher and a worker, so that arena would be shared, and closing a shared
 * arena makes the JVM handshake with every thread: tens of microseconds per heap-buffer operation,
 * and a stall for every other thread too.
 *
 * <p>Sizes are rounded up to a power of two from 64 B to 64 KiB; each size keeps the segments given
 * back for the next taker. All of it comes from one shared arena that lives as long as the proactor,
 * and at most {@link #MAX_BYTES} are ever allocated from it: beyond that, and for larger buffers,
 * {@link #take} answers null and the caller uses an arena of its own. A segment is given back only
 * when the kernel is done with it, like any bounce memory.
 *
 * <p>{@link #close()} frees the arena once nothing is out; memory still out then (an operation the
 * kernel never gave back) keeps the arena alive, and the last {@link #give} after close frees it.
 * Thread-safe.
 */
final class BounceCache {
    static final int MIN_SHIFT = 6;
    static final int MAX_SHIFT = 16;
    static final long MAX_BYTES = 8L << 20;

    private final Arena arena = Arena.ofShared();
    @SuppressWarnings("unchecked")
    private final ArrayDeque<MemorySegment>[] free = new ArrayDeque[MAX_SHIFT - MIN_SHIFT + 1];
    private long allocated;  // guarded by this
    private int out;  // guarded by this
    private boolean closed;  // guarded by this
    private boolean arenaClosed;  // guarded by this

    BounceCache() {
        for (int i = 0; i < free.length; i++) {
            free[i] = new ArrayDeque<>();
        }
    }

    /**
     * A whole cached segment of at least {@code n} bytes (a power of two), or null when {@code n}
     * is over the largest size, the cache is closed, or it may allocate no more.
     */
    synchronized MemorySegment take(int n) {
        if (n > 1 << MAX_SHIFT || closed) {
            return null;
        }
        int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, n) - 1));
        MemorySegment s = free[shift - MIN_SHIFT].poll();
        if (s == null) {
            long size = 1L << shift;
            if (allocated + size > MAX_BYTES) {
                return null;
            }
            s = arena.allocate(size, 64);
            allocated += size;
            NativeAccounting.allocated(size);
        }
        out++;
        return s;
    }

    /** Takes back a segment {@link #take} gave; the kernel is done with it. */
    synchronized void give(MemorySegment whole) {
        out--;
        if (!closed) {
            free[Long.numberOfTrailingZeros(whole.byteSize()) - MIN_SHIFT].push(whole);
        } else if (out == 0) {
            freeArena();
        }
    }

    /** Frees the memory if none is out; returns the bytes kept because some still is. */
    synchronized long close() {
        closed = true;
        for (ArrayDeque<MemorySegment> q : free) {
            q.clear();
        }
        if (out == 0) {
            freeArena();
            return 0;
        }
        return allocated;
    }

    private void freeArena() {
        if (!arenaClosed) {
            arenaClosed = true;
            arena.close();
            NativeAccounting.freed(allocated);
        }
    }

    /** Bytes allocated and not freed: cached, lent, or kept after close. */
    synchronized long bytes() {
        return arenaClosed ? 0 : allocated;
    }
}
