package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A dispatcher that goes to sleep right after a batch that filled the submission queue must still
 * be woken by the next initiation. On io_uring the wake-up is an eventfd read kept armed in the
 * ring; a turn whose batch took the last SQ entry could not arm it, and then slept without it, so
 * a later initiation's wake-up was lost until some other completion came (here: an hour).
 */
class WakeUpAfterFullBatchContractTest {

    @EachBackend
    void anInitiationAfterAFullBatchWakesTheDispatcher(ProactorFixture fixture) throws Exception {
        // One SQ entry: every turn that submits anything fills the queue.
        Proactor p = fixture.open(fixture.config().submissionQueueEntries(1).completionQueueEntries(4));
        for (int round = 0; round < 20; round++) {
            assertThat(Ops.result(p.nop())).isNull();
            // Posted while the dispatcher sleeps: its wake-up read completes, and the turn that
            // submits the timer has no SQ entry left to arm the next one.
            Operation<Void> holder = p.timer(Duration.ofHours(1));
            assertThat(Ops.result(p.nop())).as("round %d: a nop after the full batch", round).isNull();
            holder.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(holder.state()).isEqualTo(OperationState.CANCELLED);
        }
    }
}
