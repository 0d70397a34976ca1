package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.InHandler;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A handler cannot block the threads it runs on: {@code close()} and {@code await()} from an inline
 * handler, and {@code close()} from a handler on the proactor's own workers, throw an
 * {@link IllegalStateException} that names what to do instead; {@code closeAsync} works from there.
 * A worker may still {@code await}, but not the only one ({@code workerThreads(1)}), which would
 * wait for its own delivery.
 */
class HandlerBlockingContractTest {

    private static final long HANG_SECONDS = 30;

    @EachBackend
    void closeFromAnInlineHandlerThrowsInsteadOfDeadlocking(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().inlineHandlers(true));

        Throwable t = InHandler.thrown(p, p::close);

        assertThat(t).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dispatcher thread").hasMessageContaining("closeAsync()");
        assertThat(p.isClosed()).isFalse();
        Ops.result(p.nop());
    }

    @EachBackend
    void awaitFromAnInlineHandlerThrowsInsteadOfDeadlocking(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().inlineHandlers(true));

        Throwable t = InHandler.thrown(p, () -> p.nop().await());
        Throwable timed = InHandler.thrown(p, () -> p.nop().await(Duration.ofSeconds(HANG_SECONDS)));

        assertThat(t).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dispatcher thread").hasMessageContaining("onComplete");
        assertThat(timed).isInstanceOf(IllegalStateException.class).hasMessageContaining("dispatcher thread");
        Ops.result(p.nop());
    }

    @EachBackend
    void closeFromAWorkerHandlerThrowsAndCloseAsyncCloses(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();

        Throwable t = InHandler.thrown(p, p::close);

        assertThat(t).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a worker of").hasMessageContaining("closeAsync()");
        assertThat(p.isClosed()).isFalse();
        CompletableFuture<CloseReport> report = new CompletableFuture<>();
        assertThat(InHandler.thrown(p, () -> p.closeAsync(Duration.ofSeconds(5)).whenComplete((r, e) -> {
            if (e != null) {
                report.completeExceptionally(e);
            } else {
                report.complete(r);
            }
        }))).isNull();
        assertThat(report.get(HANG_SECONDS, TimeUnit.SECONDS).clean()).isTrue();
        assertThat(p.isClosed()).isTrue();
        assertThat(Ops.failure(p.nop())).isInstanceOf(ProactorClosedException.class);
    }

    @EachBackend
    void awaitFromAWorkerHandlerIsAllowed(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().workerThreads(2));

        Throwable t = InHandler.thrown(p, () -> p.nop().await(Duration.ofSeconds(HANG_SECONDS)));

        assertThat(t).isNull();
    }

    /** The only worker would deliver the outcome it waits for: await() there throws, timed or not. */
    @EachBackend
    void awaitOnTheOnlyWorkerThrowsInsteadOfDeadlocking(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().workerThreads(1));
        Operation<Void> done = p.nop();
        Ops.result(done);

        Throwable t = InHandler.thrown(p, () -> p.nop().await());
        Throwable timed = InHandler.thrown(p, () -> p.nop().await(Duration.ofSeconds(HANG_SECONDS)));
        Throwable known = InHandler.thrown(p, done::await);

        assertThat(t).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the only worker").hasMessageContaining("onComplete");
        assertThat(timed).isInstanceOf(IllegalStateException.class).hasMessageContaining("the only worker");
        assertThat(known).isInstanceOf(IllegalStateException.class).hasMessageContaining("the only worker");
        Ops.result(p.nop());
    }

    /** Another proactor's operation is delivered on that proactor's workers: the only worker may wait for it. */
    @EachBackend
    void theOnlyWorkerMayAwaitAnotherProactorsOperation(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().workerThreads(1));
        Proactor other = fixture.open(fixture.config().workerThreads(1));

        Throwable t = InHandler.thrown(p, () -> other.nop().await(Duration.ofSeconds(HANG_SECONDS)));

        assertThat(t).isNull();
    }
}
