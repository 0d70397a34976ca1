package dev.proactor.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The worker pool's queue: every task taken once, one producer's tasks in order, past the ring's room too. */
class HandOffQueueTest {

    /** A task that knows who offered it and its place in that producer's sequence. */
    private record Task(int producer, int index) implements Runnable {
        @Override
        public void run() {}
    }

    @Test
    void oneProducersTasksComeOutInOrderThroughTheRingAndTheOverflow() {
        HandOffQueue q = new HandOffQueue();
        int n = HandOffQueue.CAPACITY * 3;
        for (int i = 0; i < n; i++) {
            q.offer(new Task(0, i));
        }
        for (int i = 0; i < HandOffQueue.CAPACITY / 2; i++) {
            assertThat(((Task) q.poll()).index()).isEqualTo(i);
        }
        // Room in the ring again, but older tasks wait in the overflow: the new one goes behind them.
        q.offer(new Task(0, n));
        for (int i = HandOffQueue.CAPACITY / 2; i <= n; i++) {
            assertThat(((Task) q.poll()).index()).isEqualTo(i);
        }
        assertThat(q.poll()).isNull();
        assertThat(q.isEmpty()).isTrue();
        q.offer(new Task(0, -1));
        assertThat(q.isEmpty()).isFalse();
    }

    @Test
    void aRemovedTaskIsNeverTaken() {
        HandOffQueue q = new HandOffQueue();
        Task a = new Task(0, 0);
        Task b = new Task(0, 1);
        q.offer(a);
        q.offer(b);
        assertThat(q.remove(a)).isTrue();
        assertThat(q.remove(a)).isFalse();
        assertThat(q.poll()).isSameAs(b);
        assertThat(q.poll()).isNull();
        List<Runnable> left = new ArrayList<>();
        q.offer(a);
        q.drainTo(left);
        assertThat(left).containsExactly(a);
    }

    @Test
    void concurrentProducersAndConsumersTakeEveryTaskOnceAndEachProducersInOrder() throws Exception {
        takesEveryTaskOnceInEachProducersOrder(new HandOffQueue(), 200_000);
    }

    /**
     * A ring of two cells: nearly every offer meets a full ring and overflows, and every poll moves
     * between the ring and the overflow, so a consumer that judged the ring empty and then lost its
     * CPU while producers refilled it and overflowed is a common case here, not a rare one.
     */
    @Test
    void withATinyRingTheOverflowKeepsEachProducersOrderToo() throws Exception {
        takesEveryTaskOnceInEachProducersOrder(new HandOffQueue(2), 100_000);
    }

    @Test
    void aCapacityThatIsNotAPowerOfTwoIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HandOffQueue(3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
    }

    private static void takesEveryTaskOnceInEachProducersOrder(HandOffQueue q, int perProducer) throws Exception {
        int producers = 3;
        int consumers = 3;
        ConcurrentHashMap<Task, Boolean> seen = new ConcurrentHashMap<>();
        AtomicInteger taken = new AtomicInteger();
        AtomicInteger disorder = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int me = p;
            threads.add(Thread.ofPlatform().start(() -> {
                await(go);
                for (int i = 0; i < perProducer; i++) {
                    q.offer(new Task(me, i));
                }
            }));
        }
        for (int c = 0; c < consumers; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                await(go);
                int[] last = new int[producers];
                java.util.Arrays.fill(last, -1);
                while (taken.get() < producers * perProducer) {
                    Runnable r = q.poll();
                    if (r == null) {
                        Thread.onSpinWait();
                        continue;
                    }
                    Task t = (Task) r;
                    if (seen.put(t, Boolean.TRUE) != null) {
                        disorder.incrementAndGet();
                    }
                    // Taken by one consumer, a producer's tasks still rise (some were taken by others).
                    if (t.index() <= last[t.producer()]) {
                        disorder.incrementAndGet();
                    }
                    last[t.producer()] = t.index();
                    taken.incrementAndGet();
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(disorder.get()).as("tasks taken twice or out of their producer's order").isZero();
        assertThat(seen).hasSize(producers * perProducer);
        assertThat(q.isEmpty()).isTrue();
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
