package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import dev.proactor.test.ThreadAllocation;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** A reusable operation runs again on the same object, only once delivered, and allocates nothing per run. */
class ReusableOperationContractTest {

    private static final int RUNS = 500;

    @EachBackend
    void restartFromItsOwnHandlerRunsAgainUntilStopped(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<Throwable> trouble = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<ReusableOperation<Void>> self = new AtomicReference<>();
        CountDownLatch made = new CountDownLatch(1);
        ReusableOperation<Void> op = p.reusableNop((v, failure) -> {
            try {
                made.await();
                ReusableOperation<Void> me = self.get();
                if (failure != null) {
                    trouble.set(failure);
                }
                assertThat(me.state()).isEqualTo(OperationState.COMPLETED);
                ids.add(me.id());
                if (runs.incrementAndGet() < RUNS) {
                    me.restart();
                    assertThatThrownBy(me::restart).as("a second restart from the same delivery")
                            .isInstanceOf(IllegalStateException.class);
                } else {
                    done.countDown();
                }
            } catch (Throwable t) {
                trouble.compareAndSet(null, t);
                done.countDown();
            }
        });
        self.set(op);
        made.countDown();
        assertThat(done.await(60, TimeUnit.SECONDS)).as("%d runs so far", runs.get()).isTrue();
        assertThat(trouble.get()).isNull();
        assertThat(runs.get()).isEqualTo(RUNS);
        assertThat(ids).as("a new id per run").hasSize(RUNS);
        assertThat(op.await()).isNull();
        assertThat(p.metrics().kinds().get(OperationKind.NOP).completed()).isEqualTo(RUNS);
    }

