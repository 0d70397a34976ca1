package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.spi.Backend;
import dev.proactor.test.EachBackend;
import dev.proactor.test.ForwardingBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Waits;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** After its dispatcher failed, a proactor says so and refuses new operations at once. */
class DispatcherFailureContractTest {

    /** Fails the dispatcher's next loop turn once {@link #fail} is set, as an unexpected kernel error would. */
    static final class Failing extends ForwardingBackend {
        static final String WHAT = "injected: io_uring_enter failed";
        volatile boolean fail;

        Failing(Backend real) {
            super(real);
        }

        @Override
        public int runOnce(long waitNanos) {
            if (fail) {
                throw new IllegalStateException(WHAT);
            }
            return delegate.runOnce(waitNanos);
        }
    }

    @EachBackend
    void afterADispatcherFailureNewOperationsFailAtOnceAndTheFailureIsVisible(ProactorFixture fixture) {
        AtomicReference<Failing> backend = new AtomicReference<>();
        Proactor p = fixture.open(fixture.config(), real -> {
            Failing f = new Failing(real);
            backend.set(f);
            return f;
        });
        Ops.result(p.nop());
        assertThat(p.isClosed()).isFalse();
        assertThat(p.failure()).isEmpty();

        backend.get().fail = true;
        // A command wakes the dispatcher, and its next turn fails (with nothing in the kernel).
        p.operations();
        Waits.until(Duration.ofSeconds(30), p::isClosed, () -> "the failure never showed");

        assertThat(p.failure()).hasValueSatisfying(t -> assertThat(t).hasMessage(Failing.WHAT));
        Operation<Void> nop = p.nop();
        Operation<Void> timer = p.timer(Duration.ofHours(1));
        ProactorException e = Ops.failure(nop);
        assertThat(e).isInstanceOf(ProactorClosedException.class).hasMessageContaining("failed")
                .hasMessageContaining("close it");
        assertThat(e.getCause()).hasMessage(Failing.WHAT);
        assertThat(Ops.failure(timer)).isInstanceOf(ProactorClosedException.class);
        assertThat(p.close(Duration.ofSeconds(5)).clean()).isTrue();
    }
}
