package dev.proactor.internal.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;

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
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(SerialDelivery.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CoreProactor proactor;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    /** A field, not an AtomicInteger: every stream has one of these, idle or not. */
    private volatile int count;

    SerialDelivery(CoreProactor proactor) {
        this.proactor = proactor;
    }

    void add(Runnable task) {
        queue.add(task);
        if ((int) COUNT.getAndAdd(this, 1) == 0) {
            proactor.handlers().execute(this);
        }
    }

    @Override
    public void run() {
        for (int i = 0; i < BATCH; i++) {
            queue.poll().run();
            if ((int) COUNT.getAndAdd(this, -1) == 1) {
                return;
            }
        }
        proactor.handlers().execute(this);
    }
}
