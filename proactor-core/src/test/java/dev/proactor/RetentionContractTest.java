package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Waits;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A finished operation is garbage once its caller drops it, whatever else is still pending. The
 * dispatcher's inbox links operations through a field of their own; a link left in place would let
 * one long-lived operation (here a timer an hour away) keep every operation posted after it
 * reachable, an unbounded chain the collector copies again and again.
 */
class RetentionContractTest {

    @EachBackend
    void finishedOperationsAreNotKeptAliveByALongLivedOne(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Operation<Void> longLived = p.timer(Duration.ofHours(1));
        List<WeakReference<Operation<Void>>> done = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Operation<Void> nop = p.nop();
            Ops.result(nop);
            done.add(new WeakReference<>(nop));
        }
        // The newest few may still be referenced as the inbox's current head; the rest must go.
        List<WeakReference<Operation<Void>>> older = done.subList(0, done.size() - 16);
        Waits.until(Duration.ofSeconds(20), () -> {
            System.gc();
            return older.stream().allMatch(r -> r.get() == null);
        }, () -> older.stream().filter(r -> r.get() != null).count() + " of " + older.size()
                + " finished operations still reachable");
        assertThat(longLived.isDone()).isFalse();
        assertThat(longLived.cancel().toCompletableFuture().get().kind()).isEqualTo(CancelResult.Kind.CANCELLED);
    }
}
