package dev.proactor.internal.core;

import dev.proactor.BufferLease;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One received chunk, lent to a receive stream's handler: a backend's provided buffer
 * ({@code bufferId} at least 0), or a pool slab ({@code slab} not null) on the single-shot path.
 * Releasing it (any thread, once) gives the slab back to the pool at once and tells the dispatcher,
 * which recycles a provided buffer (the backend's buffer ring has one writer, the dispatcher) and
 * counts the chunk off its stream's back-pressure.
 *
 * <p>A chunk may be lent to a write ({@code writeAll(chunk, n)}, a file write) to send it on from
 * the buffer it arrived in: while lent it still counts as held, and it cannot be released, since the
 * kernel reads it.
 */
final class ChunkLease implements BufferLease, LentMemory {
    private static final int HELD = 0;
    private static final int LENT = 1;
    private static final int RELEASED = 2;

    private final ReceiveEachOp stream;
    private final int bufferId;
    private final MemorySegment data;
    private final BufferPoolImpl.Lease slab;
    private final AtomicInteger state = new AtomicInteger(HELD);

    ChunkLease(ReceiveEachOp stream, int bufferId, MemorySegment data, BufferPoolImpl.Lease slab) {
        this.stream = stream;
        this.bufferId = bufferId;
        this.data = data;
        this.slab = slab;
    }

    /** Exactly the bytes received. */
    @Override
    public MemorySegment segment() {
        if (state.get() == RELEASED) {
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
        return state.get() == RELEASED;
    }

    /** Lends the first {@code length} bytes to an operation of {@code p}; see {@link LentMemory}. */
    MemorySegment lendToOperation(CoreProactor p, int length) {
        if (stream.proactor != p) {
            throw new IllegalArgumentException(this + " was received by another proactor");
        }
        if (length < 0 || length > data.byteSize()) {
            throw new IllegalArgumentException("length " + length + " outside [0, " + data.byteSize() + "]");
        }
        if (!state.compareAndSet(HELD, LENT)) {
            throw new IllegalStateException(state.get() == LENT
                    ? this + " is already lent to an operation that has not ended" : this + " was released");
        }
        return data.asSlice(0, length);
    }

    @Override
    public int registeredIndex() {
        return -1;
    }

    @Override
    public void returnFromOperation() {
        state.compareAndSet(LENT, HELD);
    }

    @Override
    public void release() {
        if (!state.compareAndSet(HELD, RELEASED)) {
            throw new IllegalStateException(state.get() == LENT
                    ? this + " is lent to an operation that has not ended: release it from that operation's handler"
                    : this + " was already released");
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
                : "buffer " + bufferId) + (state.get() == RELEASED ? ", released" : state.get() == LENT ? ", lent" : "") + "]";
    }
}
