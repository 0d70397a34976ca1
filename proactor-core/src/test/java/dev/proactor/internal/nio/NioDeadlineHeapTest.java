package dev.proactor.internal.nio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NioDeadlineHeapTest {
    static final class E extends DeadlineHeap.Entry {
        final int id;

        E(int id) {
            this.id = id;
        }
    }

    @Test
    void expiresInDeadlineOrderAndOnlyWhenDue() {
        DeadlineHeap h = new DeadlineHeap();
        E a = new E(1);
        E b = new E(2);
        E c = new E(3);
        h.add(a, 300);
        h.add(b, 100);
        h.add(c, 200);
        assertThat(h.nanosUntilFirst(40)).isEqualTo(60);
        assertThat(h.pollExpired(99)).isNull();
        assertThat(h.pollExpired(100)).isSameAs(b);
        assertThat(h.pollExpired(1000)).isSameAs(c);
        assertThat(h.pollExpired(1000)).isSameAs(a);
        assertThat(h.isEmpty()).isTrue();
        assertThat(h.nanosUntilFirst(0)).isEqualTo(-1);
        assertThat(a.queued()).isFalse();
    }

    @Test
    void ordersAcrossTheNanoTimeWrap() {
        DeadlineHeap h = new DeadlineHeap();
        E before = new E(1);
        E after = new E(2);
        h.add(after, Long.MIN_VALUE + 10);
        h.add(before, Long.MAX_VALUE - 10);
        assertThat(h.peek()).isSameAs(before);
        assertThat(h.pollExpired(Long.MAX_VALUE)).isSameAs(before);
        assertThat(h.pollExpired(Long.MAX_VALUE)).isNull();
        assertThat(h.pollExpired(Long.MIN_VALUE + 10)).isSameAs(after);
    }

    @Test
    void randomAddsAndRemovesMatchASortedList() {
        Random rnd = new Random(42);
        DeadlineHeap h = new DeadlineHeap();
        List<E> model = new ArrayList<>();
        for (int step = 0; step < 20_000; step++) {
            int op = rnd.nextInt(3);
            if (op == 0 || model.isEmpty()) {
                E e = new E(step);
                h.add(e, rnd.nextInt(1000));
                model.add(e);
            } else if (op == 1) {
                E e = model.remove(rnd.nextInt(model.size()));
                assertThat(h.remove(e)).isTrue();
                assertThat(h.remove(e)).isFalse();
            } else {
                long min = model.stream().mapToLong(x -> x.deadlineNanos).min().orElseThrow();
                DeadlineHeap.Entry first = h.pollExpired(min);
                assertThat(first.deadlineNanos).isEqualTo(min);
                model.remove(first);
            }
            assertThat(h.size()).isEqualTo(model.size());
        }
        model.sort(Comparator.comparingLong(x -> x.deadlineNanos));
        for (E e : model) {
            assertThat(h.pollExpired(Long.MAX_VALUE / 2).deadlineNanos).isEqualTo(e.deadlineNanos);
        }
    }
}
