package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.CancelRaces;
import dev.proactor.test.CancelRaces.Tally;
import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Waits;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;

/**
 * Cancel-versus-complete races (reliability target R2): every operation ends exactly once, the
 * cancellation's answer agrees with the operation's final state, and buffers come back. The races
 * run in windows of {@value CancelRaces#WINDOW} operations at once, the cancel following each start after a
 * random pause, so that both outcomes occur.
 */
class CancelRaceContractTest {

    private static final int RACES = 10_000;
    /** The nightly size of each race (reliability plan R2), under {@code -Pstress}. */
    private static final int STRESS_RACES = 100_000;

    @EachBackend
    void timerVersusCancel(ProactorFixture fixture) throws Exception {
        timerRaces(fixture, RACES);
    }

    @Tag("stress")
    @EachBackend
    void timerVersusCancelNightly(ProactorFixture fixture) throws Exception {
        timerRaces(fixture, STRESS_RACES);
    }

    private static void timerRaces(ProactorFixture fixture, int races) throws Exception {
        Proactor p = fixture.open();
        SplittableRandom random = new SplittableRandom(1);
        Tally t = race(p, races, random, r -> p.timer(Duration.ofNanos(r.nextLong(200_001))), 200_000, () -> { });
        assertThat(t.total()).isEqualTo(races);
        t.assertBothSides();
        t.assertMetricsAgree(p, OperationKind.TIMER);
    }

    @EachBackend
    void nopVersusCancel(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        SplittableRandom random = new SplittableRandom(2);
        Tally t = race(p, random, r -> p.nop(), 20_000);
        assertThat(t.total()).isEqualTo(RACES);
        t.assertMetricsAgree(p, OperationKind.NOP);
    }

    /**
     * The window the races hit most: the dispatcher has taken the nop's completion, but its delivery
     * waits behind a busy worker, so the caller still sees the nop running. Its cancel answers
     * TOO_LATE (it ended by itself), not NOT_FOUND; a cancel after the end is public answers NOT_FOUND.
     */
    @EachBackend
    void aCompletionTakenButNotYetDeliveredAnswersTooLate(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().workerThreads(1));
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        p.nop().onComplete((v, failure) -> {
            busy.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(busy.await(30, TimeUnit.SECONDS)).isTrue();
        long taken = completedNops(p);

        Operation<Void> op = p.nop();
        Waits.until(Duration.ofSeconds(30), () -> completedNops(p) > taken, () -> "the nop never completed");
        assertThat(op.isDone()).as("delivered while the only worker is busy").isFalse();
        CompletableFuture<CancelResult> answer = op.cancel().toCompletableFuture();
        release.countDown();

        assertThat(answer.get(30, TimeUnit.SECONDS).kind()).isEqualTo(CancelResult.Kind.TOO_LATE);
        assertThat(op.state()).isEqualTo(OperationState.COMPLETED);
        assertThat(op.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS).kind())
                .isEqualTo(CancelResult.Kind.NOT_FOUND);
    }

    private static long completedNops(Proactor p) {
        MetricsSnapshot.KindMetrics nop = p.metrics().kinds().get(OperationKind.NOP);
        return nop == null ? 0 : nop.completed();
    }

    @EachBackend
    void fifoReadVersusCancel(ProactorFixture fixture) throws Exception {
        fifoRaces(fixture, RACES);
    }

    @Tag("stress")
    @EachBackend
    void fifoReadVersusCancelNightly(ProactorFixture fixture) throws Exception {
        fifoRaces(fixture, STRESS_RACES);
    }

    private static void fifoRaces(ProactorFixture fixture, int races) throws Exception {
        Proactor p = fixture.open();
        Path fifo = fixture.fifo("race.fifo");
        // READ+WRITE: the open never waits for a writer, and reads wait for data instead of seeing EOF.
        AsyncFile pipe = Ops.result(p.openFile(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
        AtomicLong consumed = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread feeder;
        List<BufferLease> leases = new ArrayList<>();
        try (OutputStream out = new FileOutputStream(fifo.toFile())) {
            feeder = Thread.ofPlatform().name("fifo-feeder").start(() -> feed(out, consumed, stop));
            SplittableRandom random = new SplittableRandom(3);
            Tally t;
            try {
                t = race(p, races, random, r -> {
                    Operation<Integer> op = switch (r.nextInt(3)) {
                        case 0 -> pipe.read(0, ByteBuffer.allocate(16));
                        case 1 -> pipe.read(0, ByteBuffer.allocateDirect(16));
                        default -> {
                            BufferLease lease = p.buffers().tryLease();
                            if (lease == null) {
                                yield pipe.read(0, ByteBuffer.allocate(16));
                            }
                            synchronized (leases) {
                                leases.add(lease);
                            }
                            yield pipe.read(0, lease, 16);
                        }
                    };
                    op.onComplete((n, failure) -> {
                        if (failure == null && n > 0) {
                            consumed.addAndGet(n);
                        }
                    });
                    return op;
                }, 100_000, () -> {
                    // Every read of the window has ended: its lease must be free to release now.
                    synchronized (leases) {
                        for (BufferLease lease : leases) {
                            lease.release();
                        }
                        leases.clear();
                    }
                });
            } finally {
                stop.set(true);
                feeder.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertThat(feeder.isAlive()).isFalse();
            assertThat(t.total()).isEqualTo(races);
            t.assertBothSides();
            t.assertMetricsAgree(p, OperationKind.READ);
        }
        assertThat(p.buffers().leased()).as("leases back at baseline").isZero();
        Ops.result(pipe.closeAsync());
    }

    /** Writes single bytes at random moments, keeping the pipe far from full. */
    private static void feed(OutputStream out, AtomicLong consumed, AtomicBoolean stop) {
        SplittableRandom random = new SplittableRandom(4);
        long written = 0;
        try {
            while (!stop.get()) {
                if (written - consumed.get() < 16 * 1024) {
                    out.write(1);
                    written++;
                }
                LockSupport.parkNanos(random.nextLong(100_000));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Tally race(Proactor p, SplittableRandom random, Function<SplittableRandom, Operation<?>> start,
            long maxPauseNanos) throws Exception {
        return race(p, RACES, random, start, maxPauseNanos, () -> { });
    }

    /** The shared race runner, plus the lease check these file races need after every run. */
    private static Tally race(Proactor p, int races, SplittableRandom random,
            Function<SplittableRandom, Operation<?>> start, long maxPauseNanos, Runnable afterWindow) throws Exception {
        Tally tally = CancelRaces.run(races, random, i -> start.apply(random), maxPauseNanos, w -> afterWindow.run());
        assertThat(p.buffers().leased()).as("leases back at baseline").isZero();
        return tally;
    }
}
