package dev.proactor.internal.blocking;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link #offer}, {@link #withdraw}, {@link #shutdown} and {@link #close} are called by the
 * dispatcher; the tasks run on the pool's own threads, platform daemon threads named
 * {@code <prefix>N} (N from 1), which make the blocking system calls that a backend cannot wait
 * for on its selector or its ring. Threads start with the first tasks, so a pool that is never
 * offered one never starts a thread.
 *
 * <p>Two shapes: {@link #bounded} (a few threads, since a blocked call holds one and more would
 * not make one disk faster, and a bounded queue whose overflow is back-pressure, as a full
 * submission queue is), and {@link #perCall} (a thread per call, for calls that may wait for ever
 * and so must not hold up another). A task that has started runs to its end: a thread inside a
 * system call cannot be stopped safely. Only a task still queued can be withdrawn.
 *
 * @param <T> the backend's record of the operation a task is for
 */
public final class BlockingPool<T> {

    private final System.Logger log;
    private final String prefix;
    private final int threads;
    private final int capacity;
    private final ThreadPoolExecutor executor;
    /** Every thread the pool made and that has not ended, joined at close. */
    private final Queue<Thread> made = new ConcurrentLinkedQueue<>();
    private final AtomicInteger threadsStarted = new AtomicInteger();

    private BlockingPool(System.Logger log, String prefix, BlockingQueue<Runnable> queue, int core, int max,
            long keepAliveSeconds, int threads, int capacity) {
        this.log = log;
        this.prefix = prefix;
        this.threads = threads;
        this.capacity = capacity;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(core, max, keepAliveSeconds, TimeUnit.SECONDS, queue,
                r -> {
                    Thread t = Thread.ofPlatform().name(prefix + n.incrementAndGet()).daemon(true).unstarted(r);
                    made.add(t);
                    threadsStarted.incrementAndGet();
                    // A thread that ended (an idle per-call thread) is joined by nobody: forget it.
                    made.removeIf(old -> old.getState() == Thread.State.TERMINATED);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * A pool of {@code threads} threads and a queue of {@code capacity} tasks waiting for one.
     *
     * @param log where close reports threads that did not end
     * @param prefix the thread names' prefix, the thread's number follows
     */
    public static <T> BlockingPool<T> bounded(System.Logger log, String prefix, int threads, int capacity) {
        return new BlockingPool<>(log, prefix, new ArrayBlockingQueue<>(capacity), threads, threads, 0L, threads,
                capacity);
    }

    /**
     * A pool that gives each task a thread at once and ends a thread after {@code idleSeconds}
     * without another call. Its threads are bounded only by the calls the caller admits.
     */
    public static <T> BlockingPool<T> perCall(System.Logger log, String prefix, long idleSeconds) {
        return new BlockingPool<>(log, prefix, new SynchronousQueue<>(), 0, Integer.MAX_VALUE, idleSeconds, 0, 0);
    }

    /** How many threads of a bounded pool suit this machine: 2 to 4, following the processor count. */
    public static int defaultThreads() {
        return Math.clamp(Runtime.getRuntime().availableProcessors(), 2, 4);
    }

    /** The bounded pool's thread count; 0 for a per-call pool, which grows with its calls. */
    public int threads() {
        return threads;
    }

    /** How many tasks may wait for a thread; 0 for a per-call pool. */
    public int capacity() {
        return capacity;
    }

    /** Threads started so far, ended ones included. Any thread. */
    public int threadsStarted() {
        return threadsStarted.get();
    }

    /** Queues {@code task}; false when the queue is full (back-pressure) or the pool is shut down. */
    public boolean offer(BlockingTask<? extends T> task) {
        try {
            executor.execute(task);
            return true;
        } catch (RejectedExecutionException full) {
            return false;
        }
    }

    /**
     * Takes {@code task} back if no pool thread has started it; returns whether it did. A
     * withdrawn task never runs, even if a thread dequeues it before it is removed here.
     */
    public boolean withdraw(BlockingTask<? extends T> task) {
        if (!task.withdraw()) {
            return false;
        }
        executor.remove(task);
        return true;
    }

    /**
     * Stops taking tasks and returns the owners of those that had not started (withdrawn: they
     * will never run). Tasks already running go on; the caller may unblock them (by closing what
     * they wait on) and then waits in {@link #awaitTermination}.
     */
    @SuppressWarnings("unchecked") // only BlockingTask<? extends T> is ever offered
    public List<T> shutdown() {
        executor.shutdown();
        List<T> left = new ArrayList<>();
        for (Runnable r : executor.getQueue().toArray(new Runnable[0])) {
            BlockingTask<? extends T> task = (BlockingTask<? extends T>) r;
            if (executor.remove(task) && task.withdraw()) {
                left.add(task.owner());
            }
        }
        return left;
    }

    /** Waits up to {@code nanos} for every pool thread to end; returns whether they did. */
    public boolean awaitTermination(long nanos) {
        long end = System.nanoTime() + nanos;
        try {
            if (!executor.awaitTermination(nanos, TimeUnit.NANOSECONDS)) {
                return false;
            }
            // A terminated executor's threads may still be on their way out; the contract is that
            // none remains once close returns.
            return joinAll(end).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return executor.isTerminated();
        }
    }

    /** Interrupts pool threads still running after the wait, as a last resort, and logs how many. */
    public void abandon() {
        log.log(Level.WARNING, prefix + "* threads still busy after close; interrupting them ("
                + executor.getActiveCount() + " active)");
        executor.shutdownNow();
    }

    /**
     * Stops the pool at once: tasks that never started are dropped (their operations were
     * withdrawn or abandoned already), running ones get {@code wait} to end, and every thread is
     * joined. Returns false, after logging which threads are still inside a call, when they did
     * not end.
     */
    public boolean close(Duration wait) {
        executor.shutdownNow();
        long end = System.nanoTime() + wait.toNanos();
        List<Thread> stuck;
        try {
            stuck = joinAll(end);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stuck = List.copyOf(made);
        }
        if (!stuck.isEmpty()) {
            log.log(Level.WARNING, prefix + "* threads still inside a blocking call at close: " + stuck);
            return false;
        }
        return true;
    }

    /** Joins every thread made, until {@code end} (System.nanoTime); returns those still alive. */
    private List<Thread> joinAll(long end) throws InterruptedException {
        List<Thread> stuck = new ArrayList<>();
        for (Thread t : made) {
            long left = end - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                stuck.add(t);
            }
        }
        return stuck;
    }
}
