package dev.proactor.bench;

import dev.proactor.BackendChoice;
import dev.proactor.ResultHandler;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.ProactorException;
import dev.proactor.internal.uring.CompletionQueue;
import dev.proactor.internal.uring.Ring;
import dev.proactor.internal.uring.RingOptions;
import dev.proactor.internal.uring.RingSetupException;
import dev.proactor.internal.uring.SubmissionQueue;
import dev.proactor.internal.uring.ffi.IoUringConstants;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one round trip through the kernel with nothing to do: an {@code IORING_OP_NOP}.
 *
 * <p>Contenders, all on one io_uring per fork:
 * <ul>
 *   <li>{@code proactorAwait}: {@code proactor.nop().await()}, one at a time. The benchmark thread
 *       hands the operation to the dispatcher thread and parks until it completes.</li>
 *   <li>{@code proactorHandler}: one at a time, with a completion handler that wakes the benchmark
 *       thread; the path that should allocate nothing.</li>
 *   <li>{@code proactorBatch32}: initiates 32 nops, then waits until the 32 handlers have run.</li>
 *   <li>{@code proactorPipelined}: {@value #PIPELINED} nops per invocation in {@code chains}
 *       chains (1 or 32) on a proactor with inline handlers, where each nop's handler, on the
 *       dispatcher, initiates the next nop of its chain ({@link NopChains}); the benchmark thread
 *       is woken once per invocation. No thread hand-off per operation: the engine alone, and the
 *       fair comparison with the raw loops ({@code chains=1} with {@code rawSingle},
 *       {@code chains=32} with {@code rawBatch32}).</li>
 *   <li>{@code rawSingle} and {@code rawBatch32}: the baseline, a loop on the benchmark thread over
 *       the same system call through the raw ring classes ({@link Ring}, {@link SubmissionQueue},
 *       {@link CompletionQueue}): prepare one (or 32) NOP SQEs, one {@code io_uring_enter} that
 *       submits them and waits for as many completions, reap.</li>
 * </ul>
 * The other proactor contenders run once with handlers on the dispatcher ({@code handlers=inline}) and
 * once on the proactor's worker pool ({@code handlers=worker}).
 *
 * <p>The raw loop needs no second thread; a proactor always crosses one (the dispatcher), so the
 * single round trip measures the hand-off as much as the kernel call; {@code threadHandoff} prices
 * that hand-off alone (two threads waking each other, no system call of its own). The batched figures are the
 * ones the project's target speaks of (proactor at least 0.80x the raw loop's operations per
 * second). Bytes per operation: run with {@code -prof gc} and read {@code gc.alloc.rate.norm}.
 */
public class NopRoundTrip extends BenchmarkBase {

    /** Operations per batch; the raw ring is sized for it. */
    static final int BATCH = 32;

    /** Nops per invocation of the pipelined benchmark: one wake-up of the benchmark thread each. */
    static final int PIPELINED = 32_768;

    /** A proactor on the io_uring backend, opened once per fork. */
    @State(Scope.Benchmark)
    public static class ProactorState {

        /** Where handlers run: {@code inline} on the dispatcher, {@code worker} on the pool. */
        @Param({"inline", "worker"})
        public String handlers;

        Proactor proactor;
        Thread waiter;
        final AtomicInteger remaining = new AtomicInteger();
        volatile ProactorException failure;
        final CompletionMailbox mailbox = new CompletionMailbox(BATCH);

        /** Counts one batch down and wakes the benchmark thread when the batch has ended. */
        final ResultHandler<Object> countDown = (result, failed) -> {
            if (failed != null) {
                failure = failed;
            }
            if (remaining.decrementAndGet() == 0) {
                LockSupport.unpark(waiter);
            }
        };

        /** Posts to the mailbox, for one operation at a time. */
        final ResultHandler<Object> single = (result, failed) -> {
            if (failed != null) {
                failure = failed;
            }
            mailbox.post(0);
        };

        /** One reusable nop per slot of a batch, each counting the batch down; made on first use. */
        dev.proactor.ReusableOperation<?>[] batch;

        @Setup(Level.Trial)
        public void open() {
            ProactorConfig.Builder b = ProactorConfig.builder()
                    .name("bench-nop")
                    .backend(BackendChoice.IO_URING)
                    .bufferCount(0);
            if (handlers.equals("inline")) {
                b.inlineHandlers(true);
            } else if (!handlers.equals("worker")) {
                throw new IllegalArgumentException("handlers must be inline or worker: " + handlers);
            }
            proactor = Proactor.open(b.build());
        }

        @TearDown(Level.Trial)
        public void close() {
            proactor.close();
        }

        void check() {
            ProactorException f = failure;
            if (f != null) {
                throw new IllegalStateException("a nop failed; the numbers would be meaningless", f);
            }
        }
    }

    /** A proactor with inline handlers, for the pipelined chains; opened once per fork. */
    @State(Scope.Benchmark)
    public static class PipelineState {

        /** Nops in flight at once: one chain per nop. */
        @Param({"1", "32"})
        public int chains;

        /** {@code new}: a new operation per nop; {@code reuse}: one {@code reusableNop} per chain, restarted. */
        @Param({"new", "reuse"})
        public String ops;

        Proactor proactor;
        NopChains nops;

        @Setup(Level.Trial)
        public void open() {
            proactor = Proactor.open(ProactorConfig.builder()
                    .name("bench-pipelined")
                    .backend(BackendChoice.IO_URING)
                    .bufferCount(0)
                    .inlineHandlers(true)
                    .build());
            if (!ops.equals("new") && !ops.equals("reuse")) {
                throw new IllegalArgumentException("ops must be new or reuse: " + ops);
            }
            nops = new NopChains(proactor, ops.equals("reuse"));
        }

