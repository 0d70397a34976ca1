package dev.proactor.nio2;

import static dev.proactor.nio2.Nio2Fixture.WAIT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * {@link HandlerPool}: batches from one thread (as the dispatcher hands them) and single tasks from
 * others all run; a flood stays on the core threads; a growing pool adds a thread only when every
 * one is blocked, a fixed one never; a thread that waits helps; shutdown runs what was queued.
 */
class HandlerPoolTest {

    /** A factory that counts the threads it made. */
    private static final class Counting implements ThreadFactory {
        final AtomicInteger made = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            return Thread.ofPlatform().name("pool-test-" + made.incrementAndGet()).daemon(true).unstarted(r);
        }
    }

    @Test
    void aFloodOfBatchesAndSingleTasksRunsEveryTaskOnTheCoreThreads() throws Exception {
        Counting factory = new Counting();
        HandlerPool pool = HandlerPool.growing(2, factory);
        int batches = 20_000;
        int perBatch = 8;
        int singles = 40_000;
        CountDownLatch done = new CountDownLatch(batches * perBatch + singles);
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        Runnable task = () -> {
            ran.add(Thread.currentThread());
            done.countDown();
        };
        Thread dispatcher = Thread.ofPlatform().start(() -> {
            for (int b = 0; b < batches; b++) {
                for (int i = 0; i < perBatch; i++) {
                    pool.enqueue(task);
                }
                pool.flush();
            }
        });
        Thread other = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < singles; i++) {
                pool.execute(task);
            }
        });
        assertThat(done.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        dispatcher.join();
        other.join();
        assertThat(factory.made).as("threads made for a flood of short tasks").hasValueLessThanOrEqualTo(2);
        assertThat(ran).allSatisfy(t -> assertThat(t.getName()).startsWith("pool-test-"));
        pool.shutdown();
        assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aGrowingPoolAddsAThreadWhenEveryThreadIsBlockedInATask() throws Exception {
        Counting factory = new Counting();
        HandlerPool pool = HandlerPool.growing(1, factory);
        CountDownLatch released = new CountDownLatch(1);
        CountDownLatch blockerRuns = new CountDownLatch(1);
        pool.execute(() -> {
            blockerRuns.countDown();
            awaitOrInterrupted(released);
        });
        assertThat(blockerRuns.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        pool.execute(released::countDown);
        assertThat(released.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("the release ran beside the blocked task").isTrue();
        assertThat(factory.made).hasValue(2);
        pool.shutdown();
        assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * On a fixed pool of one thread a task waits for a task queued after it: the waiting thread
     * runs it itself, so the wait ends on the pool's one thread and no other is made.
     */
    @Test
    void aWaitingThreadRunsTheTaskItWaitsFor() throws Exception {
        Counting factory = new Counting();
        HandlerPool pool = HandlerPool.fixed(1, factory);
        AtomicBoolean flag = new AtomicBoolean();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Thread> waiter = new CompletableFuture<>();
        CompletableFuture<Thread> setter = new CompletableFuture<>();
        pool.execute(() -> {
            Thread me = Thread.currentThread();
            waiting.countDown();
            try {
                pool.helpUntil(flag::get, false, 0);
                waiter.complete(me);
            } catch (Throwable t) {
                waiter.completeExceptionally(t);
            }
        });
        assertThat(waiting.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        pool.execute(() -> {
            flag.set(true);
            setter.complete(Thread.currentThread());
        });
        Thread ran = waiter.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(setter.get(WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(ran);
        assertThat(factory.made).hasValue(1);
        pool.shutdown();
        assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    /** A helper woken by whoever makes its condition true, with no task to run: it returns. */
    @Test
    void aWaitingThreadReturnsWhenUnparkedByTheOneWhoMadeItsConditionTrue() throws Exception {
        HandlerPool pool = HandlerPool.fixed(1, new Counting());
        AtomicBoolean flag = new AtomicBoolean();
        CompletableFuture<Thread> waiterThread = new CompletableFuture<>();
        CompletableFuture<Boolean> returned = new CompletableFuture<>();
        pool.execute(() -> {
            waiterThread.complete(Thread.currentThread());
            try {
                returned.complete(pool.helpUntil(flag::get, false, 0));
            } catch (Throwable t) {
                returned.completeExceptionally(t);
            }
        });
        Thread t = waiterThread.get(WAIT_SECONDS, TimeUnit.SECONDS);
        flag.set(true);
        LockSupport.unpark(t);
        assertThat(returned.get(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void helpingOffAPoolThreadIsRefused() {
        HandlerPool pool = HandlerPool.fixed(1, new Counting());
        assertThat(pool.isPoolThread()).isFalse();
        assertThatThrownBy(() -> pool.helpUntil(() -> true, false, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shutdownRunsWhatWasQueuedAndRefusesMore() throws Exception {
        Counting factory = new Counting();
        HandlerPool pool = HandlerPool.fixed(1, factory);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        pool.execute(() -> {
            awaitOrInterrupted(gate);
            ran.incrementAndGet();
        });
        for (int i = 0; i < 10; i++) {
            pool.execute(ran::incrementAndGet);
        }
        pool.shutdown();
        assertThatThrownBy(() -> pool.execute(ran::incrementAndGet)).isInstanceOf(RejectedExecutionException.class);
        assertThat(pool.isTerminated()).isFalse();
        gate.countDown();
        assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).hasValue(11);
        assertThat(factory.made).hasValue(1);
    }

    /** A task's wait for {@code latch}: no bound, as the task is released by the test; an interrupt ends it. */
    private static void awaitOrInterrupted(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
