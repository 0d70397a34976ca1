package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.internal.spi.Backend;
import dev.proactor.test.EachBackend;
import dev.proactor.test.Hold;
import dev.proactor.test.ForwardingBackend;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Waits;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's spin before it sleeps ({@link ProactorConfig#dispatcherSpin()}): a post from
 * another thread while the dispatcher polls is taken in without a wake-up and completes; with the
 * spin off the dispatcher never polls and a post to a sleeping dispatcher wakes it as before. The
 * probe below finds the dispatcher inside its spin by the backend call only the spin makes
 * ({@link Backend#completionsPending()}), and holds it there while the test posts, so the case is
 * reached by construction, not by timing. (On one CPU the dispatcher never spins; this machine's
 * tests need two.)
 */
class DispatcherSpinContractTest {

    private static final Duration HANG = Duration.ofSeconds(30);

    /** Counts wake-ups and spin polls, and can hold the dispatcher in its next poll. */
    static final class SpinProbe extends ForwardingBackend {
        final AtomicInteger wakeups = new AtomicInteger();
        final AtomicInteger polls = new AtomicInteger();
        /** Holds the dispatcher in a poll, that is inside its spin. */
        final Hold hold = new Hold();
        private volatile boolean asleep;

        SpinProbe(Backend real) {
            super(real);
        }

        @Override
        public boolean completionsPending() {
            polls.incrementAndGet();
            hold.pass();
            return delegate.completionsPending();
        }

        @Override
        public void wakeup() {
            wakeups.incrementAndGet();
            delegate.wakeup();
        }

        @Override
        public int runOnce(long waitNanos) {
            // The core announced its sleep before a waiting call, so a post from now on wakes it.
            asleep = waitNanos < 0;
            try {
                return delegate.runOnce(waitNanos);
            } finally {
                asleep = false;
            }
        }
    }

    private static Proactor open(ProactorFixture fixture, Duration spin, AtomicReference<SpinProbe> probe) {
        return fixture.open(fixture.config().dispatcherSpin(spin), real -> {
            SpinProbe p = new SpinProbe(real);
            probe.set(p);
            return p;
        });
    }

    @EachBackend
    void aPostWhileTheDispatcherSpinsCompletesWithoutAWakeUp(ProactorFixture fixture) throws Exception {
        AtomicReference<SpinProbe> ref = new AtomicReference<>();
        try (Proactor p = open(fixture, Duration.ofMillis(1), ref)) {
            SpinProbe probe = ref.get();
            probe.hold.arm();
            // Gives the dispatcher a turn (waking it if it sleeps), after which it spins; not awaited,
            // since the dispatcher may be held before it takes this in.
            Operation<Void> first = p.nop();
            assertThat(probe.hold.awaitHeld(HANG))
                    .as("the dispatcher polled in its spin").isTrue();

            // The dispatcher is inside its spin, held in a poll: awake, so this post writes no wake-up.
            int before = probe.wakeups.get();
            Operation<Void> nop = p.nop();
            int after = probe.wakeups.get();
            probe.hold.release();
            nop.await(HANG);
            first.await(HANG);

            assertThat(after).as("wake-ups by a post during the spin").isEqualTo(before);
            assertThat(nop.state()).isEqualTo(OperationState.COMPLETED);
            assertThat(first.state()).isEqualTo(OperationState.COMPLETED);
        }
    }

    @EachBackend
    void withTheSpinOffTheDispatcherNeverPollsAndAPostWakesIt(ProactorFixture fixture) throws Exception {
        AtomicReference<SpinProbe> ref = new AtomicReference<>();
        try (Proactor p = open(fixture, Duration.ZERO, ref)) {
            SpinProbe probe = ref.get();
            p.nop().await(HANG);
            Waits.until(HANG, () -> probe.asleep, () -> "the dispatcher never went to sleep");

            int before = probe.wakeups.get();
            Operation<Void> nop = p.nop();
            nop.await(HANG);

            assertThat(nop.state()).isEqualTo(OperationState.COMPLETED);
            assertThat(probe.wakeups.get()).as("wake-ups by a post to the sleeping dispatcher").isEqualTo(before + 1);
            assertThat(probe.polls.get()).as("polls with the spin off").isZero();
        }
    }

    @Test
    void aSpinOutsideItsRangeIsRefusedWithTheRange() {
        assertThatThrownBy(() -> ProactorConfig.builder().dispatcherSpin(Duration.ofNanos(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dispatcherSpin must be in [0, 10 ms]");
        assertThatThrownBy(() -> ProactorConfig.builder().dispatcherSpin(Duration.ofMillis(11)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dispatcherSpin must be in [0, 10 ms]");
        assertThatThrownBy(() -> ProactorConfig.builder().dispatcherSpin(null).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("dispatcherSpin");
        assertThat(ProactorConfig.defaults().dispatcherSpin()).isEqualTo(ProactorConfig.DEFAULT_DISPATCHER_SPIN);
    }
}
