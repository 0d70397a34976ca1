package dev.proactor.nio2;

import dev.proactor.Operation;
import dev.proactor.ProactorException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The wait of a channel method that returns a proactor operation's outcome (a live socket option,
 * a shutdown, a bind), made so that it cannot deadlock the group. The proactor delivers every
 * outcome on the group's executor; a handler that waits on that executor's thread for an outcome
 * would wait for itself when the pool has one thread (or when every thread of a fixed pool does
 * it). So while any group thread waits, each delivery the proactor hands the group is also offered
 * here, and the waiting threads run the deliveries themselves, the one they wait for among them,
 * as a {@code ForkJoinPool} worker helps while it joins. Each delivery runs once, on whichever
 * thread claims it first: the executor's or a waiting one.
 *
 * <p>Any thread may call it; threads that are not the group's simply wait.
 */
final class HelpingWait {

    private final ProactorChannelGroup group;
    /** Group threads in {@link #await} now; deliveries are offered to them while there are any. */
    private final Set<Thread> waiting = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Delivery> offered = new ConcurrentLinkedQueue<>();

    HelpingWait(ProactorChannelGroup group) {
        this.group = group;
    }

    /** A delivery that runs once, on whichever thread claims it first. */
    private static final class Delivery implements Runnable {
        private final Runnable task;
        private final AtomicBoolean claimed = new AtomicBoolean();

        Delivery(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            if (claimed.compareAndSet(false, true)) {
                task.run();
            }
        }
    }

    /**
     * What the group's executor is to run for {@code task}: the task itself, or, while a group
     * thread waits, a claim on it that is also offered to the waiting threads.
     */
    Runnable offer(Runnable task) {
        if (waiting.isEmpty()) {
            return task;
        }
        Delivery d = new Delivery(task);
        offered.add(d);
        for (Thread t : waiting) {
            LockSupport.unpark(t);
        }
        return () -> {
            offered.remove(d);
            d.run();
        };
    }

    /**
     * Initiates an operation and waits for its outcome. On a group thread it is registered as
     * waiting before {@code initiate} runs, so that the operation's own delivery is offered to it.
     *
     * @throws IOException the operation's failure, as {@link Failures#toIo} maps it, or
     *     {@link InterruptedIOException} when the thread is interrupted (the operation goes on)
     */
    <T> T await(Supplier<Operation<T>> initiate) throws IOException {
        if (!HandlerInvoker.onGroupThread(group)) {
            return plainAwait(initiate.get());
        }
        Thread me = Thread.currentThread();
        waiting.add(me);
        try {
            Operation<T> op = initiate.get();
            AtomicBoolean delivered = new AtomicBoolean();
            op.onComplete((v, f) -> {
                delivered.set(true);
                LockSupport.unpark(me);
            });
            while (!delivered.get()) {
                Delivery d = offered.poll();
                if (d != null) {
                    d.run();
                } else {
                    LockSupport.park(this);
                    if (Thread.interrupted()) {
                        me.interrupt();
                        throw new InterruptedIOException("interrupted while waiting for " + op.kind());
                    }
                }
            }
            // Its handlers ran; another thread may still be finishing the delivery, without waiting on anything.
            return plainAwait(op);
        } finally {
            waiting.remove(me);
        }
    }

    private static <T> T plainAwait(Operation<T> op) throws IOException {
        try {
            return op.await();
        } catch (ProactorException e) {
            throw Failures.toIo(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + op.kind());
        }
    }
}
