package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Supplier;

/**
 * A completion queue too small for the completions due (reliability target R3). The io_uring
 * backend normally sizes its CQ from the admission limit and refuses a submission whose
 * completions might not fit, so its CQ never overflows; these tests use its test switch
 * {@code dev.proactor.uring.completionQueueEntries}, which makes the ring's CQ exactly that size
 * while the accounting keeps admitting as before, so completions beyond the ring go to the
 * kernel's overflow list (IORING_FEAT_NODROP) and the backend must flush them from there.
 *
 * <p>On the portable backend there is no completion queue and the switch means nothing: the same
 * bursts run there to show they lose nothing, and its overflow counter stays 0.
 */
class CompletionQueueOverflowContractTest {

    private static final String CQ_ENTRIES = "dev.proactor.uring.completionQueueEntries";

    private static final int NOPS = 10_000;
    private static final int TIMERS = 2_000;
    private static final int BURST = 64;
    private static final int THREADS = 4;
    private static final int ACCEPTS = 32;

    /** Opens a proactor through {@code open} while the io_uring CQ switch says {@code entries}. */
    private static Proactor withCompletionQueueOf(int entries, Supplier<Proactor> open) {
        String before = System.getProperty(CQ_ENTRIES);
        System.setProperty(CQ_ENTRIES, Integer.toString(entries));
        try {
            // The backend reads the switch on the dispatcher thread, before open returns.
            return open.get();
        } finally {
            if (before == null) {
                System.clearProperty(CQ_ENTRIES);
            } else {
                System.setProperty(CQ_ENTRIES, before);
            }
        }
    }

    private static boolean hasCompletionQueue(ProactorFixture fixture) {
        return fixture.backend() == BackendChoice.IO_URING;
    }

    /**
     * Closing a listener cancels its pending accepts in one dispatcher turn. With a submission queue
     * of 4, each kernel call submits 4 cancels, and each cancel brings two completions (its own and
     * its target's), all posted inside that call: 8 completions for a completion queue of exactly 4,
     * every time, whatever the timing. Each of the 32 accepts must end exactly once, as cancelled;
     * the overflow must have been seen and flushed, and nothing dropped.
     */
    @EachBackend
    void cancelBurstsTwiceTheQueueSizeLoseNothing(ProactorFixture fixture) throws Exception {
        Proactor p = withCompletionQueueOf(4, () -> fixture.open(fixture.config()
                .submissionQueueEntries(4).completionQueueEntries(4)));
        AsyncServerSocket listener = Sockets.listen(p);
        AtomicIntegerArray calls = new AtomicIntegerArray(ACCEPTS);
        CountDownLatch ended = new CountDownLatch(ACCEPTS);
        List<Operation<AsyncSocket>> accepts = new ArrayList<>();
        for (int i = 0; i < ACCEPTS; i++) {
            int index = i;
            Operation<AsyncSocket> a = listener.accept();
            a.onComplete((s, failure) -> {
                calls.incrementAndGet(index);
                ended.countDown();
            });
            accepts.add(a);
        }
        // All in the kernel before the burst, so that every cancel has a target there.
        Waits.until(Duration.ofSeconds(30), () -> p.operations().stream()
                        .filter(o -> o.kind() == OperationKind.ACCEPT && o.state() == OperationState.SUBMITTED)
                        .count() == ACCEPTS,
                () -> "accepts submitted: " + p.operations());
        long overflowsBefore = p.metrics().completionQueueOverflows();

        Ops.result(listener.closeAsync());
        assertThat(ended.await(30, TimeUnit.SECONDS)).as("%d accepts did not end", ended.getCount()).isTrue();
        for (int i = 0; i < ACCEPTS; i++) {
            assertThat(calls.get(i)).as("handler calls of accept %d", i).isEqualTo(1);
            assertThat(accepts.get(i).state()).as("accept %d", i).isEqualTo(OperationState.CANCELLED);
        }
        MetricsSnapshot m = p.metrics();
        assertThat(m.kinds().get(OperationKind.ACCEPT).cancelled()).isEqualTo(ACCEPTS);
        assertThat(m.completionsDropped()).as("completions the kernel dropped").isZero();
        if (hasCompletionQueue(fixture)) {
            assertThat(m.completionQueueOverflows() - overflowsBefore)
                    .as("overflows seen and flushed during the burst").isPositive();
        } else {
            assertThat(m.completionQueueOverflows()).as("the portable backend has no completion queue").isZero();
        }
        // The ring still works after its overflow list was used.
        for (int i = 0; i < 100; i++) {
            assertThat(Ops.result(p.nop())).isNull();
        }
        assertLedgerClean(p, ACCEPTS + 1 + 1 + 100);
    }

    /**
     * 12,000 nops and short timers, submitted in bursts from 4 threads, through a submission queue
     * of 4 and a completion queue of exactly 8 that admission does not protect: completions of timers
     * that expire while a turn's nops fill the ring overflow it now and then (how often depends on
     * timing, which is why the test above makes it certain). Every handler runs once, every
     * operation completes, and the kernel drops nothing.
     */
    @EachBackend
    void aTinyRingLosesNoCompletion(ProactorFixture fixture) throws Exception {
        Proactor p = withCompletionQueueOf(8, () -> fixture.open(fixture.config()
                .submissionQueueEntries(4).completionQueueEntries(8)));
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
        assertLedgerClean(p, total);
    }

    private static void assertLedgerClean(Proactor p, long initiated) {
        Waits.until(Duration.ofSeconds(30), () -> p.metrics().ledger().outstanding() == 0,
                () -> "ledger " + p.metrics().ledger());
        MetricsSnapshot.Ledger ledger = p.metrics().ledger();
        assertThat(ledger.initiated()).isEqualTo(initiated);
        assertThat(ledger.duplicates()).isZero();
        assertThat(ledger.strays()).isZero();
    }

    /** About one operation in six is a timer: 2,000 of 12,000. */
    private static boolean isTimer(int i) {
        return i % 6 == 5;
    }
}
