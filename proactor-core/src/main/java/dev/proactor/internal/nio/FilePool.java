package dev.proactor.internal.nio;

import dev.proactor.internal.blocking.BlockingPool;
import dev.proactor.internal.blocking.BlockingTask;
import java.util.List;
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
 *
 * <p>The threads, the queue and the started-or-withdrawn race are the shared
 * {@link BlockingPool}'s; this class adds what a file call is here: {@link FileCalls} on an
 * {@link NioOp}, its failure turned into an errno, and the op handed to the sink.
 */
final class FilePool {
    private static final System.Logger LOG = System.getLogger("dev.proactor.nio");

    private final BlockingPool<NioOp> pool;
    private final Consumer<NioOp> done;
    private final AtomicLong calls = new AtomicLong();

    /**
     * @param name the proactor's name, the prefix of the thread names
     * @param threads how many file threads
     * @param capacity how many tasks may wait for a thread
     * @param done receives every task that ran, on the file thread that ran it
     */
    FilePool(String name, int threads, int capacity, Consumer<NioOp> done) {
        this(BlockingPool.bounded(LOG, name + "-file-", threads, capacity), done);
    }

    private FilePool(BlockingPool<NioOp> pool, Consumer<NioOp> done) {
        this.pool = pool;
        this.done = done;
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
        return new FilePool(BlockingPool.perCall(LOG, name + "-file-stream-", STREAM_IDLE_SECONDS), done);
    }

    /** How long an idle stream thread waits for another call before it ends. */
    static final long STREAM_IDLE_SECONDS = 10;

    /** How many file threads suit this machine: 2 to 4, following the processor count. */
    static int defaultThreads() {
        return BlockingPool.defaultThreads();
    }

    /** The bounded pool's thread count; 0 for the stream pool, which grows with its calls. */
    int threads() {
        return pool.threads();
    }

    int capacity() {
        return pool.capacity();
    }

    /** The task that runs {@code op}'s file call on this pool, made once per op. */
    BlockingTask<NioOp> taskFor(NioOp op) {
        return new BlockingTask<>(op, this::perform);
    }

    /** Queues {@code op}; false when the queue is full (back-pressure) or the pool is shut down. */
    boolean offer(NioOp op) {
        return pool.offer(op.task());
    }

    /**
     * Takes {@code op} back if no file thread has started it; returns whether it did. A withdrawn
     * task never runs, even if a thread dequeues it before it is removed here.
     */
    boolean withdraw(NioOp op) {
        return pool.withdraw(op.task());
    }

    /** Runs on a file thread: performs the request and hands the op to the sink, whatever happened. */
    private void perform(NioOp op) {
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
        return pool.shutdown();
    }

    /** Waits up to {@code nanos} for every file thread to end; returns whether they did. */
    boolean awaitTermination(long nanos) {
        return pool.awaitTermination(nanos);
    }

    /** Interrupts file threads still running after the wait, as a last resort; logs how many. */
    void abandon() {
        pool.abandon();
    }
}
