package dev.proactor.nio2;

import dev.proactor.BatchingExecutor;
import dev.proactor.Operation;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The threads that run a group's deliveries (the proactor's outcomes, and the completion handlers
 * the channels turn them into), or the file channels' ({@link FileProactors}): one queue, filled a
 * dispatcher loop turn at a time ({@link BatchingExecutor}), so that a turn's completions cost one
 * wake-up, not one each. A thread that is awake and not running a task is <em>searching</em> and
 * finds new tasks by itself; a hand-off wakes a parked thread only when none searches, and a thread
 * that takes a task while others wait wakes the next. This is the proactor's own worker pool's
 * rule, with its lost-wake-up argument: a submitter publishes the task, then reads the searching
 * count; a thread about to park first leaves the count, then reads the queue; both sequentially
 * consistent, so one of them sees the other. Unlike the proactor's own pool a thread parks as soon
 * as the queue is empty, without polling first: measured on two CPUs (echo 64 B x32, unpinned),
 * 256 polls cost server CPU per message (8.8 against 7.3 µs) and gained no throughput.
 *
 * <p>How many threads, and whose:
 * <ul>
 * <li>a fixed pool ({@link #fixed}) starts up to its size from the caller's factory, as
 *     {@code withFixedThreadPool} promises, and never more;
 * <li>a growing pool ({@link #growing}: the default group, the file channels, and a group on a
 *     caller's {@code ExecutorService}, whose threads run the pool's loops) keeps its core threads
 *     and adds one when tasks wait, none was taken for {@value #STALL_MILLIS} ms and every thread
 *     is blocked in a handler (the JDK lets the default group's handlers block; see {@link #watch});
 *     an added thread ends after {@value #KEEP_ALIVE_SECONDS} s without work. So a flood of
 *     completions is served by the core threads, where a cached pool added a thread whenever
 *     none was parked at that instant.
 * </ul>
 *
 * <p>A task that waits for an outcome on one of the pool's threads ({@link #helpUntil}) runs the
 * queue's tasks meanwhile, and can be woken like a parked thread, so that a wait on a pool of one
 * thread never waits for itself. Thread-safe; a task that throws is logged and the thread carries on.
 *
 * <p>A Future form's operation needs no thread of the pool at all: its only handler settles the
 * Future (a short lock, a flag, an unpark), with no user code to run. A channel marks such an
 * operation ({@link #deliverDirect}) before it adds that handler, and when the dispatcher hands
 * the finished operation over ({@link #enqueue}, on the dispatcher thread) the pool runs the
 * delivery right there instead of queueing it: no wake-up, no hop. This relies on the proactor
 * handing over the {@link Operation} itself as the task, which its API does not promise; a task
 * that is not a marked operation takes the queue as before, so if that ever changes the Future
 * forms only lose the shortcut ({@code FutureDeliveryTest} then fails and says so).
 */
final class HandlerPool extends AbstractExecutorService implements BatchingExecutor {

    private static final System.Logger LOG = System.getLogger(HandlerPool.class.getName());
    /** How long tasks may wait untaken before a growing pool adds a thread: far above a handler's usual run. */
    static final long STALL_MILLIS = 10;
    /** Looks without a task taken after which a growing pool adds a thread even if one is runnable: a second. */
    static final int LONG_STALL_LOOKS = 100;
    /** How long a thread above a growing pool's core waits for work before it ends, as the JDK's pools. */
    static final long KEEP_ALIVE_SECONDS = 60;

    /** The pool thread the current thread is, if any. */
    private static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    /** Threads parked or about to park, each claimed (and woken) at most once per park. */
    private final ConcurrentLinkedQueue<Worker> idle = new ConcurrentLinkedQueue<>();
    /** Starts a thread's loop: a new thread from a factory, or a task on the caller's executor. */
    private final Executor starter;
    private final int core;
    private final boolean grows;
    /** Threads awake and not running a task; a thread counts as searching from its start. */
    private final AtomicInteger searching = new AtomicInteger();
    /** The threads running now, for the stall check. */
    private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
    /** Threads started and not ended. */
    private final AtomicInteger live = new AtomicInteger();
    /** Tasks taken: what the stall check compares. */
    private final AtomicLong taken = new AtomicLong();
    private final AtomicBoolean watching = new AtomicBoolean();
    /** Operations of Future forms whose delivery runs on the dispatcher: {@link #deliverDirect}. */
    private final Set<Operation<?>> direct = ConcurrentHashMap.newKeySet();
    private volatile boolean shutdown;

    private HandlerPool(Executor starter, int core, boolean grows) {
        this.starter = starter;
        this.core = core;
        this.grows = grows;
    }

    /** At most {@code threads} threads from {@code factory}, started as tasks arrive. */
    static HandlerPool fixed(int threads, ThreadFactory factory) {
        return new HandlerPool(fromFactory(factory), threads, false);
    }

    /** {@code core} threads from {@code factory} and more while every one of them is blocked. */
    static HandlerPool growing(int core, ThreadFactory factory) {
        return new HandlerPool(fromFactory(factory), Math.max(1, core), true);
    }

    /** Loops run as tasks of {@code executor}: {@code core} of them, and more while every one is blocked. */
    static HandlerPool growing(int core, Executor executor) {
        return new HandlerPool(Objects.requireNonNull(executor, "executor"), Math.max(1, core), true);
    }

    private static Executor fromFactory(ThreadFactory factory) {
        Objects.requireNonNull(factory, "factory");
        return loop -> {
            Thread t = factory.newThread(loop);
            if (t == null) {
                throw new RejectedExecutionException("the thread factory made no thread");
            }
            t.start();
        };
    }

    /** Whether the calling thread is one of this pool's. */
    boolean isPoolThread() {
        Worker w = CURRENT.get();
        return w != null && w.pool() == this;
    }

    /**
     * The nesting depth of direct handler calls on the calling pool thread ({@link HandlerInvoker}),
     * or -1 when the calling thread is not this pool's.
     */
    int depth() {
        Worker w = CURRENT.get();
        return w != null && w.pool() == this ? w.depth : -1;
    }

    /** Adds {@code delta} to the calling pool thread's direct-call depth; only after {@link #depth()} said it is one. */
    void addDepth(int delta) {
        CURRENT.get().depth += delta;
    }

    /**
     * Marks {@code op}, a Future form's operation, for delivery on the proactor's dispatcher: its
     * handlers must not block or run a caller's code. Call it once those handlers are added. An
     * operation handed over before the mark (it ended at once, or through {@link #execute} as it
     * ended at initiation) is taken back out of the queue and delivered here, on the calling thread,
     * so no operation marked depends on a pool thread. The first handler must call
     * {@link #forgetDirect}: one a pool thread took first is delivered there, as any task.
     *
     * <p>Against the dispatcher's {@link #enqueue}, which looks for the mark before and after it
     * queues: both sides add or look first, then take the operation from the queue (which hands it
     * to one taker only), so it is delivered exactly once and never left in the queue marked.
     */
    void deliverDirect(Operation<?> op) {
        direct.add(op);
        if (op instanceof Runnable task && queue.remove(task)) {
            direct.remove(op);
            runTask(task);
        } else if (op.isDone()) {
            // Delivered or being delivered on a pool thread already: the mark is not needed.
            direct.remove(op);
        }
    }

    /** Unmarks {@code op}: its delivery is running, here or on the dispatcher. */
    void forgetDirect(Operation<?> op) {
        direct.remove(op);
    }

    /** Queues {@code task} for a pool thread, marked or not: the calling thread may be anyone's. */
    @Override
    public void execute(Runnable task) {
        offer(task);
        flush();
    }

    /**
     * {@inheritDoc} A marked operation ({@link #deliverDirect}) is delivered here, on the
     * dispatcher, even after shutdown: it needs no thread of the pool. Marked as it is queued, it
     * is taken back out and delivered here too.
     */
    @Override
    public void enqueue(Runnable task) {
        if (!(task instanceof Operation<?> op)) {
            offer(task);
            return;
        }
        if (!direct.isEmpty() && direct.remove(op)) {
            runTask(task);
            return;
        }
        offer(task);
        if (direct.remove(op) && queue.remove(task)) {
            runTask(task);
        }
    }

    private void offer(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (shutdown) {
            throw new RejectedExecutionException("the handler pool is shut down");
        }
        queue.offer(task);
        if (shutdown && queue.remove(task)) {
            // Shut down meanwhile and no thread took it: the caller must run it elsewhere.
            throw new RejectedExecutionException("the handler pool is shut down");
        }
    }

    @Override
    public void flush() {
        if (searching.get() == 0 && !queue.isEmpty()) {
            wakeOne();
        }
    }

    /** Wakes a parked thread, else starts one below the core size, else (growing) watches for a stall. */
    private void wakeOne() {
        for (Worker w; (w = idle.poll()) != null; ) {
            if (w.claim()) {
                searching.incrementAndGet();
                LockSupport.unpark(w.thread);
                return;
            }
        }
        if (startBelow(core)) {
            return;
        }
        if (grows) {
            watch();
        }
    }

    /** Starts a thread if fewer than {@code limit} live; true if it did. */
    private boolean startBelow(int limit) {
        for (int n = live.get(); n < limit; n = live.get()) {
            if (live.compareAndSet(n, n + 1)) {
                searching.incrementAndGet();
                try {
                    starter.execute(new Worker()::run);
                } catch (RuntimeException e) {
                    searching.decrementAndGet();
                    ended();
                    LOG.log(Level.WARNING, "could not start a handler thread", e);
                    return false;
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Every thread is busy and tasks wait: a virtual thread looks again every {@value #STALL_MILLIS}
     * ms for as long as that goes on, and adds a thread when none was taken meanwhile and every
     * thread of the pool was blocked (not runnable: waiting on a lock, a latch, a future) at two
     * looks in a row, or when none was taken for {@value #LONG_STALL_LOOKS} looks in a row (a
     * handler in a blocking system call counts as runnable). A thread merely preempted, or a GC
     * pause, adds none; nor does a look that overslept its interval by as much again: the machine
     * itself stalled then (a virtual machine's host can stop it for tens of milliseconds), freezing
     * a thread in whatever state it was, a short monitor wait included, so that look counts
     * neither way. At most one looks per pool at a time.
     */
    private void watch() {
        if (!watching.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("proactor-nio2-stall-watch").start(() -> {
            try {
                long interval = TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS);
                int stalled = 0;
                int blocked = 0;
                while (!shutdown && !queue.isEmpty() && searching.get() == 0) {
                    long before = taken.get();
                    long start = System.nanoTime();
                    LockSupport.parkNanos(this, interval);
                    if (taken.get() != before || queue.isEmpty() || searching.get() != 0) {
                        stalled = 0;
                        blocked = 0;
                    } else if (System.nanoTime() - start <= 2 * interval) {
                        stalled++;
                        blocked = allBlocked() ? blocked + 1 : 0;
                        if (stalled >= LONG_STALL_LOOKS || blocked >= 2) {
                            stalled = 0;
                            blocked = 0;
                            startBelow(Integer.MAX_VALUE);
                        }
                    }
                }
            } finally {
                watching.set(false);
            }
            flush();  // tasks queued as the watch ended, which saw it still watching
        });
    }

    private boolean allBlocked() {
        for (Worker w : workers) {
            Thread t = w.thread;
            if (t == null || t.getState() == Thread.State.RUNNABLE) {
                return false;
            }
        }
        return true;
    }

    private void ended() {
        if (live.decrementAndGet() == 0 && shutdown) {
            synchronized (live) {
                live.notifyAll();
            }
        }
    }

    /**
     * Runs the queue's tasks on the calling pool thread until {@code done} answers true, or until
     * {@code deadline} ({@link System#nanoTime()}) when {@code timed}; parked meanwhile when there
     * are none, woken by a hand-off as an idle thread is, or by whoever makes {@code done} true, who
     * must {@link LockSupport#unpark} the calling thread.
     *
     * @return true once {@code done}, false if the deadline passed first
     * @throws InterruptedException if the calling thread is interrupted while it waits
     * @throws IllegalStateException if the calling thread is not this pool's
     */
    boolean helpUntil(BooleanSupplier done, boolean timed, long deadline) throws InterruptedException {
        Worker w = CURRENT.get();
        if (w == null || w.pool() != this) {
            throw new IllegalStateException(Thread.currentThread() + " is not a thread of this pool");
        }
        try {
            while (!done.getAsBoolean()) {
                Runnable task = queue.poll();
                if (task != null) {
                    taken.incrementAndGet();
                    if (searching.get() == 0 && !queue.isEmpty()) {
                        wakeOne();
                    }
                    runTask(task);
                    continue;
                }
                w.parked.set(true);
                idle.add(w);
                try {
                    while (w.parked.get() && queue.isEmpty() && !done.getAsBoolean()) {
                        if (!timed) {
                            LockSupport.park(this);
                        } else if (deadline - System.nanoTime() > 0) {
                            LockSupport.parkNanos(this, deadline - System.nanoTime());
                        } else {
                            return false;
                        }
                        if (Thread.interrupted()) {
                            throw new InterruptedException();
                        }
                    }
                } finally {
                    if (w.claim()) {
                        idle.remove(w);
                    } else {
                        // A hand-off claimed this thread and counted it searching: it runs tasks, it does not search.
                        searching.decrementAndGet();
                    }
                }
            }
            return true;
        } finally {
            // A hand-off may have woken this thread for a task it now leaves: see that one runs it.
            flush();
        }
    }

    private static void runTask(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "a task on " + Thread.currentThread().getName() + " failed", t);
        }
    }

    private final class Worker {
        /** Set in {@link #run()}, before the thread is ever parked: read by those who claim it. */
        private volatile Thread thread;
        /** True while parked or about to park, until claimed. */
        final AtomicBoolean parked = new AtomicBoolean();
        /** Direct handler calls nested on this thread now ({@link HandlerInvoker}). */
        int depth;
        /** Ended as a thread above the core: {@link #live} already counts it gone. */
        private boolean retired;

        HandlerPool pool() {
            return HandlerPool.this;
        }

        /** Takes this thread out of its parked state; true for the one caller that did. */
        boolean claim() {
            return parked.get() && parked.compareAndSet(true, false);
        }

        void run() {
            thread = Thread.currentThread();
            CURRENT.set(this);
            workers.add(this);
            try {
                loop();
            } finally {
                workers.remove(this);
                CURRENT.remove();
                if (!retired) {
                    ended();
                }
            }
        }

        private void loop() {
            while (true) {
                Runnable task = queue.poll();
                if (task != null) {
                    taken.incrementAndGet();
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
                if (!parkUntilClaimed()) {
                    return;
                }
            }
        }

        /**
         * Parks until a hand-off claims this thread (it counts it searching again); false when the
         * thread is to end instead, a growing pool's thread above the core that had no work for
         * {@value #KEEP_ALIVE_SECONDS} s.
         */
        private boolean parkUntilClaimed() {
            parked.set(true);
            idle.add(this);
            searching.decrementAndGet();
            if ((!queue.isEmpty() || shutdown) && claim()) {
                idle.remove(this);
                searching.incrementAndGet();
                return true;
            }
            long keepAlive = TimeUnit.SECONDS.toNanos(KEEP_ALIVE_SECONDS);
            long deadline = System.nanoTime() + keepAlive;
            while (parked.get()) {
                if (!grows || live.get() <= core) {
                    LockSupport.park(HandlerPool.this);
                    deadline = System.nanoTime() + keepAlive;
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    LockSupport.parkNanos(HandlerPool.this, left);
                } else if (claim()) {
                    idle.remove(this);
                    if (retire()) {
                        return false;
                    }
                    searching.incrementAndGet();
                    return true;
                }
            }
            return true;
        }

        /** Counts this thread gone if the pool keeps more than its core; true if it did. */
        private boolean retire() {
            for (int n = live.get(); n > core; n = live.get()) {
                if (live.compareAndSet(n, n - 1)) {
                    retired = true;
                    return true;
                }
            }
            return false;
        }

    }

    @Override
    public void shutdown() {
        shutdown = true;
        for (Worker w; (w = idle.poll()) != null; ) {
            if (w.claim()) {
                searching.incrementAndGet();
                LockSupport.unpark(w.thread);
            }
        }
    }

    /** As {@link #shutdown()}; tasks not yet taken are returned and never run. */
    @Override
    public List<Runnable> shutdownNow() {
        shutdown();
        List<Runnable> left = new java.util.ArrayList<>();
        for (Runnable r; (r = queue.poll()) != null; ) {
            left.add(r);
        }
        return left;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && live.get() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (live) {
            while (!isTerminated()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(live, left);
            }
        }
        return true;
    }
}
