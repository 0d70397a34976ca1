package dev.proactor.internal.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    private final ConcurrentLinkedQueue<Thread> made = new ConcurrentLinkedQueue<>();
    private final ThreadFactory factory = r -> {
        Thread t = Thread.ofPlatform().name("pool-test-" + made.size()).daemon(true).unstarted(r);
        made.add(t);
        return t;
    };

    @AfterEach
    void threadsEnded() throws InterruptedException {
        for (Thread t : made) {
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(t.isAlive()).as("%s still running after the test", t.getName()).isFalse();
        }
    }

    /**
     * The lost-wake-up race: submitters queue tasks in bursts separated by waits for the pool to go
     * idle, so workers are forever between "queue looked empty" and "parked". A lost wake-up leaves
     * a task stranded and the latch times out.
     */
    @Test
    void everyTaskRunsWhileWorkersKeepParking() throws Exception {
        WorkerPool pool = new WorkerPool(3, factory);
        int rounds = 20_000;
        AtomicLong ran = new AtomicLong();
        for (int r = 0; r < rounds; r++) {
            int burst = 1 + r % 4;
            CountDownLatch done = new CountDownLatch(burst);
            for (int i = 0; i < burst; i++) {
                pool.execute(() -> {
                    ran.incrementAndGet();
                    done.countDown();
                });
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).as("round %d: a task was stranded", r).isTrue();
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran.get()).isEqualTo(rounds / 4 * (1 + 2 + 3 + 4));
    }

    @Test
    void manySubmittersAtOnceLoseNothing() throws Exception {
        WorkerPool pool = new WorkerPool(2, factory);
        int submitters = 4;
        int each = 50_000;
        AtomicLong ran = new AtomicLong();
        CountDownLatch done = new CountDownLatch(submitters * each);
        List<Thread> producers = new ArrayList<>();
        for (int s = 0; s < submitters; s++) {
            producers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) {
                    pool.execute(() -> {
                        ran.incrementAndGet();
                        done.countDown();
                    });
                }
            }));
        }
        for (Thread p : producers) {
            p.join();
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran.get()).isEqualTo((long) submitters * each);
    }

    /** Deferred hand-offs: nothing runs until the batch is signalled, then all of it does. */
    @Test
    void enqueuedTasksRunAfterTheSignal() throws Exception {
        WorkerPool pool = new WorkerPool(2, factory);
        // Park both workers first: start the pool and let it go idle.
        CountDownLatch warm = new CountDownLatch(1);
        pool.execute(warm::countDown);
        assertThat(warm.await(10, TimeUnit.SECONDS)).isTrue();
        for (int round = 0; round < 1_000; round++) {
            CountDownLatch done = new CountDownLatch(8);
            for (int i = 0; i < 8; i++) {
                pool.enqueue(done::countDown);
            }
            pool.flush();
            assertThat(done.await(10, TimeUnit.SECONDS)).as("round %d", round).isTrue();
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aBurstSpreadsOverTheWorkers() throws Exception {
        int workers = 3;
        WorkerPool pool = new WorkerPool(workers, factory);
        // Each task waits until all three run at once: only possible if the burst woke every worker.
        CountDownLatch together = new CountDownLatch(workers);
        CountDownLatch done = new CountDownLatch(workers);
        for (int i = 0; i < workers; i++) {
            pool.enqueue(() -> {
                together.countDown();
                try {
                    if (together.await(10, TimeUnit.SECONDS)) {
                        done.countDown();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        pool.flush();
        assertThat(done.await(20, TimeUnit.SECONDS)).as("all workers ran the burst together").isTrue();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aThrowingTaskDoesNotStopItsWorker() throws Exception {
        WorkerPool pool = new WorkerPool(1, factory);
        CountDownLatch after = new CountDownLatch(1);
        pool.execute(() -> {
            throw new IllegalStateException("handler bug (expected in this test)");
        });
        pool.execute(after::countDown);
        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(made).hasSize(1);
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anInterruptDoesNotLeakIntoTheNextTask() throws Exception {
        WorkerPool pool = new WorkerPool(1, factory);
        AtomicBoolean sawInterrupt = new AtomicBoolean(true);
        CountDownLatch done = new CountDownLatch(1);
        pool.execute(() -> Thread.currentThread().interrupt());
        pool.execute(() -> {
            sawInterrupt.set(Thread.currentThread().isInterrupted());
            done.countDown();
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sawInterrupt).isFalse();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shutdownRunsWhatIsQueuedThenRejects() throws Exception {
        WorkerPool pool = new WorkerPool(1, factory);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        pool.execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ran.incrementAndGet();
        });
        for (int i = 0; i < 10; i++) {
            pool.execute(ran::incrementAndGet);
        }
        pool.shutdown();
        assertThatThrownBy(() -> pool.execute(ran::incrementAndGet)).isInstanceOf(RejectedExecutionException.class);
        assertThat(pool.isTerminated()).isFalse();
        gate.countDown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.isTerminated()).isTrue();
        assertThat(ran).hasValue(11);
    }

    @Test
    void shutdownNowHandsBackTheQueueAndInterruptsTheRunningTask() throws Exception {
        WorkerPool pool = new WorkerPool(1, factory);
        CountDownLatch running = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        pool.execute(() -> {
            running.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        Runnable queued = () -> { };
        pool.execute(queued);
        List<Runnable> left = pool.shutdownNow();
        assertThat(left).containsExactly(queued);
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(interrupted).isTrue();
    }

    @Test
    void aPoolNeverUsedStartsNoThreadAndTerminatesAtOnce() throws Exception {
        WorkerPool pool = new WorkerPool(4, factory);
        pool.shutdown();
        assertThat(pool.awaitTermination(1, TimeUnit.SECONDS)).isTrue();
        assertThat(made).isEmpty();
        assertThatThrownBy(() -> new WorkerPool(0, factory)).isInstanceOf(IllegalArgumentException.class);
    }
}
