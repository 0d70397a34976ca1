package dev.proactor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * One slab of the {@link BufferPool}, owned by whoever holds the lease. Passing it to an operation
 * lends it to that operation until the operation ends; releasing it meanwhile fails. The lease is
 * handed back before the operation's handlers run, so a handler may release it. A lease is
 * released exactly once: a second release fails with {@link IllegalStateException}, so a double
 * free is loud, never silent corruption. Closing the proactor reclaims leases still held.
 */
public interface BufferLease extends AutoCloseable {

    /** The whole slab. Valid until the lease is released. */
    MemorySegment segment();

    /** The slab as a direct buffer with position 0 and limit at the slab's size. */
    ByteBuffer asByteBuffer();

    /** The slab's index in the kernel's table of registered buffers. */
    int index();

    /** Whether {@link #release()} has been called. */
    boolean isReleased();

    /**
     * Gives the slab back to the pool.
     *
     * @throws IllegalStateException if already released, or lent to an operation that has not ended
     */
    void release();

    /** Same as {@link #release()}. */
    @Override
    default void close() {
        release();
    }
}
