package dev.proactor.internal.core;

import dev.proactor.BufferLease;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

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
 *
 * <p>It is its own delivery ({@link #run}: the stream's handler called on it) and its own node in
 * the stream's delivery queue, then, once released, in the {@link ReleasedChunks} stack that takes
 * it back to the dispatcher; and its state is a field, not an {@code AtomicInteger}. So a chunk
 * received costs this object and its segment, nothing more. It is never reused: a released lease
 * stays released, so a second release, or a read after the release, still fails.
 */
final class ChunkLease extends SerialDelivery.Item implements BufferLease, LentMemory {
    private static final int HELD = 0;
    private static final int LENT = 1;
    private static final int RELEASED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ChunkLease.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ReceiveEachOp stream;
    private final int bufferId;
    private final MemorySegment data;
    private final BufferPoolImpl.Lease slab;
    /** HELD (0, as made), LENT or RELEASED; set from any thread through {@link #STATE}. */
    private volatile int state;
    /** The next older chunk in {@link ReleasedChunks}' stack, once released; written before the push. */
    ChunkLease nextReleased;

    ChunkLease(ReceiveEachOp stream, int bufferId, MemorySegment data, BufferPoolImpl.Lease slab) {
        this.stream = stream;
        this.bufferId = bufferId;
        this.data = data;
        this.slab = slab;
    }

    /** Hands this chunk to its stream's handler: the chunk's place in the stream's serial delivery. */
    @Override
    public void run() {
        stream.call(this);
    }

    ReceiveEachOp stream() {
        return stream;
    }

    /** The provided buffer the chunk lives in, or -1 for a pool slab. */
    int bufferId() {
        return bufferId;
    }

    /** Exactly the bytes received. */
    @Override
    public MemorySegment segment() {
        if (state == RELEASED) {
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
        return state == RELEASED;
    }

    /** Lends the first {@code length} bytes to an operation of {@code p}; see {@link LentMemory}. */
    MemorySegment lendToOperation(CoreProactor p, int length) {
        if (stream.proactor != p) {
            throw new IllegalArgumentException(this + " was received by another proactor");
        }
        if (length < 0 || length > data.byteSize()) {
            throw new IllegalArgumentException("length " + length + " outside [0, " + data.byteSize() + "]");
        }
        if (!STATE.compareAndSet(this, HELD, LENT)) {
            throw new IllegalStateException(state == LENT
                    ? this + " is already lent to an operation that has not ended" : this + " was released");
        }
        return length == data.byteSize() ? data : data.asSlice(0, length);
    }

    @Override
    public int registeredIndex() {
        return -1;
    }

    @Override
    public void returnFromOperation() {
        STATE.compareAndSet(this, LENT, HELD);
    }

    @Override
    public void release() {
        if (!STATE.compareAndSet(this, HELD, RELEASED)) {
            throw new IllegalStateException(state == LENT
                    ? this + " is lent to an operation that has not ended: release it from that operation's handler"
                    : this + " was already released");
        }
        if (slab != null && !slab.isReleased()) {
            // A slab the proactor's close already reclaimed is simply gone.
            slab.release();
        }
        stream.proactor.chunkReleased(this);
    }

    @Override
    public String toString() {
        return "received chunk[" + data.byteSize() + " bytes, " + (slab != null ? "slab " + slab.index
                : "buffer " + bufferId) + (state == RELEASED ? ", released" : state == LENT ? ", lent" : "") + "]";
    }
}
