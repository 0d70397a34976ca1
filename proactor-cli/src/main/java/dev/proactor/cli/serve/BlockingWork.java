package dev.proactor.cli.serve;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The server's own threads for the few steps that may block: a directory listing (it reads the
 * directory by path), the real path of the EXDEV fallback and of a listed directory
 * ({@code realpath}), and the access log's writes to standard output. By default serve's handlers
 * run on the dispatcher thread ({@code inlineHandlers}), which must never block, since every
 * completion of that proactor waits behind it; such a step is therefore handed to these threads,
 * and what it does next (a send, an open) is initiated from there. With {@code --workers N} the
 * handlers run on workers, and the blocking steps still come here, so that no worker is held by a
 * slow disk either.
 *
 * <p>The threads ({@code serve-blocking-N}, as many as the cores and at least two) start when
 * work first comes and end after 10 s without any. The queue is unbounded but bounded in practice:
 * a connection has at most one step here at a time (it handles one request at a time), and the
 * access log at most one write. {@link #close} ends the threads after the last proactor closed.
 */
final class BlockingWork {
    private static final Duration IDLE = Duration.ofSeconds(10);

    private final ThreadPoolExecutor pool;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet(); // every one made, for close to join
    /** For tests: told of each blocking call, on the thread that makes it; null for none. */
    private volatile Consumer<String> observer;

    BlockingWork() {
        int size = Math.max(2, Runtime.getRuntime().availableProcessors());
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(size, size, IDLE.toMillis(), TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = Thread.ofPlatform().name("serve-blocking-" + n.incrementAndGet()).daemon(true)
                            .unstarted(r);
                    threads.removeIf(x -> x.getState() == Thread.State.TERMINATED); // timed out since
                    threads.add(t);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs {@code work} on one of these threads, soon. After {@link #close} it is refused with
     * {@link java.util.concurrent.RejectedExecutionException}: by then no proactor delivers.
     */
    void execute(Runnable work) {
        blocking(HAND_OFF);
        pool.execute(work);
    }

    /** What {@link #observe}'s observer is told, on the caller's thread, when work is handed here. */
    static final String HAND_OFF = "hand-off";

    /** Called just before a blocking call {@code what}, on the thread making it; tests see where it ran. */
    void blocking(String what) {
        Consumer<String> o = observer;
        if (o != null) {
            o.accept(what);
        }
    }

    /**
     * Tests: {@code o} is told of every blocking call from now on, on the thread making it, and of
     * every {@link #execute} ({@link #HAND_OFF}), on the thread handing the work over.
     */
    void observe(Consumer<String> o) {
        observer = o;
    }

    /**
     * Ends the threads once the work given so far is done, waiting at most {@code deadline} for
     * them to end (the pool's termination comes a moment before its last thread's).
     *
     * @return whether every thread ended
     */
    boolean close(Duration deadline) throws InterruptedException {
        pool.shutdown();
        long end = System.nanoTime() + deadline.toNanos();
        for (Thread t : threads) {
            long left = end - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }
}
