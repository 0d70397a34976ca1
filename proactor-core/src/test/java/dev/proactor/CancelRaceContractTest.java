package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Waits;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;

/**
 * Cancel-versus-complete races (reliability target R2): every operation ends exactly once, the
 * cancellation's answer agrees with the operation's final state, and buffers come back. The races
 * run in windows of {@value #WINDOW} operations at once, the cancel following each start after a
 * random pause, so that both outcomes occur.
 */
class CancelRaceContractTest {

    private static final int RACES = 10_000;
    /** The nightly size of each race (reliability plan R2), under {@code -Pstress}. */
    private static final int STRESS_RACES = 100_000;
    private static final int WINDOW = 64;

    @EachBackend
    void timerVersusCancel(ProactorFixture fixture) throws Exception {
        timerRaces(fixture, RACES);
    }

    @Tag("stress")
    @EachBackend
    void timerVersusCancelNightly(ProactorFixture fixture) throws Exception {
        timerRaces(fixture, STRESS_RACES);
    }

    private static void timerRaces(ProactorFixture fixture, int races) throws Exception {
        Proactor p = fixture.open();
        SplittableRandom random = new SplittableRandom(1);
        Tally t = race(p, races, random, r -> p.timer(Duration.ofNanos(r.nextLong(200_001))), 200_000, () -> { });
        assertThat(t.total()).isEqualTo(races);
        t.assertBothSides();
        t.assertMetricsAgree(p, OperationKind.TIMER);
    }

    @EachBackend
    void nopVersusCancel(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        SplittableRandom random = new SplittableRandom(2);
        Tally t = race(p, random, r -> p.nop(), 20_000);
        assertThat(t.total()).isEqualTo(RACES);
        t.assertMetricsAgree(p, OperationKind.NOP);
    }

    @EachBackend
    void fifoReadVersusCancel(ProactorFixture fixture) throws Exception {
        fifoRaces(fixture, RACES);
    }

    @Tag("stress")
    @EachBackend
    void fifoReadVersusCancelNightly(ProactorFixture fixture) throws Exception {
        fifoRaces(fixture, STRESS_RACES);
    }

