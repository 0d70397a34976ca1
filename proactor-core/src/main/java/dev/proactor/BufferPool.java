package dev.proactor;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A fixed set of equal off-heap slabs, allocated once and, on io_uring, registered with the ring so
 * that reads and writes through a lease skip per-operation page pinning. Thread-safe. The pool never
 * grows: when every slab is leased, {@link #tryLease()} answers null and {@link #lease(Duration)}
 * waits, which bounds the native memory the proactor's buffers can take.
 */
public interface BufferPool {

    /** Bytes in each slab. */
    int bufferSize();

    /** Slabs in the pool. */
    int capacity();

    /** Slabs leased now. */
    int leased();

    /** Whether the slabs are registered with the kernel. */
    boolean registered();

    /** A free slab, or null when all are leased. */
    BufferLease tryLease();

    /**
     * A free slab, waiting at most {@code maxWait} for one to be released.
     *
     * @throws TimeoutException if none was released in time
     * @throws InterruptedException if the waiting thread is interrupted
     */
    BufferLease lease(Duration maxWait) throws TimeoutException, InterruptedException;
}
