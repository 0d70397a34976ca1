package dev.proactor.internal.core;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The {@link WorkerPool}'s queue: any thread offers, any worker polls, and a task handed over
 * allocates nothing while the ring has room. A bounded ring of {@value #CAPACITY} cells (Vyukov's
 * bounded multi-producer, multi-consumer queue: each cell's sequence number says whose turn it is,
 * a producer or consumer claims a turn with one CAS on its counter) with an unbounded
 * {@link ConcurrentLinkedQueue} behind it for what does not fit. Thread-safe.
 *
 * <p>Order: one thread's tasks are taken in the order it offered them. Once a task went to the
 * overflow queue, that thread's later tasks go there too until it is drained ({@code overflowed}
 * counts what it holds), and the ring, whose tasks are all older, is polled first: the overflow only
 * once the ring is empty, not while a producer is still storing into it. The overflow is offered to
 * and polled under its own lock, and a poll looks at the ring again under it: a consumer that found
 * the ring empty and was then descheduled while producers filled the ring and overflowed would
 * otherwise take an overflowed task ahead of its producer's older one in the ring. The lock is
 * taken only when the ring is full or a poll finds it empty with something overflowed.
 *
 * <p>{@link #remove} (only when the pool shut down while a task was being offered) clears the
 * task's cell; a poll that takes a cleared cell goes on to the next.
 */
final class HandOffQueue {
    /** Cells of the ring: a loop turn's completions many times over (the default in-flight limit is 4096). */
    static final int CAPACITY = 4096;

    private final int capacity;
    private final int mask;
    private final AtomicReferenceArray<Runnable> cells;
    /** Per cell: {@code pos} when free for the producer of position {@code pos}, {@code pos + 1} when full. */
    private final AtomicLongArray sequence;
    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong dequeued = new AtomicLong();
    private final ConcurrentLinkedQueue<Runnable> overflow = new ConcurrentLinkedQueue<>();
    private final AtomicInteger overflowed = new AtomicInteger();

    HandOffQueue() {
        this(CAPACITY);
    }

    /** A ring of {@code capacity} cells, a power of two (tests use tiny ones to reach the overflow). */
    HandOffQueue(int capacity) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.cells = new AtomicReferenceArray<>(capacity);
        this.sequence = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) {
            sequence.set(i, i);
        }
    }

    void offer(Runnable task) {
        if (overflowed.get() == 0 && offerRing(task)) {
            return;
        }
        synchronized (overflow) {
            overflowed.incrementAndGet();
            overflow.offer(task);
        }
    }

    private boolean offerRing(Runnable task) {
        long pos = enqueued.get();
        while (true) {
            int i = (int) (pos & mask);
            long d = sequence.get(i) - pos;
            if (d == 0) {
                if (enqueued.compareAndSet(pos, pos + 1)) {
                    cells.set(i, task);
                    sequence.set(i, pos + 1);  // volatile: publishes the task to the consumer of pos
                    return true;
                }
                pos = enqueued.get();
            } else if (d < 0) {
                return false;  // full: the cell still holds the task of pos - CAPACITY
            } else {
                pos = enqueued.get();  // another producer took pos
            }
        }
    }

    /** Returned by {@link #pollOverflow} when the ring is no longer empty: poll the ring again. */
    private static final Runnable RING_AGAIN = () -> {};

    /** The oldest task, or null. */
    Runnable poll() {
        Runnable task;
        while ((task = pollOnce()) == RING_AGAIN) {
            Thread.onSpinWait();
        }
        return task;
    }

    private Runnable pollOnce() {
        while (true) {
            long pos = dequeued.get();
            int i = (int) (pos & mask);
            long d = sequence.get(i) - (pos + 1);
            if (d == 0) {
                if (dequeued.compareAndSet(pos, pos + 1)) {
                    Runnable task = cells.getAndSet(i, null);
                    sequence.set(i, pos + capacity);  // free for the producer of the next lap
                    if (task != null) {
                        return task;
                    }
                    // Removed by remove(): on to the next cell.
                }
            } else if (d < 0) {
                if (enqueued.get() != pos) {
                    // The producer of pos is between its claim and its store. Not the overflow now:
                    // a later task of a producer behind it may be there, and would overtake its own.
                    return null;
                }
                break;  // the ring is empty
            }
        }
        return pollOverflow();
    }

    /** The oldest overflowed task if the ring is still empty (or null), else {@link #RING_AGAIN}. */
    private Runnable pollOverflow() {
        if (overflowed.get() == 0) {
            return null;  // overflowed counts before a task enters the overflow and after it leaves
        }
        synchronized (overflow) {
            // Every task now in the overflow was offered before this check: if the ring is empty, the
            // older tasks of their producers have all been taken from it.
            if (dequeued.get() != enqueued.get()) {
                return RING_AGAIN;
            }
            Runnable task = overflow.poll();
            if (task != null) {
                overflowed.decrementAndGet();
            }
            return task;
        }
    }

    /** Whether nothing was offered that is not taken, counting offers still being stored. */
    boolean isEmpty() {
        return dequeued.get() == enqueued.get() && overflow.isEmpty();
    }

    /** Takes {@code task} out if no worker took it yet; true if it did. */
    boolean remove(Runnable task) {
        for (int i = 0; i < capacity; i++) {
            if (cells.get(i) == task && cells.compareAndSet(i, task, null)) {
                return true;
            }
        }
        synchronized (overflow) {
            if (overflow.remove(task)) {
                overflowed.decrementAndGet();
                return true;
            }
        }
        return false;
    }

    /** Takes every task left into {@code into}. */
    void drainTo(List<Runnable> into) {
        for (Runnable r; (r = poll()) != null; ) {
            into.add(r);
        }
    }
}
