package dev.proactor.internal.core;

import dev.proactor.internal.spi.NativeAccounting;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * The native view of a caller's buffer. A direct buffer or a native segment is used in place; a heap
 * buffer is copied through a native bounce segment, because the kernel cannot write to memory the
 * garbage collector may move. Owned by one operation; {@link #free()} runs once, after the kernel is
 * done with the memory.
 */
final class Bounce {
    /** A thread that owns no arena: a confined segment is not accessible by it. */
    private static final Thread DISPATCHER_PROBE = Thread.ofVirtual().unstarted(() -> { });

    final MemorySegment segment;
    private final ByteBuffer heap;
    private final int heapPosition;
    /** Where the memory goes back: a cached segment to its cache, else its own arena is closed. */
    private BounceCache cache;
    private MemorySegment cached;
    private Arena arena;

    private Bounce(MemorySegment segment, ByteBuffer heap, BounceCache cache, MemorySegment cached, Arena arena) {
        this.segment = segment;
        this.heap = heap;
        this.heapPosition = heap == null ? 0 : heap.position();
        this.cache = cache;
        this.cached = cached;
        this.arena = arena;
    }

    /**
     * The native view of {@code bb} from its position to its limit; {@code forRead}: the kernel
     * writes it. A heap buffer's bounce memory comes from {@code cache} when it has room, else from
     * an arena of its own (see {@link BounceCache} for why that is the slow path).
     */
    static Bounce of(ByteBuffer bb, boolean forRead, BounceCache cache) {
        if (forRead && bb.isReadOnly()) {
            throw new IllegalArgumentException("cannot read into a read-only buffer");
        }
        if (bb.isDirect()) {
            return new Bounce(MemorySegment.ofBuffer(bb), null, null, null, null);
        }
        int n = bb.remaining();
        MemorySegment whole = cache.take(n);
        Bounce b;
        if (whole != null) {
            b = new Bounce(whole.asSlice(0, n), bb, cache, whole, null);
        } else {
            Arena arena = Arena.ofShared();
            MemorySegment seg = arena.allocate(Math.max(1, n), 64).asSlice(0, n);
            NativeAccounting.allocated(Math.max(1, n));
            b = new Bounce(seg, bb, null, null, arena);
        }
        if (!forRead) {
            if (bb.hasArray()) {
                // From the array itself: a segment over the buffer would be two objects per write.
                MemorySegment.copy(bb.array(), bb.arrayOffset() + bb.position(), b.segment, ValueLayout.JAVA_BYTE, 0, n);
            } else {
                MemorySegment.copy(MemorySegment.ofBuffer(bb), 0, b.segment, 0, n);  // a read-only heap buffer
            }
        }
        return b;
    }

    /** A caller's native segment, checked. */
    static MemorySegment checkNative(MemorySegment seg, boolean forRead) {
        if (!seg.isNative()) {
            throw new IllegalArgumentException("segment must be native (off-heap); wrap heap memory in a ByteBuffer");
        }
        if (forRead && seg.isReadOnly()) {
            throw new IllegalArgumentException("cannot read into a read-only segment");
        }
        if (!seg.isAccessibleBy(DISPATCHER_PROBE)) {
            // The backend's threads and the handler's worker are not the owner: a confined
            // segment would be unusable by them (and by the handler) until the operation ends.
            throw new IllegalArgumentException("segment is confined to one thread; allocate it from a shared, "
                    + "global or automatic arena so the proactor's threads may use it");
        }
        return seg;
    }

    /** Copies the first {@code n} bytes the kernel wrote back into the heap buffer, if there is one. */
    void copyBack(long n) {
        if (heap != null && n > 0) {
            // Into the array itself (a buffer read into is never read-only, so it has one).
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, 0, heap.array(), heap.arrayOffset() + heapPosition, (int) n);
        }
    }

    /** Releases the bounce memory; idempotent. */
    void free() {
        BounceCache c = cache;
        if (c != null) {
            cache = null;
            c.give(cached);
            cached = null;
            return;
        }
        Arena a = arena;
        if (a != null) {
            arena = null;
            long size = Math.max(1, segment.byteSize());
            a.close();
            NativeAccounting.freed(size);
        }
    }
}
