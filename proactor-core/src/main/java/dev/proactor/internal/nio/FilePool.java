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
 * that run file requests as blocking calls, fed by a bounded queue; or, made by
 * {@link #forStreams}, the threads for reads and writes of pipes, FIFOs and character devices,
 * one per call.
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
        this(name + "-file-", new ArrayBlockingQueue<>(capacity), threads, threads, 0L, threads, capacity, done);
    }

    private FilePool(String prefix, java.util.concurrent.BlockingQueue<Runnable> queue, int core, int max, long keepAliveSeconds,
            int threads, int capacity, Consumer<NioOp> done) {
        this.done = done;
        this.threads = threads;
        this.capacity = capacity;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(core, max, keepAliveSeconds, TimeUnit.SECONDS, queue,
                r -> {
                    Thread t = Thread.ofPlatform().name(prefix + n.incrementAndGet()).daemon(true).unstarted(r);
                    started.add(t);
                    // A thread that ended (an idle stream thread) is joined by nobody: forget it.
                    started.removeIf(old -> old.getState() == Thread.State.TERMINATED);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * The pool for calls on pipes, FIFOs and character devices ({@code <proactor>-file-stream-N}),
     * whose reads may wait for ever for a writer: a thread per call, started when the call comes
     * and ended after {@value #STREAM_IDLE_SECONDS} s idle, so that no waiting call ever holds up
     * another, nor a regular file's call on the bounded pool. Their number is bounded by the calls
     * pending on such files, which admission bounds. The JDK's FileChannel close signals a thread
     * blocked in a read of the channel, so closing the file ends the call.
     */
    static FilePool forStreams(String name, Consumer<NioOp> done) {
        return new FilePool(name + "-file-stream-", new java.util.concurrent.SynchronousQueue<>(), 0, Integer.MAX_VALUE,
                STREAM_IDLE_SECONDS, 0, 0, done);
    }

    /** How long an idle stream thread waits for another call before it ends. */
    static final long STREAM_IDLE_SECONDS = 10;

    /** How many file threads suit this machine: 2 to 4, following the processor count. */
    static int defaultThreads() {
        return Math.clamp(Runtime.getRuntime().availableProcessors(), 2, 4);
    }

    /** The bounded pool's thread count; 0 for the stream pool, which grows with its calls. */
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
