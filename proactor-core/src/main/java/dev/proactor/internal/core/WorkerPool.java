package dev.proactor.internal.core;

import dev.proactor.BatchingExecutor;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The proactor's own handler threads: a fixed set of platform threads over one shared queue, built
 * so that handing a completion to a worker usually costs no system call.
 *
 * <p>A {@link java.util.concurrent.ThreadPoolExecutor} wakes a parked worker (a futex call) every
 * time its queue goes from empty to non-empty, and its workers park again as soon as the queue is
 * empty; with completions arriving one by one that is a wake-up and a park per completion. Here a
 * submitter wakes a worker only when no worker is <em>searching</em> (awake and not running a task):
 * a searching worker finds the task by itself. A worker that takes a task while it was the last one
 * searching wakes a parked one if more tasks wait, so a burst spreads over the pool. On a machine
 * with more than one usable CPU an idle worker polls briefly before it parks, which absorbs the
 * gap between one loop turn's completions and the next; on one CPU (a pinned process) it parks at
 * once, since spinning would only take the CPU from the dispatcher that produces the work.
 *
 * <p>The lost-wake-up rule: a submitter publishes the task, then reads the searching count; a
 * worker about to park first leaves the count, then reads the queue. Both are sequentially
 * consistent, so at least one of them sees the other: the task is never stranded while a worker
 * parks.
 *
 * <p>Tasks run in the order they were queued when one worker runs them; with several workers they
 * run concurrently, as with any pool. A task that throws is logged and the worker carries on.
 */
final class WorkerPool extends AbstractExecutorService implements BatchingExecutor {

    private static final Logger LOG = System.getLogger(WorkerPool.class.getName());

    /** Polls of the queue an idle worker makes before parking, when there is a CPU to spare. */
    private static final int SPINS = Runtime.getRuntime().availableProcessors() > 1 ? 256 : 0;

    /** A ring that allocates nothing per task while it has room ({@link HandOffQueue}). */
    private final HandOffQueue queue = new HandOffQueue();
    private final Worker[] workers;
    private final ThreadFactory factory;
    /** Workers awake and not running a task; started workers count as searching. */
    private final AtomicInteger searching = new AtomicInteger();
    /** Workers parked or about to park: lets a submitter skip the scan when there are none. */
    private final AtomicInteger parked = new AtomicInteger();
    private final AtomicInteger live = new AtomicInteger();
    private volatile int started;  // 0 not yet, 1 starting or started
    private volatile boolean shutdown;
    private int nextWake;  // racy rotation start for the wake scan; any value is correct

    WorkerPool(int threads, ThreadFactory factory) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        this.workers = new Worker[threads];
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    @Override
    public void execute(Runnable task) {
        enqueue(task);
        flush();
    }

    /**
     * Queues a task without waking a worker for it: the caller promises a {@link #flush()} once
     * it has queued the rest of its batch. The dispatcher hands a loop turn's completions over this
     * way, so that a worker is woken once per turn, not once per completion: on one CPU a wake-up
     * per completion would let the woken worker preempt the dispatcher for every single handler.
     *
     * @throws RejectedExecutionException when the pool is shut down
     */
    @Override
    public void enqueue(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (shutdown) {
            throw new RejectedExecutionException("worker pool is shut down");
        }
        if (started == 0) {
            start();
        }
        queue.offer(task);
        if (shutdown && queue.remove(task)) {
            // Shut down meanwhile and no worker took it: the caller must run it elsewhere.
            throw new RejectedExecutionException("worker pool is shut down");
        }
    }

    /** Wakes a worker if tasks wait and none is searching for them. */
    @Override
    public void flush() {
        if (searching.get() == 0 && !queue.isEmpty()) {
            wakeOne();
        }
    }

    private synchronized void start() {
        if (started != 0) {
            return;
        }
        for (int i = 0; i < workers.length; i++) {
            Worker w = new Worker();
            Thread t = factory.newThread(w::run);
            w.thread = t;
            workers[i] = w;
        }
        searching.set(workers.length);
        live.set(workers.length);
        for (Worker w : workers) {
            w.thread.start();
        }
        started = 1;
    }

    /** Wakes one parked worker, if any, counting it as searching before it runs. */
    private void wakeOne() {
        if (parked.get() == 0) {
            return;
        }
        int n = workers.length;
        int start = Math.floorMod(nextWake++, n);
        for (int k = 0; k < n; k++) {
            Worker w = workers[(start + k) % n];
            if (w != null && w.claim()) {
                searching.incrementAndGet();
                LockSupport.unpark(w.thread);
                return;
            }
        }
    }

    private final class Worker {

        private static final VarHandle PARKED;

        static {
            try {
                PARKED = MethodHandles.lookup().findVarHandle(Worker.class, "isParked", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        Thread thread;
        @SuppressWarnings("unused")  // through PARKED
        private volatile boolean isParked;

        /** Takes this worker out of its parked state; true for the one caller that did. */
        boolean claim() {
            if (PARKED.compareAndSet(this, true, false)) {
                parked.decrementAndGet();
                return true;
            }
            return false;
        }

        void run() {
            try {
                loop();
            } finally {
                live.decrementAndGet();
            }
        }

        private void loop() {
            while (true) {
                Runnable task = poll();
                if (task != null) {
                    if (searching.decrementAndGet() == 0 && !queue.isEmpty()) {
                        wakeOne();
                    }
                    if (!shutdown) {
                        Thread.interrupted();  // a handler's interrupt does not reach the next one
                    }
                    runTask(task);
                    searching.incrementAndGet();
                    continue;
                }
                if (shutdown) {
                    // A task queued just before shutdown was seen is still run: read the queue after the flag.
                    if (!queue.isEmpty()) {
                        continue;
                    }
                    searching.decrementAndGet();
                    return;
                }
                isParked = true;
                parked.incrementAndGet();
                searching.decrementAndGet();
                if ((!queue.isEmpty() || shutdown) && claim()) {
                    searching.incrementAndGet();
                    continue;
                }
                // Parked until a submitter claims us (it counts us searching again) or shutdown.
                while (isParked) {
                    LockSupport.park(WorkerPool.this);
                }
            }
        }

        private Runnable poll() {
            Runnable task = queue.poll();
            for (int i = 0; task == null && i < SPINS && !shutdown; i++) {
                Thread.onSpinWait();
                task = queue.poll();
            }
            return task;
        }

        private void runTask(Runnable task) {
            try {
                task.run();
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "a task on " + Thread.currentThread().getName() + " failed", t);
            }
        }
    }

    @Override
    public void shutdown() {
        shutdown = true;
        wakeAll();
    }

    private void wakeAll() {
        for (Worker w : workers) {
            if (w != null && w.claim()) {
                searching.incrementAndGet();
                LockSupport.unpark(w.thread);
            }
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left = new ArrayList<>();
        queue.drainTo(left);
        for (Worker w : workers) {
            if (w != null) {
                w.thread.interrupt();
            }
        }
        wakeAll();
        return left;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && (started == 0 || live.get() == 0);
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        if (started == 0) {
            return shutdown;
        }
        for (Worker w : workers) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !w.thread.join(java.time.Duration.ofNanos(left))) {
                return isTerminated();
            }
        }
        return isTerminated();
    }
}
