package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import dev.proactor.test.EachBackend;
import dev.proactor.test.ForwardingBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What {@link MetricsSnapshot} promises about latency (initiation to terminal outcome, as
 * percentiles of a histogram) and about queue depths (operations waiting for admission, admitted
 * operations waiting for the backend, operations in flight by kind).
 */
class MetricsContractTest {

    private static final Duration DELAY = Duration.ofMillis(20);
    private static final int TIMERS = 20;

    @EachBackend
    void latencyCoversInitiationToOutcome(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        CountDownLatch done = new CountDownLatch(TIMERS);
        long start = System.nanoTime();
        for (int i = 0; i < TIMERS; i++) {
            p.timer(DELAY).onComplete((v, failure) -> done.countDown());
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        long observed = System.nanoTime() - start;
        for (int i = 0; i < 7; i++) {
            Ops.result(p.nop());
        }
        MetricsSnapshot.Latency timer = p.metrics().kinds().get(OperationKind.TIMER).latency();
        assertThat(timer.count()).as("one sample per timer").isEqualTo(TIMERS);
        // A timer never fires early, and the histogram reports a bucket's upper bound (capped at
        // the largest sample), so no percentile is below the delay.
        assertThat(timer.p50()).as("p50").isGreaterThanOrEqualTo(DELAY.toNanos());
        assertThat(timer.p50()).isLessThanOrEqualTo(timer.p90());
        assertThat(timer.p90()).isLessThanOrEqualTo(timer.p99());
        assertThat(timer.p99()).isLessThanOrEqualTo(timer.p999());
        assertThat(timer.p999()).isLessThanOrEqualTo(timer.max());
        assertThat(timer.max()).as("no sample is longer than the test watched").isLessThanOrEqualTo(observed);
        assertThat(p.metrics().kinds().get(OperationKind.NOP).latency().count()).isEqualTo(7);
    }

    @EachBackend
    void queueDepthsShowWhatWaitsForAdmissionAndWhatIsInFlight(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().maxInFlight(2).admission(AdmissionPolicy.queue(10)));
        List<Operation<Void>> holders = List.of(p.timer(Duration.ofHours(1)), p.timer(Duration.ofHours(1)));
        List<Operation<Void>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(p.nop());
        }
        MetricsSnapshot m = p.metrics();
        assertThat(m.queuedForAdmission()).as("waiting for the in-flight limit").isEqualTo(3);
        assertThat(m.inFlight().get(OperationKind.TIMER)).isEqualTo(2);
        assertThat(m.inFlight().get(OperationKind.NOP)).as("initiated and not ended, queued included").isEqualTo(3);
        assertThat(m.maxInFlightSeen()).isEqualTo(2);
        for (Operation<Void> h : holders) {
            h.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        for (Operation<Void> q : queued) {
            assertThat(Ops.result(q)).isNull();
        }
        Waits.until(Duration.ofSeconds(30), () -> p.metrics().inFlight().get(OperationKind.NOP) == 0
                        && p.metrics().inFlight().get(OperationKind.TIMER) == 0,
                () -> "in flight " + p.metrics().inFlight());
        assertThat(p.metrics().queuedForAdmission()).isZero();
        assertThat(p.metrics().maxInFlightSeen()).as("the limit held").isEqualTo(2);
    }

    /** A backend that refuses nops while told to, as a full submission queue would. */
    private static final class Refusing extends ForwardingBackend {
        private final java.util.concurrent.atomic.AtomicBoolean refuse;

        Refusing(Backend delegate, java.util.concurrent.atomic.AtomicBoolean refuse) {
            super(delegate);
            this.refuse = refuse;
        }

        @Override
        public boolean submit(Submission s) {
            if (refuse.get() && s.request() instanceof Request.Nop) {
                return false;
            }
            return delegate.submit(s);
        }
    }

    @EachBackend
    void waitingForSubmissionCountsAdmittedOperationsTheBackendPushedBack(ProactorFixture fixture) throws Exception {
        java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean(true);
        Proactor p = fixture.open(fixture.config(), real -> new Refusing(real, refuse));
        List<Operation<Void>> ops = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ops.add(p.nop());
        }
        Waits.until(Duration.ofSeconds(30), () -> p.metrics().waitingForSubmission() == 5,
                () -> "waiting for submission: " + p.metrics().waitingForSubmission());
        assertThat(p.metrics().queuedForAdmission()).as("admitted, so not waiting for admission").isZero();
        assertThat(ops).noneMatch(Operation::isDone);

        refuse.set(false);
        // Any initiation wakes the dispatcher, which then offers the waiting ones again.
        ops.add(p.nop());
        for (Operation<Void> op : ops) {
            assertThat(Ops.result(op)).isNull();
        }
        Waits.until(Duration.ofSeconds(30), () -> p.metrics().waitingForSubmission() == 0,
                () -> "waiting for submission: " + p.metrics().waitingForSubmission());
    }
}
