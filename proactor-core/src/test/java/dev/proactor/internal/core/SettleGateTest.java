package dev.proactor.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.Operation;
import dev.proactor.OperationFailedException;
import dev.proactor.OperationState;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.internal.core.OperationImpl.Place;
import dev.proactor.internal.core.OperationImpl.Report;
import dev.proactor.internal.core.OperationImpl.Verdict;
import dev.proactor.internal.spi.Errno;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The settle gate: which of a backend's reports about a submission count, in every order a backend
 * may make them. Each case runs a real proactor over a {@link ScriptedBackend} and checks the
 * outcome the caller sees and the duplicates the ledger counted.
 */
class SettleGateTest {

    /** What a case ended with: the operation's state and failure, and the counts. */
    private record Ended(OperationState state, Throwable failure, long duplicates, int submissions) {}

    private static Ended run(ScriptedBackend.Script script) throws Exception {
        AtomicReference<ScriptedBackend> backend = new AtomicReference<>();
        Proactor p = CoreProactor.open(ProactorConfig.builder().name("gate").build(), cfg -> {
            ScriptedBackend b = new ScriptedBackend(script);
            backend.set(b);
            return b;
        });
        Operation<Void> op = p.nop();
        Throwable failure = null;
        try {
            op.await(Duration.ofMinutes(1));
        } catch (dev.proactor.ProactorException e) {
            failure = e;
        }
        // Closing waits for the dispatcher to stop: every report of the script has been made.
        p.close();
        return new Ended(op.state(), failure, p.metrics().ledger().duplicates(), backend.get().submissions.get());
    }

    @Test
    void aRoundsFirstResultWinsAndLaterResultsAreDuplicates() throws Exception {
        Ended e = run((sink, s, round) -> {
            sink.complete(s, 0, null);
            sink.fail(s, Errno.EIO);
            sink.cancelled(s);
            sink.released(s);
        });
        assertThat(e.state()).isEqualTo(OperationState.COMPLETED);
        assertThat(e.duplicates()).isEqualTo(2);
    }

    @Test
    void aFailureFirstWinsOverALaterSuccess() throws Exception {
        Ended e = run((sink, s, round) -> {
            sink.fail(s, Errno.EIO);
            sink.complete(s, 0, null);
            sink.released(s);
        });
        assertThat(e.state()).isEqualTo(OperationState.FAILED);
        assertThat(e.failure()).isInstanceOf(OperationFailedException.class);
        assertThat(((OperationFailedException) e.failure()).errnoName()).isEqualTo("EIO");
        assertThat(e.duplicates()).isEqualTo(1);
    }

    @Test
    void aTimeoutAfterTheResultIsADuplicate() throws Exception {
        Ended e = run((sink, s, round) -> {
            sink.complete(s, 0, null);
            sink.timedOut(s);
            sink.released(s);
        });
        assertThat(e.state()).isEqualTo(OperationState.COMPLETED);
        assertThat(e.duplicates()).isEqualTo(1);
    }

    @Test
    void aTimeoutBeforeTheResultWins() throws Exception {
        Ended e = run((sink, s, round) -> {
            sink.timedOut(s);
            sink.complete(s, 0, null);
            sink.released(s);
        });
        assertThat(e.state()).isEqualTo(OperationState.TIMED_OUT);
        assertThat(e.duplicates()).isEqualTo(1);
    }

    @Test
    void aTimeoutOverridesARetryAlreadyWanted() throws Exception {
        // EAGAIN is transient under the default retry policy: the round asks for another.
        Ended e = run((sink, s, round) -> {
            sink.fail(s, Errno.EAGAIN);
            sink.timedOut(s);
            sink.released(s);
        });
        assertThat(e.state()).isEqualTo(OperationState.TIMED_OUT);
        assertThat(e.submissions()).as("no round after the timeout").isEqualTo(1);
        assertThat(e.duplicates()).isZero();
    }

    @Test
    void aResultAfterARetryWasWantedIsADuplicateAndTheRetryRuns() throws Exception {
        Ended e = run((sink, s, round) -> {
            if (round == 0) {
                sink.fail(s, Errno.EAGAIN);
                sink.complete(s, 0, null);
            } else {
                sink.complete(s, 0, null);
            }
            sink.released(s);
        });
        assertThat(e.state()).isEqualTo(OperationState.COMPLETED);
        assertThat(e.submissions()).isEqualTo(2);
        assertThat(e.duplicates()).isEqualTo(1);
    }

    @Test
    void aSecondReleaseOfOneRoundIsADuplicate() throws Exception {
        Ended e = run((sink, s, round) -> {
            sink.complete(s, 0, null);
            sink.released(s);
            sink.released(s);
        });
        assertThat(e.state()).isEqualTo(OperationState.COMPLETED);
        assertThat(e.duplicates()).isEqualTo(1);
    }

    @Test
    void aReleaseWithoutAnyResultFailsTheOperationWithEio() throws Exception {
        Ended e = run((sink, s, round) -> sink.released(s));
        assertThat(e.state()).isEqualTo(OperationState.FAILED);
        assertThat(((OperationFailedException) e.failure()).errnoName()).isEqualTo("EIO");
        assertThat(e.duplicates()).isZero();
    }

    @Test
    void theRuleTable() {
        for (Place place : Place.values()) {
            assertThat(OperationImpl.admits(Verdict.OPEN, place, Report.RESULT)).isTrue();
            assertThat(OperationImpl.admits(Verdict.AGAIN, place, Report.RESULT)).isFalse();
            assertThat(OperationImpl.admits(Verdict.SETTLED, place, Report.RESULT)).isFalse();
            assertThat(OperationImpl.admits(Verdict.AGAIN, place, Report.TIMEOUT)).isTrue();
            assertThat(OperationImpl.admits(Verdict.SETTLED, place, Report.TIMEOUT)).isFalse();
            for (Verdict v : Verdict.values()) {
                assertThat(OperationImpl.admits(v, place, Report.RELEASE)).isEqualTo(place == Place.IN_KERNEL);
                assertThat(OperationImpl.admits(v, place, Report.ITEM))
                        .isEqualTo(v != Verdict.SETTLED && place != Place.FINISHED);
            }
        }
    }
}
