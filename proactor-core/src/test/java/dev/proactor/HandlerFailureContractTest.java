package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A throwing handler is counted and reported, and the proactor goes on. */
class HandlerFailureContractTest {

    @EachBackend
    void aThrowingHandlerIsCountedReportedAndTheProactorGoesOn(ProactorFixture fixture) throws Exception {
        LinkedBlockingQueue<HandlerFailure> reported = new LinkedBlockingQueue<>();
        Proactor p = fixture.open(fixture.config().handlerFailures(HandlerFailurePolicy.report(reported::add)));
        String workerPrefix = p.config().name() + "-worker-";
        RuntimeException boom = new IllegalStateException("boom from a handler");
        AtomicInteger otherHandler = new AtomicInteger();

        Operation<Void> op = p.nop();
        op.onComplete((v, failure) -> {
            throw boom;
        });
        op.onComplete((v, failure) -> otherHandler.incrementAndGet());

        HandlerFailure failure = reported.poll(10, TimeUnit.SECONDS);
        assertThat(failure).as("the sink received the failure").isNotNull();
        assertThat(failure.operation().id()).isEqualTo(op.id());
        assertThat(failure.operation().kind()).isEqualTo(OperationKind.NOP);
        assertThat(failure.operation().state()).isEqualTo(OperationState.COMPLETED);
        assertThat(failure.error()).isSameAs(boom);
        assertThat(failure.threadName()).as("reported from a worker").startsWith(workerPrefix);
        Waits.until(Duration.ofSeconds(5), () -> p.metrics().handlerFailures() == 1,
                () -> "handlerFailures = " + p.metrics().handlerFailures());
        Waits.until(Duration.ofSeconds(5), () -> otherHandler.get() == 1,
                () -> "the operation's other handler ran " + otherHandler.get() + " times");
        assertThat(op.state()).as("the operation's outcome stands").isEqualTo(OperationState.COMPLETED);

        // A failed operation's handler that throws is reported too, with the right operation.
        Operation<Void> timer = p.timer(Duration.ofHours(1));
        timer.onComplete((v, f) -> {
            throw new IllegalArgumentException("second");
        });
        assertThat(timer.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS).kind())
                .isEqualTo(CancelResult.Kind.CANCELLED);
        HandlerFailure second = reported.poll(10, TimeUnit.SECONDS);
        assertThat(second).isNotNull();
        assertThat(second.operation().id()).isEqualTo(timer.id());
        assertThat(second.error()).hasMessage("second");

        // The dispatcher and workers keep going: 1,000 more operations all complete.
        CountDownLatch next = new CountDownLatch(1000);
        List<Operation<?>> more = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Operation<Void> o = i % 10 == 0 ? p.timer(Duration.ofMillis(1)) : p.nop();
            o.onComplete((v, f) -> {
                if (f == null) {
                    next.countDown();
                }
            });
            more.add(o);
        }
        assertThat(next.await(30, TimeUnit.SECONDS)).as("%d of 1000 did not complete", next.getCount()).isTrue();
        assertThat(more).allMatch(o -> o.state() == OperationState.COMPLETED);
        assertThat(p.metrics().handlerFailures()).isEqualTo(2);
        assertThat(reported).isEmpty();
    }

    @EachBackend
    void aThrowingSinkOrTheLogPolicyDoesNotStopTheProactor(ProactorFixture fixture) throws Exception {
        Proactor logging = fixture.open(fixture.config().handlerFailures(HandlerFailurePolicy.log()));
        Proactor badSink = fixture.open(fixture.config().handlerFailures(HandlerFailurePolicy.report(f -> {
            throw new IllegalStateException("the sink throws too");
        })));
        for (Proactor p : List.of(logging, badSink)) {
            for (int i = 0; i < 3; i++) {
                p.nop().onComplete((v, f) -> {
                    throw new IllegalStateException("handler failure (expected by the test)");
                });
            }
            Waits.until(Duration.ofSeconds(10), () -> p.metrics().handlerFailures() == 3,
                    () -> "handlerFailures = " + p.metrics().handlerFailures());
            assertThat(Ops.result(p.nop())).isNull();
        }
    }
}
