package dev.proactor.internal.core;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A caller's buffer as an operation holds it: the native view the kernel uses, the bounce memory
 * behind a heap buffer, the pooled lease lent to the operation. The lease goes back when the kernel
 * has let go ({@link #returnLease}, dispatcher); the bytes and the buffer's position are handed over
 * before the handlers run ({@link #deliver}, worker). A reusable operation's buffer is renewed for
 * each run ({@link #renew}), between the last run's delivery and the next run's inbox post.
 */
final class CallerBuffer {
    MemorySegment segment;
    private Bounce bounce;
    private final ByteBuffer buffer;
    private final LentMemory lease;

    private CallerBuffer(MemorySegment segment, Bounce bounce, ByteBuffer buffer, LentMemory lease) {
        this.segment = segment;
        this.bounce = bounce;
        this.buffer = buffer;
        this.lease = lease;
    }

    /**
     * A buffer's remaining bytes, for an operation on {@code r}; {@code inbound}: the kernel writes
     * into it. A direct buffer is used in place, through {@code r}'s view of it
     * ({@link Resource#view}); a heap buffer bounces through the proactor's cache. A null buffer is
     * refused by its parameter's name, {@code dst} or {@code src}.
     */
    static CallerBuffer of(ByteBuffer bb, boolean inbound, Resource r) {
        java.util.Objects.requireNonNull(bb, inbound ? "dst" : "src");
        if (bb.isDirect()) {
            if (inbound && bb.isReadOnly()) {
                throw new IllegalArgumentException("cannot read into a read-only buffer");
            }
        }
        CallerBuffer c = new CallerBuffer(null, null, bb, null);
        c.renew(inbound, r);
        return c;
    }

    /**
     * Takes the buffer's remaining bytes as they are now, as {@link #of(ByteBuffer, boolean, Resource)}
     * did: a direct buffer through {@code r}'s view (the same segment while its position and limit
     * are the same: nothing allocated), a heap buffer through new bounce memory. Only for a buffer
     * made by that method, whose last bounce memory {@link #deliver} freed.
     */
    void renew(boolean inbound, Resource r) {
        if (buffer.isDirect()) {
            segment = r.view(buffer, inbound);
        } else {
            bounce = Bounce.of(buffer, inbound, r.proactor.bounces());
            segment = bounce.segment;
        }
    }

    /**
     * Whether {@link #segment} is the resource's kept view of a direct buffer ({@link Resource#view}),
     * the same object for every read into or write from that buffer at the same bytes; a caller's
     * segment or a lent lease's is new with each operation.
     */
    boolean isView() {
        return buffer != null && buffer.isDirect();
    }

    /** A caller's native segment, checked (a null one refused as {@code dst} or {@code src}). */
    static CallerBuffer of(MemorySegment segment, boolean inbound) {
        MemorySegment s = java.util.Objects.requireNonNull(segment, inbound ? "dst" : "src");
        return new CallerBuffer(Bounce.checkNative(s, inbound), null, null, null);
    }

    /**
     * The first {@code length} bytes of a lease, lent to the operation here: a pool lease of this
     * proactor's, or (outbound only) a chunk one of its receive streams delivered.
     *
     * @throws IllegalArgumentException for another proactor's lease, a length outside it, or a chunk to read into
     * @throws IllegalStateException if the lease is released or already lent
     */
    static CallerBuffer lent(CoreProactor p, dev.proactor.BufferLease lease, int length, boolean inbound) {
        java.util.Objects.requireNonNull(lease, "lease");
        if (lease instanceof ChunkLease chunk) {
            if (inbound) {
                throw new IllegalArgumentException("a received chunk holds exactly the bytes received; read into a pool lease");
            }
            return new CallerBuffer(chunk.lendToOperation(p, length), null, null, chunk);
        }
        BufferPoolImpl.Lease l = p.pool().lendToOperation(lease, length);
        return new CallerBuffer(l.slice(length), null, null, l);
    }

    /** The kernel's registered-buffer index, or -1. */
    int registeredIndex() {
        return lease == null ? -1 : lease.registeredIndex();
    }

    /** Gives the lease back to the caller; dispatcher, once the kernel is done. */
    void returnLease() {
        if (lease != null) {
            lease.returnFromOperation();
        }
    }

    /** Copies inbound bytes back into a heap buffer, frees the bounce memory, advances the position. */
    void deliver(long bytesDone, boolean inbound) {
        if (bounce != null) {
            if (inbound) {
                bounce.copyBack(bytesDone);
            }
            bounce.free();
        }
        if (buffer != null && bytesDone > 0) {
            buffer.position(buffer.position() + (int) bytesDone);
        }
    }
}
