package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The in-flight limit (reliability target R8): never exceeded whatever the admission policy, every
 * operation ends, and each policy does what it says when the limit is reached.
 */
class AdmissionContractTest {

    private static final int LIMIT = 8;
    private static final int PRODUCERS = 8;
    private static final int OPS = 10_000;

    @EachBackend
    void theLimitHoldsWhenProducersWait(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().maxInFlight(LIMIT)
                .admission(AdmissionPolicy.waitUpTo(Duration.ofSeconds(30))));
        flood(p, Integer.MAX_VALUE);
    }

    @EachBackend
    void theLimitHoldsWhenOperationsQueue(ProactorFixture fixture) throws Exception {
        int bound = 64;
        Proactor p = fixture.open(fixture.config().maxInFlight(LIMIT).admission(AdmissionPolicy.queue(bound)));
        // Each producer keeps at most bound / PRODUCERS of its operations unfinished, so the queue never
        // has to refuse one: LIMIT in flight plus at most bound waiting.
        flood(p, bound / PRODUCERS);
    }

    /**
     * 8 producers initiate 10,000 operations (nops and 0-1 ms timers) while a sampler watches how many
     * are with the kernel; each producer keeps at most {@code perProducer} unfinished.
     */
    private static void flood(Proactor p, int perProducer) throws Exception {
        AtomicIntegerArray calls = new AtomicIntegerArray(OPS);
        CountDownLatch ended = new CountDownLatch(OPS);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger maxSubmittedSampled = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().name("admission-sampler").start(() -> {
            while (!stop.get()) {
                int submitted = (int) p.operations().stream()
                        .filter(info -> info.state() == OperationState.SUBMITTED).count();
                maxSubmittedSampled.accumulateAndGet(submitted, Math::max);
                samples.incrementAndGet();
                LockSupport.parkNanos(200_000);
            }
        });
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < PRODUCERS; t++) {
            int me = t;
            producers.add(Thread.ofPlatform().name("admission-producer-" + t).start(() -> {
                SplittableRandom random = new SplittableRandom(me);
                Semaphore mine = new Semaphore(Math.min(perProducer, OPS));
                for (int i = me; i < OPS; i += PRODUCERS) {
                    int index = i;
                    mine.acquireUninterruptibly();
                    Operation<Void> op = random.nextBoolean()
                            ? p.nop()
                            : p.timer(Duration.ofNanos(random.nextLong(1_000_001)));
                    op.onComplete((v, failure) -> {
                        if (failure != null) {
                            failures.add(index + ": " + failure);
                        }
                        calls.incrementAndGet(index);
                        mine.release();
                        ended.countDown();
                    });
                }
            }));
        }
        try {
            for (Thread t : producers) {
                t.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(t.isAlive()).as(t.getName() + " done").isFalse();
            }
            assertThat(ended.await(60, TimeUnit.SECONDS)).as("%d operations did not end", ended.getCount()).isTrue();
        } finally {
            stop.set(true);
            sampler.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(failures).as("operations that failed (none should be rejected)").isEmpty();
        for (int i = 0; i < OPS; i++) {
            assertThat(calls.get(i)).as("handler calls of operation %d", i).isEqualTo(1);
        }
        MetricsSnapshot m = p.metrics();
        assertThat(m.maxInFlightSeen()).as("maxInFlightSeen").isBetween(1L, (long) LIMIT);
        assertThat(samples.get()).isPositive();
        assertThat(maxSubmittedSampled.get()).as("most operations seen SUBMITTED at once in %d samples",
                samples.get()).isLessThanOrEqualTo(LIMIT);
        Waits.until(Duration.ofSeconds(5), () -> p.metrics().ledger().outstanding() == 0,
                () -> "ledger " + p.metrics().ledger());
        assertThat(p.metrics().ledger().initiated()).isEqualTo(OPS);
    }

    @EachBackend
    void rejectFailsAtOnceWhenFull(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().maxInFlight(LIMIT).admission(AdmissionPolicy.reject()));
        List<Operation<Void>> holders = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            holders.add(p.timer(Duration.ofHours(1)));
        }
        AtomicInteger handlerCalls = new AtomicInteger();
        AtomicInteger holdersDoneWhenRefused = new AtomicInteger(-1);
        Operation<Void> refused = p.nop();
        // At once: it ended while every slot was still held by an hour-long timer, so it waited for none.
        refused.onComplete((v, f) -> {
            holdersDoneWhenRefused.compareAndSet(-1, (int) holders.stream().filter(Operation::isDone).count());
            handlerCalls.incrementAndGet();
        });
        ProactorException e = Ops.failure(refused);
        assertThat(e).isInstanceOf(AdmissionRejectedException.class);
        assertThat(e.kind()).isEqualTo(OperationKind.NOP);
        assertThat(refused.state()).isEqualTo(OperationState.FAILED);
        Waits.until(Duration.ofSeconds(5), () -> handlerCalls.get() == 1, () -> "handler of the refused op");
        assertThat(holdersDoneWhenRefused.get()).as("holders that had ended when the refused op's handler ran").isZero();
        for (Operation<Void> h : holders) {
            assertThat(h.isDone()).as("a held operation was disturbed").isFalse();
        }
        // A slot frees: the next operation is admitted.
        assertThat(holders.getFirst().cancel().toCompletableFuture().get(10, TimeUnit.SECONDS).kind())
                .isEqualTo(CancelResult.Kind.CANCELLED);
        assertThat(Ops.result(p.nop())).isNull();
        for (Operation<Void> h : holders) {
            h.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        assertThat(p.metrics().maxInFlightSeen()).isEqualTo(LIMIT);
    }

    @EachBackend
    void waitUpToGivesUpAfterItsDeadlineAndQueueRefusesBeyondItsBound(ProactorFixture fixture) throws Exception {
        Proactor waiting = fixture.open(fixture.config().maxInFlight(LIMIT)
                .admission(AdmissionPolicy.waitUpTo(Duration.ofMillis(50))));
        List<Operation<Void>> holders = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            holders.add(waiting.timer(Duration.ofHours(1)));
        }
        long start = System.nanoTime();
        ProactorException e = Ops.failure(waiting.nop());
        long took = System.nanoTime() - start;
        assertThat(e).isInstanceOf(AdmissionRejectedException.class);
        assertThat(Duration.ofNanos(took)).as("waited out its deadline").isGreaterThanOrEqualTo(Duration.ofMillis(50));

        Proactor queueing = fixture.open(fixture.config().maxInFlight(LIMIT).admission(AdmissionPolicy.queue(2)));
        for (int i = 0; i < LIMIT; i++) {
            holders.add(queueing.timer(Duration.ofHours(1)));
        }
        Operation<Void> queued1 = queueing.nop();
        Operation<Void> queued2 = queueing.nop();
        ProactorException beyond = Ops.failure(queueing.nop());
        assertThat(beyond).isInstanceOf(AdmissionRejectedException.class);
        assertThat(queued1.isDone()).as("queued, not run, while the limit is reached").isFalse();
        assertThat(queued1.state()).isEqualTo(OperationState.QUEUED);
        assertThat(queued2.state()).isEqualTo(OperationState.QUEUED);
        for (Operation<Void> h : holders) {
            h.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        assertThat(Ops.result(queued1)).isNull();
        assertThat(Ops.result(queued2)).isNull();
    }
}
