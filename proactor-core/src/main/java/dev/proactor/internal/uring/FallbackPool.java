package dev.proactor.internal.uring;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link #offer} and {@link #close} are called by the dispatcher; the tasks run on the pool's own
 * threads: the io_uring backend's fallback threads, platform daemon threads named
 * {@code <proactor>-uring-fallback-N} that make the blocking file system calls of operations whose
 * opcode the kernel's probe lacks. Nothing exists until the first offer, so a backend whose kernel
 * has every opcode never starts a thread.
 *
 * <p>Bounded both ways: a few threads (a blocked call holds one, and more would not make one disk
 * faster) and a queue whose overflow is back-pressure, as a full submission queue is. A task that
 * has started runs to its end: a thread inside a system call cannot be stopped safely.
 */
final class FallbackPool {
    private static final System.Logger LOG = System.getLogger("dev.proactor.uring");

    /** How long close waits for calls still running before it gives up on their threads. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final String name;
    private final int threads;
    private final int capacity;
    private ThreadPoolExecutor executor;
    /** Every thread the pool made, joined at close. */
    private final List<Thread> made = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param name the proactor's name, the prefix of the thread names
     * @param threads the most threads
     * @param capacity the most tasks waiting for a thread
     */
    FallbackPool(String name, int threads, int capacity) {
        this.name = name;
        this.threads = threads;
        this.capacity = capacity;
    }

    /** How many threads suit this machine: 2 to 4, following the processor count. */
    static int defaultThreads() {
        return Math.clamp(Runtime.getRuntime().availableProcessors(), 2, 4);
    }

    /** Queues {@code task}; false when the queue is full (back-pressure) or the pool is closed. */
    boolean offer(Runnable task) {
        if (executor == null) {
            AtomicInteger n = new AtomicInteger();
            executor = new ThreadPoolExecutor(threads, threads, 0L, TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(capacity),
                    r -> {
                        Thread t = Thread.ofPlatform().name(name + "-uring-fallback-" + n.incrementAndGet())
                                .daemon(true).unstarted(r);
                        made.add(t);
                        return t;
                    },
                    new ThreadPoolExecutor.AbortPolicy());
        }
        try {
            executor.execute(task);
            return true;
        } catch (RejectedExecutionException full) {
            return false;
        }
    }

    /** Threads started so far (0 until a fallback ran). */
    int threadsStarted() {
        return made.size();
    }

    /**
     * Stops the pool: tasks that never started are dropped (their operations were withdrawn or
     * abandoned already), running ones get {@link #CLOSE_WAIT} to end, and every thread is joined.
     * Returns false, after logging which threads are still inside a call, when they did not end.
     */
    boolean close() {
        if (executor == null) {
            return true;
        }
        executor.shutdownNow();
        long end = System.nanoTime() + CLOSE_WAIT.toNanos();
        List<Thread> stuck = new ArrayList<>();
        try {
            for (Thread t : made) {
                long left = end - System.nanoTime();
                if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                    stuck.add(t);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!stuck.isEmpty()) {
            LOG.log(Level.WARNING, "fallback threads still inside a blocking call at close: " + stuck);
            return false;
        }
        return true;
    }
}
