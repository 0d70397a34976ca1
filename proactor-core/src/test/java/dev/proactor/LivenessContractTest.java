package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import dev.proactor.test.EachBackend;
import dev.proactor.test.Hold;
import dev.proactor.test.ForwardingBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher never sleeps without a bound while it holds work, and a post from any thread is
 * always seen: after a loop turn that fills the submission queue, while the backend pushes back, and
 * while queued operations have deadlines.
 */
class LivenessContractTest {

    private static final Duration LONG = Duration.ofHours(1);
    private static final Duration HANG = Duration.ofSeconds(30);
    private static final int SQ = 4;

    /**
     * Runs the real backend, and can hold the dispatcher right after one {@code runOnce} returns, so
     * that a test can queue several posts for the dispatcher's next turn without waking it again.
     */
    static final class Gate extends ForwardingBackend {
        private volatile boolean idle;
        /** Holds the dispatcher right after a {@code runOnce} returns. */
        final Hold hold = new Hold();

        Gate(Backend real) {
            super(real);
        }

        @Override
        public int runOnce(long waitNanos) {
            // The core announced its sleep before this call, so a post from now on wakes the backend.
            idle = waitNanos < 0;
            int n;
            try {
                n = delegate.runOnce(waitNanos);
            } finally {
                idle = false;
            }
            hold.pass();
            return n;
        }

        void awaitIdle() {
            Waits.until(HANG, () -> idle, () -> "the dispatcher never went to sleep");
        }
    }

    /**
     * Makes one dispatcher turn take exactly {@link #SQ} long timers, right after the turn that
     * consumed the wake-up: the turn fills the submission queue with work that stays in the kernel,
     * and the dispatcher then sleeps. Returns the timers; {@code gate} receives the backend.
     */
    private static List<Operation<Void>> fillSubmissionQueueInOneTurn(Proactor p, Gate gate) throws InterruptedException {
        Ops.result(p.nop());
        gate.awaitIdle();
        gate.hold.arm();
        List<Operation<Void>> timers = new ArrayList<>();
        // Wakes the sleeping dispatcher (the wake-up read completes), which is then held.
        timers.add(p.timer(LONG));
        assertThat(gate.hold.awaitHeld(HANG)).as("dispatcher held after its wake-up").isTrue();
        for (int i = 1; i < SQ; i++) {
            // The dispatcher is awake (held), so these posts write no wake-up.
            timers.add(p.timer(LONG));
        }
        gate.hold.release();
        gate.awaitIdle();
        return timers;
    }

    private static Proactor open(ProactorFixture fixture, AtomicReference<Gate> gate) {
        return fixture.open(fixture.config().submissionQueueEntries(SQ), real -> {
            Gate g = new Gate(real);
            gate.set(g);
            return g;
        });
    }

    private static void cancelAll(List<Operation<Void>> timers) throws Exception {
        for (Operation<Void> t : timers) {
            t.cancel().toCompletableFuture().get(HANG.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @EachBackend
    void aNopFromAnotherThreadCompletesAfterATurnFilledTheSubmissionQueue(ProactorFixture fixture) throws Exception {
        AtomicReference<Gate> gate = new AtomicReference<>();
        Proactor p = open(fixture, gate);
        List<Operation<Void>> timers = fillSubmissionQueueInOneTurn(p, gate.get());

        Operation<Void> nop = p.nop();
        nop.await(HANG);

        assertThat(nop.state()).isEqualTo(OperationState.COMPLETED);
        // The set-up reached the case: every timer went to the kernel in that one turn and is still there.
        assertThat(timers).allSatisfy(t -> assertThat(t.state()).isEqualTo(OperationState.SUBMITTED));
        cancelAll(timers);
    }

    @EachBackend
    void aCancelFromAnotherThreadIsSeenAfterATurnFilledTheSubmissionQueue(ProactorFixture fixture) throws Exception {
        AtomicReference<Gate> gate = new AtomicReference<>();
        Proactor p = open(fixture, gate);
        List<Operation<Void>> timers = fillSubmissionQueueInOneTurn(p, gate.get());

        CancelResult r = timers.get(0).cancel().toCompletableFuture().get(HANG.toSeconds(), TimeUnit.SECONDS);

        assertThat(r.kind()).isEqualTo(CancelResult.Kind.CANCELLED);
        assertThat(timers.get(0).state()).isEqualTo(OperationState.CANCELLED);
        assertThat(timers.subList(1, SQ)).allSatisfy(t -> assertThat(t.state()).isEqualTo(OperationState.SUBMITTED));
        cancelAll(timers);
    }

    /** Refuses every NOP while {@link #refusing}, as a backend out of room (SQ, CQ, file pool) does. */
    static final class Refusing extends ForwardingBackend {
        volatile boolean refusing = true;
        volatile int refusals;

        Refusing(Backend real) {
            super(real);
        }

        @Override
        public boolean submit(Submission s) {
            if (refusing && s.request() instanceof Request.Nop) {
                refusals++;
                return false;
            }
            return delegate.submit(s);
        }
    }

    @EachBackend
    void aDeadlineFiresWhileTheOperationWaitsBehindBackPressure(ProactorFixture fixture) throws Exception {
        AtomicReference<Refusing> backend = new AtomicReference<>();
        Proactor p = fixture.open(fixture.config(), real -> {
            Refusing r = new Refusing(real);
            backend.set(r);
            return r;
        });
        // The head of the ready queue has no deadline; the one behind it has.
        Operation<Void> head = p.nop();
        Operation<Void> behind = p.withTimeout(Duration.ofMillis(50)).nop();

        ProactorException e = Ops.failure(behind);

        assertThat(e).isInstanceOf(OperationTimeoutException.class);
        assertThat(behind.state()).isEqualTo(OperationState.TIMED_OUT);
        assertThat(head.state()).isEqualTo(OperationState.QUEUED);
        assertThat(backend.get().refusals).as("the backend pushed back").isPositive();
        // Room comes back without a completion or a post to announce it: the dispatcher offers again.
        backend.get().refusing = false;
        Ops.result(head);
    }

    @EachBackend
    void aDeadlineFiresWhileTheOperationWaitsBehindAnotherForAdmission(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().maxInFlight(1).admission(AdmissionPolicy.queue(8)));
        Operation<Void> holder = p.timer(LONG);
        Waits.until(HANG, () -> holder.state() == OperationState.SUBMITTED, () -> "timer not submitted");
        Operation<Void> head = p.nop();
        Operation<Void> behind = p.withTimeout(Duration.ofMillis(50)).nop();

        ProactorException e = Ops.failure(behind);

        assertThat(e).isInstanceOf(OperationTimeoutException.class);
        assertThat(head.state()).isEqualTo(OperationState.QUEUED);
        holder.cancel().toCompletableFuture().get(HANG.toSeconds(), TimeUnit.SECONDS);
        Ops.result(head);
    }

    @Test
    void aSubmissionQueueTooSmallForOneOperationIsRefused() {
        for (int sq = 1; sq < ProactorConfig.MIN_SUBMISSION_QUEUE_ENTRIES; sq++) {
            ProactorConfig.Builder b = ProactorConfig.builder().submissionQueueEntries(sq);
            assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("submissionQueueEntries must be at least 4")
                    .hasMessageContaining("a transfer with a deadline 3");
        }
        assertThat(ProactorConfig.builder().submissionQueueEntries(4).build().submissionQueueEntries()).isEqualTo(4);
    }
}
