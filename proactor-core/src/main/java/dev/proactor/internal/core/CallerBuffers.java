package dev.proactor.internal.core;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Several caller buffers as one vectored operation holds them, in order: the native views the
 * kernel uses (heap buffers bounce through native memory, as {@link CallerBuffer}'s do), and the
 * buffers whose positions move on delivery. The bytes are handed over, the positions moved and the
 * bounce memory freed by {@link #deliver} on the worker, before the handlers run.
 */
final class CallerBuffers {
    /** The most buffers one vectored call takes: the kernel's IOV_MAX (UIO_MAXIOV). */
    static final int MAX = 1024;

    /** The native views, one per buffer, from its position to its limit. */
    final MemorySegment[] segments;
    /** Their bytes in all. */
    final long total;
    private final ByteBuffer[] buffers;
    private final Bounce[] bounces;

    private CallerBuffers(ByteBuffer[] buffers, Bounce[] bounces, MemorySegment[] segments, long total) {
        this.buffers = buffers;
        this.bounces = bounces;
        this.segments = segments;
        this.total = total;
    }

    /**
     * The remaining bytes of {@code bbs} (named {@code name} in errors); {@code inbound}: the kernel
     * writes them. Heap buffers bounce through {@code cache}; on a failure nothing stays allocated.
     *
     * @throws IllegalArgumentException for no buffers or more than {@link #MAX}, or a read-only one inbound
     * @throws NullPointerException naming the element that is null
     */
    static CallerBuffers of(ByteBuffer[] bbs, boolean inbound, BounceCache cache, String name) {
        if (bbs.length == 0 || bbs.length > MAX) {
            throw new IllegalArgumentException("between 1 and " + MAX + " buffers (IOV_MAX), got " + bbs.length);
        }
        ByteBuffer[] buffers = bbs.clone();
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] == null) {
                throw new NullPointerException(name + "[" + i + "] is null");
            }
        }
        Bounce[] bounces = new Bounce[buffers.length];
        MemorySegment[] segments = new MemorySegment[buffers.length];
        long sum = 0;
        try {
            for (int i = 0; i < buffers.length; i++) {
                bounces[i] = Bounce.of(buffers[i], inbound, cache);
                segments[i] = bounces[i].segment;
                sum += segments[i].byteSize();
            }
        } catch (RuntimeException | Error e) {
            free(bounces);
            throw e;
        }
        return new CallerBuffers(buffers, bounces, segments, sum);
    }

    /**
     * Hands over the first {@code bytesDone} bytes in buffer order: copies inbound ones back into
     * heap buffers, moves each buffer's position by what it took or gave, frees the bounce memory.
     */
    void deliver(long bytesDone, boolean inbound) {
        long left = bytesDone;
        for (int i = 0; i < buffers.length && left > 0; i++) {
            int n = (int) Math.min(left, segments[i].byteSize());
            if (inbound) {
                bounces[i].copyBack(n);
            }
            buffers[i].position(buffers[i].position() + n);
            left -= n;
        }
        free(bounces);
    }

    private static void free(Bounce[] bounces) {
        for (Bounce b : bounces) {
            if (b != null) {
                b.free();
            }
        }
    }
}
