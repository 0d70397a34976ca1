package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A lease is released exactly once ({@link BufferLease}): a second release is a clear error and
 * leaves the pool as it was, so no slab is ever handed to two holders at once.
 */
class BufferLeaseReleaseContractTest {

    private static final int SLABS = 4;

    private static Proactor open(ProactorFixture fixture) {
        return fixture.open(fixture.config().bufferCount(SLABS).bufferSize(4096));
    }

    /** Leases every slab, checks that no two share an index, and releases them. */
    private static void assertEverySlabOnce(BufferPool pool) {
        List<BufferLease> all = new ArrayList<>();
        Set<Integer> indices = new HashSet<>();
        for (int i = 0; i < pool.capacity(); i++) {
            BufferLease l = pool.tryLease();
            assertThat(l).as("lease %d of %d", i + 1, pool.capacity()).isNotNull();
            assertThat(indices.add(l.index())).as("slab %d handed out twice", l.index()).isTrue();
            all.add(l);
        }
        assertThat(pool.tryLease()).as("a lease beyond the pool's capacity").isNull();
        assertThat(pool.leased()).isEqualTo(pool.capacity());
        all.forEach(BufferLease::release);
        assertThat(pool.leased()).isZero();
    }

    @EachBackend
    void aSecondReleaseFailsAndTheSlabIsNotFreedTwice(ProactorFixture fixture) {
        Proactor p = open(fixture);
        BufferPool pool = p.buffers();
        BufferLease lease = pool.tryLease();
        lease.release();
        assertThat(lease.isReleased()).isTrue();
        assertThat(pool.leased()).isZero();

        assertThatThrownBy(lease::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already released");
        assertThatThrownBy(lease::close).as("close is release").isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(lease::segment).as("the segment of a released lease").isInstanceOf(IllegalStateException.class);
        assertThat(pool.leased()).as("the failed releases changed nothing").isZero();
        assertEverySlabOnce(pool);
    }

    /**
     * The old lease's slab goes to a new holder; releasing the old lease again must fail and must
     * not take the slab away from the new holder (who would then share it with the next one).
     */
    @EachBackend
    void aStaleLeaseCannotFreeItsSlabsNextTenure(ProactorFixture fixture) {
        Proactor p = open(fixture);
        BufferPool pool = p.buffers();
        List<BufferLease> held = new ArrayList<>();
        for (int i = 0; i < SLABS; i++) {
            held.add(pool.tryLease());
        }
        BufferLease stale = held.removeFirst();
        stale.release();
        BufferLease next = pool.tryLease();
        assertThat(next.index()).as("the only free slab").isEqualTo(stale.index());

        assertThatThrownBy(stale::release).isInstanceOf(IllegalStateException.class);
        assertThat(next.isReleased()).as("the new tenure").isFalse();
        assertThat(pool.leased()).isEqualTo(SLABS);
        assertThat(pool.tryLease()).as("the stale release freed the new holder's slab").isNull();
        next.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 7);
        next.release();
        held.forEach(BufferLease::release);
        assertEverySlabOnce(pool);
    }

    /** Two threads release the same lease at once: exactly one wins, the other is told. */
    @EachBackend
    void concurrentReleasesOfOneLeaseFreeItOnce(ProactorFixture fixture) throws Exception {
        Proactor p = open(fixture);
        BufferPool pool = p.buffers();
        for (int round = 0; round < 200; round++) {
            BufferLease lease = pool.tryLease();
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        lease.release();
                        ok.incrementAndGet();
                    } catch (IllegalStateException e) {
                        refused.incrementAndGet();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertThat(ok.get()).as("round %d: releases that succeeded", round).isEqualTo(1);
            assertThat(refused.get()).as("round %d: releases refused", round).isEqualTo(1);
            assertThat(pool.leased()).isZero();
        }
        assertEverySlabOnce(pool);
    }

    /**
     * The lease comes back from its operation before the handler runs, so the handler may release
     * it; a further release after that fails, and the pool is intact.
     */
    @EachBackend
    void aLeaseReleasedByTheHandlerOfItsOperationCannotBeReleasedAgain(ProactorFixture fixture) throws Exception {
        Proactor p = open(fixture);
        Path file = fixture.tempDir().resolve("lease.bin");
        AsyncFile f = Ops.result(p.openFile(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ));
        Ops.result(f.write(0, ByteBuffer.wrap(new byte[100])));
        BufferLease lease = p.buffers().tryLease();
        CountDownLatch released = new CountDownLatch(1);
        Operation<Integer> read = f.read(0, lease, 100);
        read.onComplete((n, failure) -> {
            lease.release();
            released.countDown();
        });
        assertThat(released.await(30, TimeUnit.SECONDS)).as("the handler ran").isTrue();
        assertThat(read.resultNow()).isEqualTo(100);
        assertThatThrownBy(lease::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already released");
        assertThat(p.buffers().leased()).isZero();
        assertEverySlabOnce(p.buffers());
        Ops.result(f.closeAsync());
    }
}
