package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.api.SoftAssertions;

import dev.proactor.internal.spi.NativeAccounting;
import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.ResourceSnapshot;
import dev.proactor.test.TestFiles;
import dev.proactor.test.Waits;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closing a proactor with operations in flight (reliability target R4): every handler gets its
 * terminal outcome promptly and nothing of the proactor remains; repeated open/close shows no
 * growth in descriptors, threads or native bytes.
 */
class CloseContractTest {

    @EachBackend
    void closeWith256OperationsInFlightEndsThemAllAndLeavesNothing(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        String name = p.config().name();
        Path fifo = fixture.fifo("idle.fifo");
        AsyncFile pipe = Ops.result(p.openFile(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));

        List<Operation<?>> ops = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            ops.add(p.timer(Duration.ofHours(1)));
        }
        List<BufferLease> leases = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            if (i % 4 == 3) {
                BufferLease lease = p.buffers().tryLease();
                assertThat(lease).isNotNull();
                leases.add(lease);
                ops.add(pipe.read(0, lease, 64));
            } else {
                ops.add(pipe.read(0, i % 2 == 0 ? ByteBuffer.allocate(64) : ByteBuffer.allocateDirect(64)));
            }
        }
        for (int i = 0; i < 6; i++) {
            ops.add(p.nop());
        }
        assertThat(ops).hasSize(256);
        Map<Long, Long> endedAt = new ConcurrentHashMap<>();
        Map<Long, String> workerOf = new ConcurrentHashMap<>();
        AtomicInteger calls = new AtomicInteger();
        for (Operation<?> op : ops) {
            op.onComplete((v, failure) -> {
                calls.incrementAndGet();
                endedAt.putIfAbsent(op.id(), System.nanoTime());
                workerOf.putIfAbsent(op.id(), Thread.currentThread().getName());
            });
        }
        // The nops end by themselves; wait so that the close really starts with 250 pending.
        Waits.until(Duration.ofSeconds(10), () -> ops.subList(250, 256).stream().allMatch(Operation::isDone),
                () -> "nops did not complete");
        assertThat(ops.subList(0, 250)).noneMatch(Operation::isDone);

        long closeStart = System.nanoTime();
        CloseReport report = p.close(Duration.ofMillis(200));
        long closeEnd = System.nanoTime();
        assertThat(Duration.ofNanos(closeEnd - closeStart)).as("close took").isLessThan(Duration.ofSeconds(2));
        Waits.until(Duration.ofSeconds(2), () -> endedAt.size() == ops.size(),
                () -> (ops.size() - endedAt.size()) + " handlers not run");
        for (Operation<?> op : ops) {
            long ended = endedAt.get(op.id());
            assertThat(Duration.ofNanos(ended - closeStart)).as("op %d ended %s after close started", op.id(),
                    Duration.ofNanos(ended - closeStart)).isLessThan(Duration.ofSeconds(2));
            assertThat(op.state().isTerminal()).isTrue();
            if (op.kind() == OperationKind.NOP) {
                assertThat(op.state()).isEqualTo(OperationState.COMPLETED);
            } else {
                assertThat(op.state()).as("op %d (%s)", op.id(), op.kind())
                        .isIn(OperationState.CANCELLED, OperationState.FAILED);
                assertThat(op.failureNow()).as("op %d (%s)", op.id(), op.kind())
                        .isInstanceOfAny(OperationCancelledException.class, ProactorClosedException.class);
            }
        }
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(calls.get()).as("handler calls").isEqualTo(256);
        soft.assertThat(workerOf.values()).as("handler threads").allMatch(t -> t.startsWith(name + "-worker-"));
        soft.assertThat(report.clean()).as("close report " + report).isTrue();
        soft.assertThat(report.cancelled()).as("cancelled by close").isEqualTo(250);
        soft.assertThat(report.filesClosed()).as("the FIFO the test left open").isEqualTo(1);
        soft.assertThat(report.leasesReclaimed()).as("leases reclaimed").isEqualTo(leases.size());
        fixture.expectReclaimedLeases(p, leases.size());
        soft.assertThat(leases).as("leases released by close").allMatch(BufferLease::isReleased);
        soft.assertThat(p.buffers().leased()).as("buffers().leased() after close").isZero();
        soft.assertThat(p.metrics().buffersLeased()).as("metrics().buffersLeased() after close").isZero();
        soft.assertThat(ResourceSnapshot.threadsNamed(name + "-")).as("threads after close returned").isEmpty();
        soft.assertAll();
        // The fixture checks descriptors and native bytes against the baseline after the test.
    }

    @EachBackend
    void twoHundredOpenCloseCyclesDoNotGrow(ProactorFixture fixture) throws Exception {
        Path file = fixture.tempDir().resolve("cycle.bin");
        TestFiles.writeRandom(file, 8192, 9);
        ResourceSnapshot after20 = null;
        for (int cycle = 1; cycle <= 200; cycle++) {
            Proactor p = fixture.open(fixture.config().workerThreads(2).bufferCount(4));
            AsyncFile f = Ops.result(p.openFile(file, StandardOpenOption.READ));
            Operation<Integer> read = f.read(0, ByteBuffer.allocate(4096));
            Operation<Void> nop = p.nop();
            Operation<Void> shortTimer = p.timer(Duration.ofMillis(1));
            Operation<Void> longTimer = p.timer(Duration.ofHours(1));
            assertThat(Ops.result(read)).isEqualTo(4096);
            Ops.result(nop);
            Ops.result(shortTimer);
            if (cycle % 2 == 0) {
                // Half the cycles close the file first; the others leave it to the proactor's close.
                Ops.result(f.close());
            }
            if (cycle % 10 == 0) {
                // Some cycles cancel the timer first too, so close finds nothing in flight.
                longTimer.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            CloseReport report = p.close(Duration.ofMillis(1));
            assertThat(report.clean()).as("cycle %d: %s", cycle, report).isTrue();
            assertThat(longTimer.state()).isIn(OperationState.CANCELLED, OperationState.FAILED);
            String prefix = p.config().name() + "-";
            Waits.until(Duration.ofSeconds(5), () -> ResourceSnapshot.threadsNamed(prefix).isEmpty(),
                    () -> "threads of cycle " + prefix + " alive");
            if (cycle == 20) {
                after20 = ResourceSnapshot.take();
            }
        }
        ResourceSnapshot after200 = ResourceSnapshot.take();
        Map<Integer, String> grown = ResourceSnapshot.newFds(after20.fds(), after200.fds());
        assertThat(grown).as("descriptors opened between cycle 20 and 200 and still open").isEmpty();
        assertThat(after200.fds().size()).as("fd count").isLessThanOrEqualTo(after20.fds().size());
        assertThat(ours(after200.threadNames())).as("threads").isEqualTo(ours(after20.threadNames()));
        assertThat(after200.nativeBytes()).as("native bytes (after cycle 20: %d)", after20.nativeBytes())
                .isLessThanOrEqualTo(after20.nativeBytes());
        assertThat(NativeAccounting.outstandingBytes()).isEqualTo(after200.nativeBytes());
    }

    @EachBackend
    void closeKeepsToItsDeadline(ProactorFixture fixture) throws Exception {
        // Idle, after a completed operation, and with a pending timer: close(d) ends within d plus a
        // generous margin for the cancellation's round trip, never after a fixed grace of its own.
        Duration deadline = Duration.ofMillis(20);
        Duration margin = Duration.ofMillis(300);
        for (int i = 0; i < 10; i++) {
            Proactor p = fixture.open(fixture.config().workerThreads(1).bufferCount(1));
            switch (i % 3) {
                case 0 -> { }
                case 1 -> Ops.result(p.nop());
                default -> p.timer(Duration.ofHours(1));
            }
            long start = System.nanoTime();
            CloseReport report = p.close(deadline);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("close(%s) #%d (%s) took %s; report %s", deadline, i,
                    i % 3 == 0 ? "idle" : i % 3 == 1 ? "after a nop" : "timer pending", took, report)
                    .isLessThan(deadline.plus(margin));
        }
    }

    /** Thread names without the JDK's own on-demand pools, which come and go by themselves. */
    private static List<String> ours(List<String> names) {
        return names.stream()
                .filter(n -> !n.startsWith("ForkJoinPool") && !n.startsWith("process reaper")
                        && !n.equals("Attach Listener") && !n.startsWith("fifo-feeder"))
                .toList();
    }
}
