package dev.proactor.internal.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BlockingPoolTest {

    private static final System.Logger LOG = System.getLogger("dev.proactor.blocking.test");
    private static final long WAIT = TimeUnit.SECONDS.toNanos(30);

    /** Released at the end of each test, so that no pool thread outlives it. */
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void releaseBlockedCalls() {
        release.countDown();
    }

    /** A call that blocks until the test releases it, ignoring interrupts as a system call would. */
    private void blockUntilReleased() {
        boolean interrupted = false;
        while (true) {
            try {
                release.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Offers a call that blocks until released and waits until a pool thread is inside it. */
    private void occupyTheOnlyThread(BlockingPool<String> pool) throws InterruptedException {
        CountDownLatch blockerRunning = new CountDownLatch(1);
        assertThat(pool.offer(new BlockingTask<>("blocker", owner -> {
            blockerRunning.countDown();
            blockUntilReleased();
        }))).isTrue();
        await(blockerRunning);
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(30, TimeUnit.SECONDS)).as("latch reached").isTrue();
    }

    @Test
    void aTaskRunsOnADaemonPlatformThreadNamedAfterThePrefix() throws InterruptedException {
        BlockingPool<String> pool = BlockingPool.bounded(LOG, "p-blocking-", 2, 4);
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        BlockingTask<String> task = new BlockingTask<>("a", owner -> {
            ranOn.set(Thread.currentThread());
            ran.countDown();
        });
        assertThat(pool.threadsStarted()).isZero();
        assertThat(pool.offer(task)).isTrue();
        await(ran);
        assertThat(ranOn.get().getName()).isEqualTo("p-blocking-1");
        assertThat(ranOn.get().isDaemon()).isTrue();
        assertThat(ranOn.get().isVirtual()).isFalse();
        assertThat(pool.threadsStarted()).isEqualTo(1);
        assertThat(pool.threads()).isEqualTo(2);
        assertThat(pool.capacity()).isEqualTo(4);
        assertThat(pool.close(Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void aTaskWithdrawnBeforeItStartsNeverRuns() throws InterruptedException {
        BlockingPool<String> pool = BlockingPool.bounded(LOG, "p-withdraw-", 1, 4);
        CountDownLatch blockerRunning = new CountDownLatch(1);
        BlockingTask<String> blocker = new BlockingTask<>("blocker", owner -> {
            blockerRunning.countDown();
            blockUntilReleased();
        });
        AtomicBoolean queuedRan = new AtomicBoolean();
        BlockingTask<String> queued = new BlockingTask<>("queued", owner -> queuedRan.set(true));
        assertThat(pool.offer(blocker)).isTrue();
        await(blockerRunning);
        assertThat(pool.offer(queued)).isTrue();

        assertThat(pool.withdraw(queued)).isTrue();
        assertThat(queued.state()).isEqualTo(BlockingTask.State.WITHDRAWN);
        assertThat(pool.withdraw(queued)).as("withdrawn once").isFalse();
        release.countDown();
        assertThat(pool.shutdown()).isEmpty();
        assertThat(pool.awaitTermination(WAIT)).isTrue();
        assertThat(queuedRan).isFalse();
        // A withdrawn task that a thread still dequeues does nothing.
        queued.run();
        assertThat(queuedRan).isFalse();
    }

    @Test
    void aRunningTaskCannotBeWithdrawn() throws InterruptedException {
        BlockingPool<String> pool = BlockingPool.bounded(LOG, "p-running-", 1, 1);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        BlockingTask<String> task = new BlockingTask<>("call", owner -> {
            running.countDown();
            blockUntilReleased();
            finished.countDown();
        });
        assertThat(task.state()).isEqualTo(BlockingTask.State.QUEUED);
        assertThat(pool.offer(task)).isTrue();
        await(running);
        assertThat(pool.withdraw(task)).isFalse();
        assertThat(task.started()).isTrue();
        assertThat(task.state()).isEqualTo(BlockingTask.State.RUNNING);
        release.countDown();
        await(finished);
        assertThat(pool.close(Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void aFullQueuePushesBackAndShutdownReturnsWhatNeverStarted() throws InterruptedException {
        BlockingPool<String> pool = BlockingPool.bounded(LOG, "p-full-", 1, 1);
        occupyTheOnlyThread(pool);
        AtomicBoolean waitingRan = new AtomicBoolean();
        BlockingTask<String> waiting = new BlockingTask<>("waiting", owner -> waitingRan.set(true));
        assertThat(pool.offer(waiting)).isTrue();
        assertThat(pool.offer(new BlockingTask<>("refused", owner -> { }))).as("queue full").isFalse();

        List<String> left = pool.shutdown();
        assertThat(left).containsExactly("waiting");
        assertThat(waiting.state()).isEqualTo(BlockingTask.State.WITHDRAWN);
        assertThat(pool.offer(new BlockingTask<>("late", owner -> { }))).as("shut down").isFalse();
        release.countDown();
        assertThat(pool.awaitTermination(WAIT)).isTrue();
        assertThat(waitingRan).isFalse();
    }

    @Test
    void closeDropsQueuedTasksAndReportsAThreadStillInsideACall() throws InterruptedException {
        BlockingPool<String> pool = BlockingPool.bounded(LOG, "p-close-", 1, 2);
        occupyTheOnlyThread(pool);
        AtomicBoolean queuedRan = new AtomicBoolean();
        assertThat(pool.offer(new BlockingTask<>("queued", owner -> queuedRan.set(true)))).isTrue();

        assertThat(pool.close(Duration.ZERO)).as("the blocker is still inside its call").isFalse();
        assertThat(pool.offer(new BlockingTask<>("late", owner -> { }))).isFalse();
        release.countDown();
        assertThat(pool.close(Duration.ofSeconds(30))).isTrue();
        assertThat(queuedRan).isFalse();
    }

    @Test
    void aPerCallPoolGivesEachWaitingCallAThreadOfItsOwn() throws InterruptedException {
        BlockingPool<String> pool = BlockingPool.perCall(LOG, "p-stream-", 10);
        CountDownLatch bothRunning = new CountDownLatch(2);
        for (String name : List.of("first", "second")) {
            assertThat(pool.offer(new BlockingTask<>(name, owner -> {
                bothRunning.countDown();
                blockUntilReleased();
            }))).isTrue();
        }
        await(bothRunning);
        assertThat(pool.threadsStarted()).isEqualTo(2);
        assertThat(pool.threads()).isZero();
        assertThat(pool.capacity()).isZero();
        release.countDown();
        assertThat(pool.shutdown()).isEmpty();
        assertThat(pool.awaitTermination(WAIT)).isTrue();
    }

    @Test
    void aPoolNeverOfferedATaskStartsNoThread() {
        BlockingPool<String> pool = BlockingPool.bounded(LOG, "p-idle-", 2, 2);
        assertThat(pool.close(Duration.ZERO)).isTrue();
        assertThat(pool.threadsStarted()).isZero();
    }
}
