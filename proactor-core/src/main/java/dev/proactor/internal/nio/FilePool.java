package dev.proactor.internal.nio;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@link #offer}, {@link #withdraw} and {@link #shutdown} are called by the dispatcher, and the file
 * threads call the {@code done} sink given at construction once per task they ran: the portable
 * backend's file threads, a fixed number of platform daemon threads named {@code <proactor>-file-N}
 * that run file requests as blocking calls, fed by a bounded queue.
 *
 * <p>Files have no readiness, so a selector cannot wait for them; the JDK's own asynchronous file
 * channel does the same (a thread pool around blocking positional calls). The queue is bounded so
 * that a full pool pushes back: {@link #offer} returns false and the dispatcher keeps the request
 * for a later turn, as a full submission queue does on io_uring.
 *
 * <p>A task that has started runs to its end: a positional FileChannel call cannot be stopped
 * safely (interrupting the thread closes the channel for every other user of the file). Only a
 * task still in the queue can be withdrawn.
 */
final class FilePool {
    private static final System.Logger LOG = System.getLogger("dev.proactor.nio");

    private final ThreadPoolExecutor executor;
    /** Every thread the pool made, joined at close. */
    private final java.util.Queue<Thread> started = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Consumer<NioOp> done;
    private final AtomicLong calls = new AtomicLong();
    private final int threads;
    private final int capacity;

    /**
     * @param name the proactor's name, the prefix of the thread names
     * @param threads how many file threads
     * @param capacity how many tasks may wait for a thread
     * @param done receives every task that ran, on the file thread that ran it
     */
    FilePool(String name, int threads, int capacity, Consumer<NioOp> done) {
        this.done = done;
        this.threads = threads;
        this.capacity = capacity;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0L, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(capacity),
                r -> {
                    Thread t = Thread.ofPlatform().name(name + "-file-" + n.incrementAndGet()).daemon(true).unstarted(r);
                    started.add(t);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** How many file threads suit this machine: 2 to 4, following the processor count. */
    static int defaultThreads() {
        return Math.clamp(Runtime.getRuntime().availableProcessors(), 2, 4);
    }

    int threads() {
        return threads;
    }

    int capacity() {
        return capacity;
    }

    /** Queues {@code op}; false when the queue is full (back-pressure) or the pool is shut down. */
    boolean offer(NioOp op) {
        try {
            executor.execute(op);
            return true;
        } catch (RejectedExecutionException full) {
            return false;
        }
    }

    /**
     * Takes {@code op} back if no file thread has started it; returns whether it did. A withdrawn
     * task never runs, even if a thread dequeues it before it is removed here.
     */
    boolean withdraw(NioOp op) {
        if (!op.withdraw()) {
            return false;
        }
        executor.remove(op);
        return true;
    }

    /** Runs on a file thread: performs the request and hands the op to the sink, whatever happened. */
    void perform(NioOp op) {
        calls.incrementAndGet();
        VirtualMachineError fatal = null;
        try {
            FileCalls.perform(op);
        } catch (Throwable t) {
            op.errno = NioErrno.of(t, String.valueOf(op.request));
            if (t instanceof VirtualMachineError e) {
                fatal = e;
            }
        }
        // Delivered even after a VM error: the operation must not stay pending for ever.
        done.accept(op);
        if (fatal != null) {
            throw fatal;
        }
    }

    /** Blocking calls made on the file threads so far. Any thread. */
    long calls() {
        return calls.get();
    }

    /**
     * Stops taking tasks and returns those that had not started (withdrawn: they will never run).
     * Tasks already running go on; the caller unblocks them by closing their channels and then
     * waits in {@link #awaitTermination}.
     */
    List<NioOp> shutdown() {
        executor.shutdown();
        List<NioOp> left = new java.util.ArrayList<>();
        for (Runnable r : executor.getQueue().toArray(new Runnable[0])) {
            NioOp op = (NioOp) r;
            if (executor.remove(op) && op.withdraw()) {
                left.add(op);
            }
        }
        return left;
    }

    /** Waits up to {@code nanos} for every file thread to end; returns whether they did. */
    boolean awaitTermination(long nanos) {
        long end = System.nanoTime() + nanos;
        try {
            if (!executor.awaitTermination(nanos, TimeUnit.NANOSECONDS)) {
                return false;
            }
            // A terminated executor's threads may still be on their way out; the contract is that
            // none remains once close returns.
            for (Thread t : started) {
                long left = end - System.nanoTime();
                if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return executor.isTerminated();
        }
    }

    /** Interrupts file threads still running after the wait, as a last resort; logs who they were. */
    void abandon() {
        LOG.log(Level.WARNING, "file threads still busy after close; interrupting them (" + executor.getActiveCount()
                + " active)");
        executor.shutdownNow();
    }
}
