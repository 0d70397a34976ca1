package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Timers fire in order and never early; a deadline ends an operation as TIMED_OUT (target R7). */
class TimerContractTest {

    private static final int TIMERS = 200;
    /**
     * Timers due this close together may fire in either order. The kernel arms each timeout on the
     * CPU that took its SQE (the dispatcher moves between CPUs), and on a virtual machine one CPU's
     * timer interrupt can come tens of microseconds after another's: a CI run saw a timer due 6 us
     * after another fire 25 us before it, both armed 8 ms before they were due. The deadlines of the
     * 200 timers are 225 us apart on average, so a whole millisecond still leaves most pairs judged.
     */
    private static final long CROSS_CPU_JITTER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** One timer: the bounds of its true deadline, when it was surely armed, and when and in which place it fired. */
    private static final class Shot {
        long earliestDeadline;
        long latestDeadline;
        /** A time by which the backend surely held the timer (0: never observed); see the fence below. */
        volatile long armedBy;
        volatile long firedAt;
        volatile int rank = -1;
        volatile long batch = -1;
    }

    @EachBackend
    void timersFireInDeadlineOrderAndNeverEarly(ProactorFixture fixture) throws Exception {
        // Inline handlers run on the dispatcher in completion order, so ranks are the order of firing.
        Proactor p = fixture.open(fixture.config().inlineHandlers(true));
        warmUp(p);
        SplittableRandom random = new SplittableRandom(11);
        List<Shot> shots = new ArrayList<>();
        AtomicInteger rank = new AtomicInteger();
        CountDownLatch fired = new CountDownLatch(TIMERS);
        CountDownLatch fenced = new CountDownLatch(TIMERS);
        List<Operation<Void>> ops = new ArrayList<>();
        for (int i = 0; i < TIMERS; i++) {
            // 5-50 ms: every timer reaches the kernel well before it is due even when the shared CPUs
            // delay the dispatcher by a millisecond or two; "never early" for 1 ms timers is checked
            // in timersOnWorkersAreNeverEarly.
            long delay = TimeUnit.MILLISECONDS.toNanos(5) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(45) + 1);
            Shot s = new Shot();
            long before = System.nanoTime();
            Operation<Void> op = p.timer(Duration.ofNanos(delay));
            long after = System.nanoTime();
            // The proactor reads the clock somewhere between before and after.
            s.earliestDeadline = before + delay;
            s.latestDeadline = after + delay;
            op.onComplete((v, failure) -> {
                s.firedAt = System.nanoTime();
                s.rank = rank.getAndIncrement();
                // Inline handlers of one kernel call see the same count: it identifies the batch.
                s.batch = p.metrics().kernelCalls();
                fired.countDown();
            });
            // The fence: a nop initiated after the timer completes inside the backend's turn, after
            // the turn's submissions reached the kernel (a nop's CQE is posted while the kernel takes
            // the SQEs in order). If the timer had left the queues by then, the backend held it at
            // that moment. A timer the backend took only after its deadline (the dispatcher starved of
            // CPU on a loaded machine) fires on arrival, behind what had expired before: that order
            // is the scheduler's, not the library's, so such a timer is left out of the order check.
            p.nop().onComplete((v, failure) -> {
                if (op.state() != OperationState.QUEUED) {
                    s.armedBy = System.nanoTime();
                }
                fenced.countDown();
            });
            shots.add(s);
            ops.add(op);
        }
        assertThat(fired.await(10, TimeUnit.SECONDS)).as("%d timers did not fire", fired.getCount()).isTrue();
        assertThat(fenced.await(10, TimeUnit.SECONDS)).as("%d fences did not complete", fenced.getCount()).isTrue();
        assertThat(ops).allMatch(o -> o.state() == OperationState.COMPLETED);
        for (Shot s : shots) {
            assertThat(s.firedAt).as("fired %d ns before its deadline", s.earliestDeadline - s.firedAt)
                    .isGreaterThanOrEqualTo(s.earliestDeadline);
        }
        List<Shot> byRank = new ArrayList<>(shots);
        byRank.sort((a, b) -> Integer.compare(a.rank, b.rank));
        List<String> inversions = new ArrayList<>();
        int judged = 0;
        for (int i = 0; i < byRank.size(); i++) {
            for (int j = i + 1; j < byRank.size(); j++) {
                Shot first = byRank.get(i);
                Shot later = byRank.get(j);
                // Judged only when the one fired later was armed before it was due (so the backend had
                // every chance to fire it first) and the two came out of different kernel calls: timers
                // that expire while the dispatcher is away are all posted when it next enters the
                // kernel, in the kernel's order of running deferred work, which is not the library's.
                if (later.armedBy == 0 || later.armedBy - later.earliestDeadline >= 0 || first.batch == later.batch) {
                    continue;
                }
                judged++;
                if (first.earliestDeadline - later.latestDeadline > CROSS_CPU_JITTER_NANOS) {
                    inversions.add(String.format("timer ranked %d (fired %d us late) is due %d us after timer"
                                    + " ranked %d (armed %d us before due, fired %d us late, %d us after it)",
                            first.rank, (first.firedAt - first.earliestDeadline) / 1000,
                            (first.earliestDeadline - later.latestDeadline) / 1000, later.rank,
                            (later.earliestDeadline - later.armedBy) / 1000,
                            (later.firedAt - later.earliestDeadline) / 1000, (later.firedAt - first.firedAt) / 1000));
                }
            }
        }
        assertThat(judged).as("no pair of timers armed in time came out of different kernel calls").isPositive();
        assertThat(inversions).as("timers fired out of deadline order").isEmpty();
    }

    /**
     * Runs the timer path a few thousand times first, so that class loading and compilation in a
     * fresh JVM do not delay the dispatcher by milliseconds while the timers under test are due.
     */
    private static void warmUp(Proactor p) throws Exception {
        for (int round = 0; round < 10; round++) {
            List<Operation<Void>> ops = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                ops.add(p.timer(Duration.ofNanos(i * 1000L)));
            }
            for (Operation<Void> op : ops) {
                Ops.result(op);
            }
        }
    }

    @EachBackend
    void timersOnWorkersAreNeverEarly(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        SplittableRandom random = new SplittableRandom(12);
        CountDownLatch fired = new CountDownLatch(TIMERS);
        List<long[]> early = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < TIMERS; i++) {
            long delay = TimeUnit.MILLISECONDS.toNanos(1) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(49) + 1);
            long before = System.nanoTime();
            p.timer(Duration.ofNanos(delay)).onComplete((v, failure) -> {
                long at = System.nanoTime();
                if (failure != null || at < before + delay) {
                    early.add(new long[] {delay, at - before});
                }
                fired.countDown();
            });
        }
        assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(early).as("timers that fired early or failed: [delay, fired after]").isEmpty();
    }

    @EachBackend
    void aReadWithADeadlineThatGetsNoDataTimesOut(ProactorFixture fixture) throws Exception {
        assumeTrue(fixture.backend() != BackendChoice.PORTABLE, "the portable backend cannot interrupt a "
                + "blocking read of a pipe or FIFO: FileChannel has no readiness, and interrupting it closes the file");
        Proactor p = fixture.proactor();
        Path fifo = fixture.fifo("silent.fifo");
        AsyncFile pipe = Ops.result(p.openFile(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
        Duration timeout = Duration.ofMillis(50);
        AsyncFile withDeadline = pipe.withTimeout(timeout);
        AtomicInteger calls = new AtomicInteger();
        long start = System.nanoTime();
        Operation<Integer> read = withDeadline.read(0, ByteBuffer.allocate(64));
        read.onComplete((n, f) -> calls.incrementAndGet());
        ProactorException e = Ops.failure(read);
        long took = System.nanoTime() - start;
        assertThat(read.state()).isEqualTo(OperationState.TIMED_OUT);
        assertThat(e).isInstanceOf(OperationTimeoutException.class);
        assertThat(((OperationTimeoutException) e).timeout()).isEqualTo(timeout);
        assertThat(e.kind()).isEqualTo(OperationKind.READ);
        assertThat(e.bytesDone()).isZero();
        assertThat(Duration.ofNanos(took)).as("not before the deadline").isGreaterThanOrEqualTo(timeout);
        assertThat(read.failureNow()).isSameAs(e);

        // The view's deadline applies to each operation it starts, and the file itself has none.
        Operation<Integer> again = withDeadline.read(0, ByteBuffer.allocateDirect(64));
        assertThat(Ops.failure(again)).isInstanceOf(OperationTimeoutException.class);
        Operation<Integer> plain = pipe.read(0, ByteBuffer.allocate(64));
        assertThat(Ops.result(pipe.write(0, ByteBuffer.wrap(new byte[] {42})))).isEqualTo(1);
        assertThat(Ops.result(plain)).isEqualTo(1);
        assertThat(calls.get()).isEqualTo(1);
        MetricsSnapshot.KindMetrics reads = p.metrics().kinds().get(OperationKind.READ);
        assertThat(reads.timedOut()).isEqualTo(2);
        Ops.result(pipe.closeAsync());

    }

    @EachBackend
    void aProactorViewPutsTheDeadlineOnTimersToo(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Duration timeout = Duration.ofMillis(50);
        long t0 = System.nanoTime();
        Operation<Void> timer = p.withTimeout(timeout).timer(Duration.ofHours(1));
        assertThat(Ops.failure(timer)).isInstanceOf(OperationTimeoutException.class);
        assertThat(timer.state()).isEqualTo(OperationState.TIMED_OUT);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(timeout);
    }

    /**
     * A long timer cancelled ends CANCELLED and its await throws; a second cancel finds nothing to
     * cancel. A deadline longer than the timer lets the timer complete.
     */
    @EachBackend
    void aCancelledTimerEndsCancelledAndALongDeadlineLetsATimerComplete(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Operation<Void> t = p.timer(Duration.ofHours(1));
        CancelResult r = t.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(r.kind()).isEqualTo(CancelResult.Kind.CANCELLED);
        assertThat(t.state()).isEqualTo(OperationState.CANCELLED);
        assertThat(Ops.failure(t)).isInstanceOf(OperationCancelledException.class);
        CancelResult again = t.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(again.kind()).isEqualTo(CancelResult.Kind.NOT_FOUND);

        Operation<Void> bounded = p.withTimeout(Duration.ofSeconds(30)).timer(Duration.ofMillis(5));
        assertThat(Ops.result(bounded)).isNull();
        assertThat(bounded.state()).isEqualTo(OperationState.COMPLETED);
    }
}