        @TearDown(Level.Trial)
        public void close() {
            proactor.close();
        }
    }

    /**
     * A raw ring owned by the benchmark thread (thread scope: the ring is single-issuer, and JMH
     * runs a thread-scoped setup on the thread that then runs the benchmark).
     */
    @State(Scope.Thread)
    public static class RawState {
        Ring ring;
        SubmissionQueue sq;
        CompletionQueue cq;
        int reaped;
        int errors;
        final CompletionQueue.CqeHandler onCqe = (userData, res, flags) -> {
            reaped++;
            if (res < 0) {
                errors++;
            }
        };

        @Setup(Level.Trial)
        public void open() throws RingSetupException {
            ring = Ring.open(RingOptions.defaults().withSizes(BATCH * 2, BATCH * 4));
            sq = ring.sq();
            cq = ring.cq();
        }

        @TearDown(Level.Trial)
        public void close() {
            ring.close();
        }

        /** Submits what is prepared with one enter that waits for {@code n}, then reaps {@code n}. */
        void submitAndReap(int n) {
            reaped = 0;
            int r = ring.enter(sq.flushTail(), n, IoUringConstants.IORING_ENTER_GETEVENTS);
            if (r < 0 && r != -4 /* EINTR */) {
                throw new IllegalStateException("io_uring_enter: " + r);
            }
            cq.drain(onCqe, BATCH);
            while (reaped < n) {
                // Only after a signal or an early wake-up; the common case reaps all n above.
                ring.enter(sq.flushTail(), n - reaped, IoUringConstants.IORING_ENTER_GETEVENTS);
                cq.drain(onCqe, BATCH);
            }
            if (errors != 0) {
                throw new IllegalStateException(errors + " NOP CQEs failed");
            }
        }
    }

    /**
     * No kernel call at all: the benchmark thread wakes a second thread and waits to be woken back,
     * through the same {@link CompletionMailbox} the handler benchmarks use. It prices the thread
     * hand-off that every proactor round trip contains and the raw loop does not.
     */
    @State(Scope.Benchmark)
    public static class HandoffState {
        final CompletionMailbox toEcho = new CompletionMailbox(BATCH);
        final CompletionMailbox back = new CompletionMailbox(BATCH);
        Thread echo;

        @Setup(Level.Trial)
        public void start() {
            echo = Thread.ofPlatform().name("bench-echo").daemon().start(() -> {
                int slot;
                while ((slot = toEcho.take()) != STOP) {
                    back.post(slot);
                }
            });
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            toEcho.post(STOP);
            echo.join();
        }

        static final int STOP = 7;
    }

    /** A wake-up of another thread and back, with no system call of the benchmark's own. */
    @Benchmark
    public int threadHandoff(HandoffState s) {
        s.toEcho.post(0);
        return s.back.take();
    }

    /** One nop, awaited by the calling thread. */
    @Benchmark
    public Object proactorAwait(ProactorState s) throws Exception {
        return s.proactor.nop().await();
    }

    /** One nop whose handler wakes the calling thread. */
    @Benchmark
    public int proactorHandler(ProactorState s) {
        s.proactor.nop().onComplete(s.single);
        int slot = s.mailbox.take();
        s.check();
        return slot;
    }

    /** 32 nops initiated back to back; returns when all 32 handlers have run. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int proactorBatch32(ProactorState s) {
        s.waiter = Thread.currentThread();
        s.remaining.set(BATCH);
        Proactor p = s.proactor;
        for (int i = 0; i < BATCH; i++) {
            p.nop().onComplete(s.countDown);
        }
        while (s.remaining.get() != 0) {
            LockSupport.park(s);
        }
        s.check();
        return BATCH;
    }

    /**
     * 32 reusable nops restarted back to back; returns when all 32 handlers have run. The batch of
     * {@code proactorBatch32} with no operation allocated per nop.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int proactorBatch32Reusable(ProactorState s) throws Exception {
        s.waiter = Thread.currentThread();
        s.remaining.set(BATCH);
        if (s.batch == null) {
            s.batch = new dev.proactor.ReusableOperation<?>[BATCH];
            for (int i = 0; i < BATCH; i++) {
                s.batch[i] = s.proactor.reusableNop(s.countDown);
            }
        } else {
            for (dev.proactor.ReusableOperation<?> op : s.batch) {
                op.restart();
            }
        }
        while (s.remaining.get() != 0) {
            LockSupport.park(s);
        }
        for (dev.proactor.ReusableOperation<?> op : s.batch) {
            // Its handler counted down before its delivery ended; the next restart needs that end.
            op.await();
        }
        s.check();
        return BATCH;
    }

    /**
     * {@value #PIPELINED} nops in {@code chains} chains, each handler (on the dispatcher) initiating
     * the next nop of its chain; one wake-up of the benchmark thread per invocation.
     */
    @Benchmark
    @OperationsPerInvocation(PIPELINED)
    public int proactorPipelined(PipelineState s) {
        return s.nops.run(s.chains, PIPELINED);
    }

    /** One NOP SQE, one {@code io_uring_enter(1, 1, GETEVENTS)}, one CQE. */
    @Benchmark
    public int rawSingle(RawState s) {
        s.sq.prepNop(1L);
        s.submitAndReap(1);
        return s.reaped;
    }

    /** 32 NOP SQEs, one {@code io_uring_enter(32, 32, GETEVENTS)}, 32 CQEs. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int rawBatch32(RawState s) {
        for (int i = 0; i < BATCH; i++) {
            s.sq.prepNop(i);
        }
        s.submitAndReap(BATCH);
        return s.reaped;
    }
}
