package dev.proactor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Native memory the proactor owns and lends to its holder, who gives it back with
 * {@link #release()}. A lease has one of two roles, and the rules below hold for both.
 *
 * <ul>
 *   <li><b>A pooled buffer</b>, taken from {@link Proactor#buffers()} ({@link BufferPool#tryLease()},
 *       {@link BufferPool#lease}) to read into or write from. {@link #segment()} is the whole slab.
 *       On io_uring the pool's slabs are registered with the kernel when the ring accepts them, so
 *       reads and writes of a slab skip the per-call page pinning; {@link #index()} is its place in
 *       that table.
 *   <li><b>A received chunk</b>, handed to the handler of {@link AsyncSocket#receiveEach}, which
 *       owns it. {@link #segment()} holds exactly the bytes received. It lives in one of the
 *       receive ring's provided buffers (io_uring) or in a pool slab (the single-shot path), and
 *       {@link #index()} is then -1 or the slab's index. Releasing a chunk does more than free
 *       memory: it lets that buffer receive again, and it counts the chunk off its connection's
 *       {@linkplain ProactorConfig#receiveBacklog() receive backlog}. A handler that keeps chunks
 *       therefore slows its own connection first, and then every connection that shares the
 *       buffers. To send a chunk on from the buffer it arrived in, pass it to
 *       {@link AsyncSocket#writeAll(BufferLease, int)} or a file write.
 * </ul>
 *
 * <p>Passing a lease to an operation lends it to that operation until the operation ends, and
 * releasing it meanwhile fails: the kernel may still read or write it. The lease is handed back
 * before the operation's handlers run, so a handler may release it. A lease is released exactly
 * once, from any thread; a second release fails with {@link IllegalStateException}, so a double
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
