package dev.proactor.internal.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Runs one stream's deliveries one at a time, in the order they were added, on the proactor's
 * handler executor: a stream's handler is never called concurrently with itself, whatever the
 * executor. Thread-safe: the dispatcher adds, a worker runs.
 *
 * <p>{@link #count} is the number of items added and not yet finished; whoever moves it from 0
 * schedules the drain, and the drain only stops when it brings it back to 0, so exactly one drain
 * runs while anything is queued.
 *
 * <p>The queue is intrusive, so adding allocates nothing: each {@link Item} carries its own link.
 * Adders push onto {@link #pushed} (newest first, a compare-and-set); the drain takes the whole
 * stack at once and reverses it into {@link #taken}, its own list, oldest first. Everything in
 * {@code taken} was pushed before anything still in {@code pushed}, so the order is the adders'.
 * An idle stream holds two null fields here, no queue object and no sentinel node.
 */
final class SerialDelivery implements Runnable {
    /** Items one drain runs before it yields its worker to other streams' deliveries. */
    private static final int BATCH = 64;
    private static final VarHandle COUNT;
    private static final VarHandle PUSHED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COUNT = l.findVarHandle(SerialDelivery.class, "count", int.class);
            PUSHED = l.findVarHandle(SerialDelivery.class, "pushed", Item.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * One delivery, its own queue node. It is in at most one stream's queue at a time, and only
     * once: from its add until the drain takes it, just before running it.
     */
    abstract static class Item implements Runnable {
        /** Toward older items while pushed, toward newer ones once taken; null outside a queue. */
        private Item link;
    }

    /** A delivery that is not an item of its own (a stream's end): wrapped, one object per end. */
    static final class Task extends Item {
        private final Runnable task;

        Task(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            task.run();
        }
    }

    private final CoreProactor proactor;
    /** Added and not taken yet, newest first; any adder pushes, the drain takes all. */
    private volatile Item pushed;
    /** Drain-only: taken from {@link #pushed} and not run yet, oldest first. */
    private Item taken;
    /** A field, not an AtomicInteger: every stream has one of these, idle or not. */
    private volatile int count;

    SerialDelivery(CoreProactor proactor) {
        this.proactor = proactor;
    }

    void add(Item item) {
        Item newest;
        do {
            newest = pushed;
            item.link = newest;
        } while (!PUSHED.compareAndSet(this, newest, item));
        // The push comes before the count: a drain that sees the count sees the item.
        if ((int) COUNT.getAndAdd(this, 1) == 0) {
            proactor.handlers().execute(this);
        }
    }

    /** The oldest item not run yet (drain only; there is one, since the count says so). */
    private Item take() {
        Item item = taken;
        if (item == null) {
            Item older = (Item) PUSHED.getAndSet(this, null);
            while (older != null) {
                Item next = older.link;
                older.link = item;
                item = older;
                older = next;
            }
        }
        taken = item.link;
        item.link = null;
        return item;
    }

    @Override
    public void run() {
        for (int i = 0; i < BATCH; i++) {
            take().run();
            if ((int) COUNT.getAndAdd(this, -1) == 1) {
                return;
            }
        }
        proactor.handlers().execute(this);
    }
}
