package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A tiny ring flooded with completions (reliability target R3): a submission queue of 4 and a
 * completion queue of 8 against 12,000 operations submitted in bursts from several threads. Nothing
 * is lost: every handler runs once and the kernel reports no dropped completion.
 */
class CompletionQueueOverflowContractTest {

    private static final int NOPS = 10_000;
    private static final int TIMERS = 2_000;
    private static final int BURST = 64;
    private static final int THREADS = 4;

    @EachBackend
    void aTinyRingLosesNoCompletion(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().submissionQueueEntries(4).completionQueueEntries(8));
        int total = NOPS + TIMERS;
        AtomicIntegerArray calls = new AtomicIntegerArray(total);
        CountDownLatch allHandled = new CountDownLatch(total);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int first = t;
            producers.add(Thread.ofPlatform().name("overflow-producer-" + t).start(() -> {
                SplittableRandom random = new SplittableRandom(first);
                // Producer t takes bursts t, t + THREADS, ...; op index i is a timer when i % 6 == 5.
                for (int burst = first; burst * BURST < total; burst += THREADS) {
                    for (int i = burst * BURST; i < Math.min(total, (burst + 1) * BURST); i++) {
                        int index = i;
                        Operation<Void> op = isTimer(i)
                                ? p.timer(Duration.ofNanos(random.nextLong(500_000)))
                                : p.nop();
                        op.onComplete((v, failure) -> {
                            if (failure != null) {
                                failures.add(index + ": " + failure);
                            }
                            calls.incrementAndGet(index);
                            allHandled.countDown();
                        });
                    }
                }
            }));
        }
        for (Thread t : producers) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(t.isAlive()).as(t.getName() + " finished submitting").isFalse();
        }
        assertThat(allHandled.await(60, TimeUnit.SECONDS))
                .as("all %d handlers ran; %d missing", total, allHandled.getCount()).isTrue();
        assertThat(failures).as("operations that failed").isEmpty();
        for (int i = 0; i < total; i++) {
            assertThat(calls.get(i)).as("handler calls of operation %d", i).isEqualTo(1);
        }
        int timers = 0;
        for (int i = 0; i < total; i++) {
            timers += isTimer(i) ? 1 : 0;
        }
        assertThat(timers).isEqualTo(TIMERS);
        MetricsSnapshot m = p.metrics();
        assertThat(m.completionsDropped()).as("completions the kernel dropped").isZero();
        assertThat(m.kinds().get(OperationKind.NOP).completed()).isEqualTo(total - timers);
        assertThat(m.kinds().get(OperationKind.TIMER).completed()).isEqualTo(timers);
        Waits.until(Duration.ofSeconds(5), () -> p.metrics().ledger().outstanding() == 0,
                () -> "ledger " + p.metrics().ledger());
        MetricsSnapshot.Ledger ledger = p.metrics().ledger();
        assertThat(ledger.initiated()).isEqualTo(total);
        assertThat(ledger.duplicates()).isZero();
        assertThat(ledger.strays()).isZero();
    }

    /** About one operation in six is a timer: 2,000 of 12,000. */
    private static boolean isTimer(int i) {
        return i % 6 == 5;
    }
}