    private static void fifoRaces(ProactorFixture fixture, int races) throws Exception {
        Proactor p = fixture.open();
        Path fifo = fixture.fifo("race.fifo");
        // READ+WRITE: the open never waits for a writer, and reads wait for data instead of seeing EOF.
        AsyncFile pipe = Ops.result(p.openFile(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
        AtomicLong consumed = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread feeder;
        List<BufferLease> leases = new ArrayList<>();
        try (OutputStream out = new FileOutputStream(fifo.toFile())) {
            feeder = Thread.ofPlatform().name("fifo-feeder").start(() -> feed(out, consumed, stop));
            SplittableRandom random = new SplittableRandom(3);
            Tally t;
            try {
                t = race(p, races, random, r -> {
                    Operation<Integer> op = switch (r.nextInt(3)) {
                        case 0 -> pipe.read(0, ByteBuffer.allocate(16));
                        case 1 -> pipe.read(0, ByteBuffer.allocateDirect(16));
                        default -> {
                            BufferLease lease = p.buffers().tryLease();
                            if (lease == null) {
                                yield pipe.read(0, ByteBuffer.allocate(16));
                            }
                            synchronized (leases) {
                                leases.add(lease);
                            }
                            yield pipe.read(0, lease, 16);
                        }
                    };
                    op.onComplete((n, failure) -> {
                        if (failure == null && n > 0) {
                            consumed.addAndGet(n);
                        }
                    });
                    return op;
                }, 100_000, () -> {
                    // Every read of the window has ended: its lease must be free to release now.
                    synchronized (leases) {
                        for (BufferLease lease : leases) {
                            lease.release();
                        }
                        leases.clear();
                    }
                });
            } finally {
                stop.set(true);
                feeder.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertThat(feeder.isAlive()).isFalse();
            assertThat(t.total()).isEqualTo(races);
            t.assertBothSides();
            t.assertMetricsAgree(p, OperationKind.READ);
        }
        assertThat(p.buffers().leased()).as("leases back at baseline").isZero();
        Ops.result(pipe.close());
    }

    /** Writes single bytes at random moments, keeping the pipe far from full. */
    private static void feed(OutputStream out, AtomicLong consumed, AtomicBoolean stop) {
        SplittableRandom random = new SplittableRandom(4);
        long written = 0;
        try {
            while (!stop.get()) {
                if (written - consumed.get() < 16 * 1024) {
                    out.write(1);
                    written++;
                }
                LockSupport.parkNanos(random.nextLong(100_000));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Tally race(Proactor p, SplittableRandom random, Function<SplittableRandom, Operation<?>> start,
            long maxPauseNanos) throws Exception {
        return race(p, RACES, random, start, maxPauseNanos, () -> { });
    }

    /**
     * Runs {@code races} races in windows: start, pause a random time up to {@code maxPauseNanos},
     * cancel; then checks each race of the window once every cancellation has answered, and runs
     * {@code afterWindow}.
     */
    private static Tally race(Proactor p, int races, SplittableRandom random,
            Function<SplittableRandom, Operation<?>> start, long maxPauseNanos, Runnable afterWindow) throws Exception {
        Tally tally = new Tally();
        List<Race> all = new ArrayList<>(races);
        for (int done = 0; done < races; done += WINDOW) {
            List<Race> window = new ArrayList<>(WINDOW);
            for (int i = 0; i < WINDOW && done + i < races; i++) {
                Operation<?> op = start.apply(random);
                Race race = new Race(op);
                op.onComplete((v, failure) -> race.handlerCalls.incrementAndGet());
                spin(random.nextLong(maxPauseNanos + 1));
                race.doneBeforeCancel = op.isDone();
                race.cancel = op.cancel().toCompletableFuture();
                window.add(race);
            }
            CompletableFuture.allOf(window.stream().map(r -> r.cancel).toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);
            for (Race r : window) {
                r.check(tally);
            }
            Waits.until(Duration.ofSeconds(10), () -> window.stream().allMatch(r -> r.handlerCalls.get() >= 1),
                    () -> "handlers not run: " + window.stream().filter(r -> r.handlerCalls.get() == 0)
                            .map(r -> r.op.id() + ":" + r.op.state()).toList());
            afterWindow.run();
            all.addAll(window);
        }
        tally.assertNoViolations();
        for (Race r : all) {
            assertThat(r.handlerCalls.get()).as("handler calls of operation %d (%s)", r.op.id(), r.op.state())
                    .isEqualTo(1);
        }
        assertThat(p.buffers().leased()).as("leases back at baseline").isZero();
        return tally;
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    private static final class Race {
        final Operation<?> op;
        final AtomicInteger handlerCalls = new AtomicInteger();
        boolean doneBeforeCancel;
        CompletableFuture<CancelResult> cancel;

        Race(Operation<?> op) {
            this.op = op;
        }

        /** Checks the race once its cancellation answered; adds what is wrong to the tally. */
        void check(Tally tally) {
            CancelResult result = cancel.join();
            OperationState state = op.state();
            String what = "operation " + op.id() + " (" + op.kind() + ") cancel=" + result.kind() + " state=" + state
                    + " doneBeforeCancel=" + doneBeforeCancel;
            if (result.operation().id() != op.id()) {
                tally.violation("cancel result names another operation", what);
            }
            if (!state.isTerminal()) {
                tally.violation("state not final when the cancellation answered " + result.kind(), what);
                // Judge the rest on the final state once it is visible.
                Waits.poll(Duration.ofSeconds(5), () -> op.state().isTerminal());
                state = op.state();
            }
            switch (result.kind()) {
                case CANCELLED -> {
                    if (state != OperationState.CANCELLED) {
                        tally.violation("CANCELLED but the operation ended otherwise", what);
                    } else if (!(op.failureNow() instanceof OperationCancelledException)) {
                        tally.violation("CANCELLED without OperationCancelledException", what + " " + op.failureNow());
                    }
                }
                case COMPLETED, NOT_FOUND -> {
                    if (state == OperationState.CANCELLED) {
                        tally.violation(result.kind() + " but the operation is CANCELLED", what);
                    }
                }
            }
            if (doneBeforeCancel && result.kind() != CancelResult.Kind.NOT_FOUND) {
                tally.violation("ended before cancel() was called, yet not NOT_FOUND", what);
            }
            tally.byState.merge(state, 1, Integer::sum);
            tally.byKind.merge(result.kind(), 1, Integer::sum);
        }
    }

    private static final class Tally {
        final Map<OperationState, Integer> byState = new EnumMap<>(OperationState.class);
        final Map<CancelResult.Kind, Integer> byKind = new EnumMap<>(CancelResult.Kind.class);
        final Map<String, Integer> violations = new java.util.TreeMap<>();
        final List<String> examples = new ArrayList<>();

        void violation(String rule, String example) {
            violations.merge(rule, 1, Integer::sum);
            if (examples.size() < 5) {
                examples.add(rule + ": " + example);
            }
        }

        void assertNoViolations() {
            assertThat(violations).as("contract violations in %d races (%s); examples %s", total(), this, examples)
                    .isEmpty();
        }

        int total() {
            return byState.values().stream().mapToInt(Integer::intValue).sum();
        }

        int count(OperationState s) {
            return byState.getOrDefault(s, 0);
        }

        void assertBothSides() {
            assertThat(count(OperationState.CANCELLED)).as("races won by the cancel; all: " + this).isPositive();
            assertThat(count(OperationState.COMPLETED)).as("races won by completion; all: " + this).isPositive();
        }

        void assertMetricsAgree(Proactor p, OperationKind kind) {
            MetricsSnapshot.KindMetrics m = p.metrics().kinds().get(kind);
            assertThat(m).as("metrics for " + kind).isNotNull();
            assertThat(m.cancelled()).as("metrics cancelled vs observed " + this).isEqualTo(count(OperationState.CANCELLED));
            assertThat(m.completed()).as("metrics completed vs observed " + this).isEqualTo(count(OperationState.COMPLETED));
        }

        @Override
        public String toString() {
            return "states " + byState + ", cancel results " + byKind;
        }
    }
}
