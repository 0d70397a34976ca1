package dev.proactor.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The in-flight limit: never more than its permits held, each take answering the count with it, a waiter woken by a return. */
class PermitsTest {

    @Test
    void takesAnswerTheCountHeldUntilTheLimitThenNone() {
        Permits p = new Permits(3);
        assertThat(p.tryAcquire()).isEqualTo(1);
        assertThat(p.tryAcquire()).isEqualTo(2);
        assertThat(p.tryAcquire()).isEqualTo(3);
        assertThat(p.tryAcquire()).as("at the limit").isZero();
        assertThat(p.available()).isZero();
        p.release();
        assertThat(p.available()).isEqualTo(1);
        assertThat(p.tryAcquire()).isEqualTo(3);
    }

    @Test
    void aWaitingTakeIsWokenByARelease() throws Exception {
        Permits p = new Permits(1);
        assertThat(p.tryAcquire()).isEqualTo(1);
        AtomicInteger got = new AtomicInteger(-1);
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                got.set(p.tryAcquire(60_000_000_000L));
            } catch (InterruptedException e) {
                got.set(-2);
            }
        });
        // Released only once the waiter waits on the monitor: the wake-up, not the fast path, is what is tested.
        while (waiter.getState() != Thread.State.TIMED_WAITING && waiter.isAlive()) {
            Thread.onSpinWait();
        }
        p.release();
        waiter.join();
        assertThat(got.get()).as("the waiter's take").isEqualTo(1);
    }

    @Test
    void aWaitingTakeThatTimesOutAnswersNone() throws Exception {
        Permits p = new Permits(1);
        p.tryAcquire();
        assertThat(p.tryAcquire(1_000_000L)).isZero();
        assertThat(p.available()).isZero();
    }

    @Test
    void manyThreadsNeverHoldMoreThanTheLimit() throws Exception {
        int limit = 4;
        Permits p = new Permits(limit);
        AtomicInteger maxSeen = new AtomicInteger();
        AtomicInteger overLimit = new AtomicInteger();
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        int n = p.tryAcquire(60_000_000_000L);
                        if (n < 1 || n > limit) {
                            overLimit.incrementAndGet();
                        }
                        maxSeen.accumulateAndGet(n, Math::max);
                        p.release();
                    }
                } catch (InterruptedException e) {
                    overLimit.incrementAndGet();
                }
            });
        }
        start.countDown();
        for (Thread t : ts) {
            t.join();
        }
        assertThat(overLimit.get()).as("takes outside 1..limit").isZero();
        assertThat(maxSeen.get()).isBetween(1, limit);
        assertThat(p.available()).isEqualTo(limit);
    }
}
