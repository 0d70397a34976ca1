package dev.proactor.internal.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one stream's deliveries one at a time, in the order they were added, on the proactor's
 * handler executor: a stream's handler is never called concurrently with itself, whatever the
 * executor. Thread-safe: the dispatcher adds, a worker runs.
 *
 * <p>{@link #count} is the number of tasks added and not yet finished; whoever moves it from 0
 * schedules the drain, and the drain only stops when it brings it back to 0, so exactly one drain
 * runs while anything is queued.
 */
final class SerialDelivery implements Runnable {
    /** Tasks one drain runs before it yields its worker to other streams' deliveries. */
    private static final int BATCH = 64;

    private final CoreProactor proactor;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();

    SerialDelivery(CoreProactor proactor) {
        this.proactor = proactor;
    }

    void add(Runnable task) {
        queue.add(task);
        if (count.getAndIncrement() == 0) {
            proactor.handlers().execute(this);
        }
    }

    @Override
    public void run() {
        for (int i = 0; i < BATCH; i++) {
            queue.poll().run();
            if (count.decrementAndGet() == 0) {
                return;
            }
        }
        proactor.handlers().execute(this);
    }
}