    /**
     * A restart from another thread while the run's handler still runs (a handler on another worker
     * restarting an operation whose own handler has not returned) begins the next run as that
     * delivery ends, not before; a second ask for the same run is refused.
     */
    @EachBackend
    void aRestartWhileTheRunIsDeliveredBeginsAsTheDeliveryEnds(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        ReusableOperation<Void> op = p.reusableNop((v, failure) -> {
            if (runs.incrementAndGet() == 1) {
                inHandler.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                second.countDown();
            }
        });
        assertThat(inHandler.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(op.state()).as("published while its handler runs").isEqualTo(OperationState.COMPLETED);
        long first = op.id();
        assertThat(op.restart()).isSameAs(op);
        assertThatThrownBy(op::restart).as("the next run was already asked for")
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already asked for");
        assertThat(runs.get()).as("the next run waits for the delivery to end").isEqualTo(1);
        assertThat(op.id()).isEqualTo(first);
        release.countDown();
        assertThat(second.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(op.await()).isNull();
        assertThat(op.id()).isNotEqualTo(first);
        assertThat(runs.get()).isEqualTo(2);
    }

    /**
     * The run's own handler and another thread ask for the next run at the same moment, while the
     * run is delivered: of the two asks exactly one is taken and the other refused, run after run,
     * and each taken ask begins one run. The two threads meet at a barrier in each delivery and ask
     * at once; the window where both could be taken is a few instructions wide, so a pass here does
     * not prove its absence, a failure proves a lost or a doubled ask.
     */
    @EachBackend
    void twoSimultaneousAsksForTheNextRunTakeOneAndRefuseTheOther(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        int races = 300;
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger taken = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicReference<Throwable> trouble = new AtomicReference<>();
        AtomicReference<ReusableOperation<Void>> self = new AtomicReference<>();
        CountDownLatch made = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        ReusableOperation<Void> op = p.reusableNop((v, failure) -> {
            try {
                made.await();
                if (runs.incrementAndGet() > races) {
                    done.countDown();
                    together.await(60, TimeUnit.SECONDS);  // lets the other thread see the end
                    return;
                }
                together.await(60, TimeUnit.SECONDS);
                ask(self.get(), taken, refused);
                together.await(60, TimeUnit.SECONDS);  // the other thread asked too, during this delivery
            } catch (Throwable t) {
                trouble.compareAndSet(null, t);
                done.countDown();
            }
        });
        self.set(op);
        Thread other = Thread.ofPlatform().name("second-asker").start(() -> {
            try {
                while (true) {
                    together.await(60, TimeUnit.SECONDS);
                    if (done.getCount() == 0) {
                        return;
                    }
                    ask(op, taken, refused);
                    together.await(60, TimeUnit.SECONDS);
                }
            } catch (Throwable t) {
                trouble.compareAndSet(null, t);
                done.countDown();
            }
        });
        made.countDown();
        assertThat(done.await(120, TimeUnit.SECONDS)).as("%d runs so far", runs.get()).isTrue();
        other.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(trouble.get()).isNull();
        assertThat(taken.get()).as("asks taken, one per race").isEqualTo(races);
        assertThat(refused.get()).as("asks refused, one per race").isEqualTo(races);
        assertThat(runs.get()).as("runs: the first and one per taken ask").isEqualTo(races + 1);
        assertThat(op.await()).isNull();
    }

    private static void ask(ReusableOperation<?> op, AtomicInteger taken, AtomicInteger refused) {
        try {
            op.restart();
            taken.incrementAndGet();
        } catch (IllegalStateException e) {
            assertThat(e).hasMessageContaining("already asked for");
            refused.incrementAndGet();
        }
    }

    /** A run still in the kernel (a receive with nothing to receive) cannot be restarted. */
    @EachBackend
    void restartIsRefusedWhileTheRunIsPending(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        try {
            AtomicInteger runs = new AtomicInteger();
            ReusableOperation<Integer> read = c.server().reusableRead(ByteBuffer.allocateDirect(8),
                    (n, failure) -> runs.incrementAndGet());
            assertThatThrownBy(read::restart).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has not been delivered yet");
            assertThat(Ops.result(c.client().writeAll(ByteBuffer.wrap(new byte[] {7})))).isEqualTo(1L);
            assertThat(read.await()).isEqualTo(1);
            assertThat(runs.get()).isEqualTo(1);
        } finally {
            c.close();
            Ops.result(listener.closeAsync());
        }
    }

    @EachBackend
    void aRunTheClosedProactorRefusesFailsToTheHandler(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        AtomicReference<ProactorException> last = new AtomicReference<>();
        ReusableOperation<Void> op = p.reusableNop((v, failure) -> last.set(failure));
        op.await();
        p.close();
        op.restart();
        assertThatThrownBy(op::await).isInstanceOf(ProactorClosedException.class);
        assertThat(last.get()).isInstanceOf(ProactorClosedException.class);
    }

    /**
     * The steady state allocates nothing: chains of reusable nops on a proactor with inline
     * handlers run wholly on the dispatcher, whose allocated bytes are counted over a short and a
     * four times longer run of the same chains. A per-run allocation would grow with the runs;
     * what does not (a queue's growth, a lazily made lookup) is the same in both.
     */
    @EachBackend
    void chainsOfReusableNopsAllocateNothingPerRunOnTheDispatcher(ProactorFixture fixture) throws Exception {
        ThreadAllocation threads = countingAllocation(fixture);
        Proactor p = fixture.open(fixture.config().inlineHandlers(true));
        Chains chains = new Chains(p, 32);
        long[] dispatcher = {ThreadAllocation.dispatcherThread(fixture.nameOf(p))};
        assertAllocationFlat(runs -> threads.during(dispatcher, () -> chains.run(runs)), "the dispatcher");
    }

    /**
     * The same with handlers on the proactor's workers: each restart is initiated on a worker and
     * crosses to the dispatcher (the inbox, the eventfd wake-up) and back (the worker pool's queue),
     * and still allocates nothing per run on any of the proactor's threads. Their bytes are summed
     * over a short and a four times longer run.
     */
    @EachBackend
    void chainsOfReusableNopsOnWorkersAllocateNothingPerRun(ProactorFixture fixture) throws Exception {
        ThreadAllocation threads = countingAllocation(fixture);
        Proactor p = fixture.open(fixture.config().inlineHandlers(false).workerThreads(2));
        Chains chains = new Chains(p, 32);
        String name = fixture.nameOf(p);
        assertAllocationFlat(runs -> threads.during(ThreadAllocation.proactorThreads(name), () -> chains.run(runs)),
                "the proactor's threads");
    }

    /**
     * A steady echo over one connection with reusable reads and writes allocates nothing per round
     * trip on the dispatcher, which runs every handler here: the client sends 64 bytes and reads
     * them back, the server reads and sends back what it read, four operations (more when a read
     * comes short) per round trip. The same loop with {@code read} and {@code writeAll} makes a new
     * operation per read and per write, which the bound does not allow.
     */
    @EachBackend
    void anEchoOfReusableReadsAndWritesAllocatesNothingPerRoundTripOnTheDispatcher(ProactorFixture fixture)
            throws Exception {
        ThreadAllocation threads = countingSocketAllocation(fixture);
        Proactor p = fixture.open(fixture.config().inlineHandlers(true));
        try (Echo echo = new Echo(p)) {
            long[] dispatcher = {ThreadAllocation.dispatcherThread(fixture.nameOf(p))};
            assertAllocationFlat(runs -> threads.during(dispatcher, () -> echo.run(runs)), "the dispatcher");
            assertThat(echo.mismatches).as("round trips that read back other bytes than were sent").isZero();
        }
    }

    /**
     * The same echo with handlers on a worker (one, so that a handler that restarts the other
     * direction's operation finds its last run delivered): each restart crosses from the worker to
     * the dispatcher and back, and still allocates nothing per round trip on either thread.
     */
    @EachBackend
    void anEchoOfReusableReadsAndWritesOnAWorkerAllocatesNothingPerRoundTrip(ProactorFixture fixture)
            throws Exception {
        ThreadAllocation threads = countingSocketAllocation(fixture);
        Proactor p = fixture.open(fixture.config().inlineHandlers(false).workerThreads(1));
        try (Echo echo = new Echo(p)) {
            String name = fixture.nameOf(p);
            assertAllocationFlat(runs -> threads.during(ThreadAllocation.proactorThreads(name), () -> echo.run(runs)),
                    "the proactor's threads");
            assertThat(echo.mismatches).as("round trips that read back other bytes than were sent").isZero();
        }
    }

    /**
     * {@link #countingAllocation}, and only on the full ring: with recv and send masked out of the
     * probe, each round goes through a readiness poll and a system call that keep a small record
     * per submission.
     */
    private static ThreadAllocation countingSocketAllocation(ProactorFixture fixture) throws Exception {
        ThreadAllocation threads = countingAllocation(fixture);
        assumeTrue(fixture.uringMask() == null, "the io_uring fallback routes keep a record per submission (uring mask "
                + fixture.uringMask() + ")");
        return threads;
    }

    /** The per-thread allocation counter, or the test skipped where it cannot judge. */
    private static ThreadAllocation countingAllocation(ProactorFixture fixture) throws Exception {
        assumeTrue(fixture.backend() == BackendChoice.IO_URING,
                "the portable backend keeps a small record per submission (NioOp)");
        ThreadAllocation threads = new ThreadAllocation();
        assumeTrue(threads.supported(), "this JVM does not count allocated bytes per thread");
        return threads;
    }

    /** Bytes allocated by the threads measured while {@code runs} nops run. */
    private interface Allocation {
        long during(int runs) throws Exception;
    }

    /**
     * Warms the chains up until a run of 20,000 allocates (next to) nothing, then requires a
     * run four times longer than another to allocate no more than it: a per-run allocation grows
     * with the runs, what does not (a queue's growth, a lazily made lookup) is the same in both.
     */
    private static void assertAllocationFlat(Allocation measured, String who) throws Exception {
        // Warm-up until a run allocates (next to) nothing: the interpreter and C1 allocate what C2's
        // escape analysis removes (segment slices of the ring's accessors, for one), and the loop
        // compiles late. A per-run allocation never gets there.
        long warm = Long.MAX_VALUE;
        for (int i = 0; i < 100 && warm > 1_000; i++) {
            warm = measured.during(20_000);
        }
        assertThat(warm).as("bytes %s allocated for 20,000 runs after warm-up", who).isLessThanOrEqualTo(1_000);
        // Then a short and a four times longer run: what they allocate must not grow with the runs.
        // A recompilation (a deoptimised path) can allocate once in a while, so three tries.
        java.util.List<String> tries = new java.util.ArrayList<>();
        boolean flat = false;
        for (int i = 0; i < 3 && !flat; i++) {
            long shortRun = measured.during(10_000);
            long longRun = measured.during(40_000);
            tries.add(shortRun + " B for 10,000 runs, " + longRun + " B for 40,000");
            flat = longRun - shortRun < 3_000;  // below 0.1 B per run
        }
        assertThat(flat).as("the allocation of %s grew with the runs: %s", who, tries).isTrue();
    }

    /** {@code width} reusable nops, each restarted by its handler until a run's total is reached. */
    private static final class Chains {
        private final ReusableOperation<?>[] ops;
        private final AtomicInteger left = new AtomicInteger();
        private volatile CountDownLatch done;
        private volatile boolean stopped = true;

        Chains(Proactor p, int width) throws Exception {
            ops = new ReusableOperation<?>[width];
            CountDownLatch first = new CountDownLatch(width);
            done = first;
            for (int i = 0; i < width; i++) {
                int slot = i;
                ops[i] = p.reusableNop((v, failure) -> {
                    if (failure != null || stopped) {
                        done.countDown();
                        return;
                    }
                    if (left.decrementAndGet() >= ops.length) {
                        ops[slot].restart();
                    } else {
                        done.countDown();
                    }
                });
            }
            assertThat(first.await(60, TimeUnit.SECONDS)).isTrue();
            for (ReusableOperation<?> op : ops) {
                op.await();
            }
        }

        /** Runs {@code total} nops over the chains and returns once all ended. */
        void run(int total) {
            CountDownLatch latch = new CountDownLatch(ops.length);
            done = latch;
            left.set(total);
            stopped = false;
            for (ReusableOperation<?> op : ops) {
                op.restart();
            }
            try {
                assertThat(latch.await(60, TimeUnit.SECONDS)).as("runs left %d", left.get()).isTrue();
                for (ReusableOperation<?> op : ops) {
                    op.await();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            stopped = true;
        }
    }

    /**
     * A client and a server end of one connection, on one proactor, echoing 64 bytes per round trip
     * through reusable operations only: the server reads, then sends back what it read, then reads
     * again; the client has its read and its send of a round in flight together, and whichever of
     * the two handlers ends the round starts the next one (handlers run one at a time here, so the
     * other operation's run is delivered by then).
     */
    private static final class Echo implements AutoCloseable {
        private final Sockets.Connection connection;
        private final ByteBuffer out = ByteBuffer.allocateDirect(64);
        private final ByteBuffer in = ByteBuffer.allocateDirect(64);
        private final ByteBuffer echoed = ByteBuffer.allocateDirect(64);
        // Assigned before the first bytes are sent: no handler runs before.
        private ReusableOperation<Integer> clientRead;
        private ReusableOperation<Long> clientWrite;
        private ReusableOperation<Integer> serverRead;
        private ReusableOperation<Long> serverWrite;
        private final AtomicReference<Throwable> trouble = new AtomicReference<>();
        private int parts;
        private int left;
        private volatile CountDownLatch done;
        volatile int mismatches;

        Echo(Proactor p) throws Exception {
            AsyncServerSocket listener = Sockets.listen(p);
            connection = Sockets.connect(listener, p);
            listener.close();
            for (int i = 0; i < out.capacity(); i++) {
                out.put(i, (byte) (i * 7 + 1));
            }
            serverRead = connection.server().reusableRead(echoed, (n, failure) -> {
                if (failure != null || n < 0) {
                    return;  // the close at the end
                }
                echoed.flip();
                if (serverWrite == null) {
                    serverWrite = connection.server().reusableWriteAll(echoed, (m, f) -> {
                        if (f != null) {
                            trouble.compareAndSet(null, f);
                            return;
                        }
                        echoed.clear();
                        serverRead.restart();
                    });
                } else {
                    serverWrite.restart();
                }
            });
            done = new CountDownLatch(1);
            left = 1;
            parts = 2;
            clientRead = connection.client().reusableRead(in, (n, failure) -> {
                if (failure != null || n < 0) {
                    trouble.compareAndSet(null, failure != null ? failure : new AssertionError("end of stream"));
                    done.countDown();
                } else if (in.hasRemaining()) {
                    clientRead.restart();  // a short read: the rest of the round trip's bytes
                } else {
                    partDone();
                }
            });
            clientWrite = connection.client().reusableWriteAll(out, (n, failure) -> {
                if (failure != null) {
                    trouble.compareAndSet(null, failure);
                    done.countDown();
                } else {
                    partDone();
                }
            });
            awaitRun();
        }

        /** The client's read or its send of the round ended; the later of the two starts the next round. */
        private void partDone() {
            if (--parts > 0) {
                return;
            }
            in.flip();
            if (!in.equals(out.rewind())) {
                mismatches++;
            }
            if (--left > 0) {
                nextRound();
            } else {
                done.countDown();
            }
        }

        private void nextRound() {
            parts = 2;
            in.clear();
            out.rewind();
            clientRead.restart();
            clientWrite.restart();
        }

        /** Runs {@code roundTrips} round trips and returns once all ended and were delivered. */
        void run(int roundTrips) {
            done = new CountDownLatch(1);
            left = roundTrips;
            nextRound();
            awaitRun();
        }

        private void awaitRun() {
            try {
                assertThat(done.await(60, TimeUnit.SECONDS)).as("round trips left %d", left).isTrue();
                clientRead.await();
                clientWrite.await();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertThat(trouble.get()).isNull();
        }

        @Override
        public void close() {
            connection.close();
        }
    }

    @EachBackend
    void aRefusedRunOfAnInlineProactorIsNeverDeliveredOnTheRestartingThread(ProactorFixture fixture)
            throws Exception {
        // Inline handlers run on the dispatcher; a run the closed proactor refuses at restart() ends on
        // the caller's thread, and its handler must still not run there ("never on the calling thread").
        Proactor p = fixture.open(fixture.config().inlineHandlers(true));
        List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<ProactorException> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch delivered = new CountDownLatch(2);
        ReusableOperation<Void> op = p.reusableNop((v, failure) -> {
            threads.add(Thread.currentThread());
            if (failure != null) {
                failures.add(failure);
            }
            delivered.countDown();
        });
        Ops.result(op);
        p.close();

        op.restart();

        assertThat(delivered.await(10, TimeUnit.SECONDS)).as("the refused run was delivered").isTrue();
        assertThat(failures).singleElement().isInstanceOf(ProactorClosedException.class);
        assertThat(threads).hasSize(2).doesNotContain(Thread.currentThread());
    }
}
