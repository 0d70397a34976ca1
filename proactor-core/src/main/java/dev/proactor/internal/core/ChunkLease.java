package dev.proactor.internal.core;

import dev.proactor.BufferLease;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One received chunk, lent to a receive stream's handler: a backend's provided buffer
 * ({@code bufferId} at least 0), or a pool slab ({@code slab} not null) on the single-shot path.
 * Releasing it (any thread, once) gives the slab back to the pool at once and tells the dispatcher,
 * which recycles a provided buffer (the backend's buffer ring has one writer, the dispatcher) and
 * counts the chunk off its stream's back-pressure.
 */
final class ChunkLease implements BufferLease {
    private final ReceiveEachOp stream;
    private final int bufferId;
    private final MemorySegment data;
    private final BufferPoolImpl.Lease slab;
    private final AtomicBoolean released = new AtomicBoolean();

    ChunkLease(ReceiveEachOp stream, int bufferId, MemorySegment data, BufferPoolImpl.Lease slab) {
        this.stream = stream;
        this.bufferId = bufferId;
        this.data = data;
        this.slab = slab;
    }

    /** Exactly the bytes received. */
    @Override
    public MemorySegment segment() {
        if (released.get()) {
            throw new IllegalStateException(this + " was released");
        }
        return data;
    }

    @Override
    public ByteBuffer asByteBuffer() {
        return segment().asByteBuffer();
    }

    /** The pool slab's index, or -1 for a provided buffer (which is not a registered buffer). */
    @Override
    public int index() {
        return slab == null ? -1 : slab.index;
    }

    @Override
    public boolean isReleased() {
        return released.get();
    }

    @Override
    public void release() {
        if (!released.compareAndSet(false, true)) {
            throw new IllegalStateException(this + " was already released");
        }
        if (slab != null && !slab.isReleased()) {
            // A slab the proactor's close already reclaimed is simply gone.
            slab.release();
        }
        stream.proactor.chunkReleased(stream, bufferId);
    }

    @Override
    public String toString() {
        return "received chunk[" + data.byteSize() + " bytes, " + (slab != null ? "slab " + slab.index
                : "buffer " + bufferId) + (released.get() ? ", released" : "") + "]";
    }
}
