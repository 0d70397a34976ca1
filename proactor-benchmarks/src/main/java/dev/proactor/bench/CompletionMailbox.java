package dev.proactor.bench;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Hands the slot numbers of finished operations from completion handlers (any thread) to the one
 * benchmark thread, without allocating: a bounded multi-producer, single-consumer queue of ints
 * whose consumer parks when it is empty.
 *
 * <p>{@link #post(int)} may be called from any thread; {@link #take()} and {@link #reset()} only
 * from the benchmark thread. The capacity must be at least the number of operations in flight,
 * since each posts once: a benchmark never has more posts pending than operations it initiated.
 *
 * <p>Every benchmark that waits for completions through this class pays the same wake-up cost, so
 * the Proactor and the JDK's asynchronous channels are compared on equal terms.
 */
final class CompletionMailbox {

    /**
     * Spins before parking. A round trip on this machine takes a few microseconds; on two cores
     * a long spin would steal the CPU the dispatcher needs, so spin only briefly.
     */
    private static final int SPINS = 64;

    private final AtomicIntegerArray cells;
    private final int mask;
    private final AtomicLong posted = new AtomicLong();
    private long taken;
    private volatile Thread waiter;

    CompletionMailbox(int capacity) {
        int size = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
        cells = new AtomicIntegerArray(size);
        mask = size - 1;
    }

    /** Records that {@code slot} finished and wakes the benchmark thread if it waits. */
    void post(int slot) {
        long i = posted.getAndIncrement();
        // A volatile store then a volatile load, as in take(): neither side can miss the other.
        cells.set((int) (i & mask), slot + 1);
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Waits for the next finished slot, in the order they were posted. */
    int take() {
        int index = (int) (taken & mask);
        int v = cells.get(index);
        for (int spin = 0; v == 0 && spin < SPINS; spin++) {
            Thread.onSpinWait();
            v = cells.get(index);
        }
        if (v == 0) {
            waiter = Thread.currentThread();
            while ((v = cells.get(index)) == 0) {
                LockSupport.park(this);
            }
            waiter = null;
        }
        cells.set(index, 0);
        taken++;
        return v - 1;
    }

    /** Posts not yet taken. */
    int pending() {
        return (int) (posted.get() - taken);
    }

    /** Forgets everything; only when no operation is in flight. */
    void reset() {
        for (int i = 0; i < cells.length(); i++) {
            cells.set(i, 0);
        }
        posted.set(0);
        taken = 0;
    }
}
