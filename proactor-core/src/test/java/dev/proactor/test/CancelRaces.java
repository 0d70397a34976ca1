package dev.proactor.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.CancelResult;
import dev.proactor.Operation;
import dev.proactor.OperationCancelledException;
import dev.proactor.OperationState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Cancel-versus-complete races in windows: each race starts an operation, spins a random time,
 * cancels it; once every cancellation of the window has answered, each race is checked (the
 * answer agrees with the final state, a race that ended before its cancel was called says
 * NOT_FOUND) and the window's follow-up runs. At the end every handler ran exactly once.
 */
public final class CancelRaces {
    private CancelRaces() {}

    /** How many races are in flight at once. */
    public static final int WINDOW = 64;

    /**
     * Runs {@code races} races of the operations {@code start} makes (given the race's index),
     * pausing up to {@code maxPauseNanos} before each cancel; {@code afterWindow} gets the window's
     * races once they are checked.
     */
    public static Tally run(int races, SplittableRandom random, IntFunction<Operation<?>> start, long maxPauseNanos,
            Consumer<List<Race>> afterWindow) throws Exception {
        Tally tally = new Tally();
        List<Race> all = new ArrayList<>(races);
        for (int done = 0; done < races; done += WINDOW) {
            List<Race> window = new ArrayList<>(WINDOW);
            for (int i = 0; i < WINDOW && done + i < races; i++) {
                Operation<?> op = start.apply(done + i);
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
            afterWindow.accept(window);
            all.addAll(window);
        }
        tally.assertNoViolations();
        for (Race r : all) {
            assertThat(r.handlerCalls.get()).as("handler calls of operation %d (%s)", r.op.id(), r.op.state())
                    .isEqualTo(1);
        }
        return tally;
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    /** One race: its operation and what its cancel answered. */
    public static final class Race {
        final Operation<?> op;
        final AtomicInteger handlerCalls = new AtomicInteger();
        boolean doneBeforeCancel;
        CompletableFuture<CancelResult> cancel;

        Race(Operation<?> op) {
            this.op = op;
        }

        /** The raced operation. */
        public Operation<?> op() {
            return op;
        }

        /** What the cancellation answered (the race has been checked). */
        public CancelResult.Kind cancelKind() {
            return cancel.join().kind();
        }

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
                case TOO_LATE, NOT_FOUND -> {
                    if (state == OperationState.CANCELLED) {
                        tally.violation(result.kind() + " but the operation is CANCELLED", what);
                    }
                }
            }
            if (doneBeforeCancel && result.kind() != CancelResult.Kind.NOT_FOUND) {
                tally.violation("ended before cancel() was called, yet not NOT_FOUND", what);
            }
            if (state == OperationState.FAILED) {
                tally.violation("failed (neither completed nor cancelled)", what + " " + op.failureNow());
            }
            tally.byState.merge(state, 1, Integer::sum);
            tally.byKind.merge(result.kind(), 1, Integer::sum);
        }
    }

    /** The outcomes of a run of races, and the contract violations found. */
    public static final class Tally {
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

        /** Races checked. */
        public int total() {
            return byState.values().stream().mapToInt(Integer::intValue).sum();
        }

        /** Races that ended in {@code s}. */
        public int count(OperationState s) {
            return byState.getOrDefault(s, 0);
        }

        /** Races whose cancellation answered {@code k}. */
        public int count(CancelResult.Kind k) {
            return byKind.getOrDefault(k, 0);
        }

        /** Asserts that both the cancellation and the completion won some races. */
        public void assertBothSides() {
            assertThat(count(OperationState.CANCELLED)).as("races won by the cancel; all: " + this).isPositive();
            assertThat(count(OperationState.COMPLETED)).as("races won by completion; all: " + this).isPositive();
        }

        /** Asserts that the proactor's metrics for {@code kind} count what the races observed. */
        public void assertMetricsAgree(dev.proactor.Proactor p, dev.proactor.OperationKind kind) {
            dev.proactor.MetricsSnapshot.KindMetrics m = p.metrics().kinds().get(kind);
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
