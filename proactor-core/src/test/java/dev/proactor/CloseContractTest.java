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
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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
        // Whether the close had begun when each handler ran: order, not time.
        AtomicBoolean closeBegun = new AtomicBoolean();
        Map<Long, Boolean> endedDuringClose = new ConcurrentHashMap<>();
        Map<Long, String> workerOf = new ConcurrentHashMap<>();
        AtomicInteger calls = new AtomicInteger();
        for (Operation<?> op : ops) {
            op.onComplete((v, failure) -> {
                calls.incrementAndGet();
                endedDuringClose.putIfAbsent(op.id(), closeBegun.get());
                workerOf.putIfAbsent(op.id(), Thread.currentThread().getName());
            });
        }
        // The nops end by themselves; wait so that the close really starts with 250 pending.
        Waits.until(Duration.ofSeconds(10), () -> ops.subList(250, 256).stream().allMatch(Operation::isDone)
                        && endedDuringClose.size() == 6, () -> "nops did not complete");
        assertThat(ops.subList(0, 250)).noneMatch(Operation::isDone);

        closeBegun.set(true);
        // Hour-long timers and reads of a FIFO nobody writes: only the close can end them.
        CloseReport report = p.close(Duration.ofMillis(200));
        assertThat(endedDuringClose).as("handlers run before close returned").hasSize(ops.size());
        for (Operation<?> op : ops) {
            assertThat(endedDuringClose.get(op.id())).as("op %d (%s) ended during the close", op.id(), op.kind())
                    .isEqualTo(op.kind() != OperationKind.NOP);
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
                Ops.result(f.closeAsync());
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

    /**
     * close(d) waits for what is pending only until d, and for nothing else. Idle, or after a
     * completed operation, a close with an hour's deadline returns at once (the test's own timeout
     * would stop it otherwise), having cancelled nothing. A read of a FIFO that gets its byte only
     * once the close has begun (new operations are refused) is let finish: COMPLETED, counted as
     * finished during the drain. An hour-long timer under a 20 ms deadline is cancelled by the close
     * instead of being waited for.
     */
    @EachBackend
    void closeWaitsForPendingOperationsUntilItsDeadlineAndNoLonger(ProactorFixture fixture) throws Exception {
        Duration hour = Duration.ofHours(1);
        for (String what : List.of("idle", "after a nop")) {
            Proactor p = fixture.open(fixture.config().workerThreads(1).bufferCount(1));
            if (what.equals("after a nop")) {
                Ops.result(p.nop());
            }
            CloseReport report = p.close(hour);
            assertThat(report.clean()).as("%s: %s", what, report).isTrue();
            assertThat(report.cancelled() + report.finishedDuringDrain()).as("%s: %s", what, report).isZero();
        }

        Proactor draining = fixture.open(fixture.config().workerThreads(1).bufferCount(1));
        Path fifo = fixture.fifo("drain.fifo");
        AsyncFile pipe = Ops.result(draining.openFile(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
        Operation<Integer> read = pipe.read(0, ByteBuffer.allocate(8));
        CompletableFuture<CloseReport> closing = CompletableFuture.supplyAsync(() -> draining.close(hour));
        Waits.until(Duration.ofSeconds(30), () -> refusedAsClosed(draining.nop()),
                () -> "the close never began refusing new operations");
        assertThat(read.isDone()).as("the read before its byte was written: %s", read.state()).isFalse();
        try (FileChannel writer = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
            writer.write(ByteBuffer.wrap(new byte[] {7}));
        }
        CloseReport drained = closing.get(30, TimeUnit.SECONDS);
        assertThat(read.state()).as("a read that got its byte during the drain").isEqualTo(OperationState.COMPLETED);
        assertThat(read.resultNow()).isEqualTo(1);
        // The read, and perhaps a probing nop admitted just before the close began.
        assertThat(drained.finishedDuringDrain()).as("%s", drained).isPositive();
        assertThat(drained.cancelled()).as("%s", drained).isZero();
        assertThat(drained.filesClosed()).as("the FIFO left open").isEqualTo(1);

        Proactor cutting = fixture.open(fixture.config().workerThreads(1).bufferCount(1));
        Operation<Void> timer = cutting.timer(hour);
        CloseReport cut = cutting.close(Duration.ofMillis(20));
        assertThat(cut.clean()).as("%s", cut).isTrue();
        assertThat(timer.state()).as("an hour-long timer under a 20 ms close").isEqualTo(OperationState.CANCELLED);
        assertThat(cut.cancelled()).as("%s", cut).isEqualTo(1);
    }

    /**
     * {@code close()} refuses new operations at once, and its command reaches the dispatcher at
     * the loop's next turn: an operation that ends in between ended while the close waited, and
     * the report counts it. Two nops initiated in one inline handler are submitted in one turn and
     * end in one batch of completions; the first one's handler, still inside that batch, waits
     * until a close on another thread has begun, so the second nop ends after the close was asked
     * for and before the dispatcher has taken it.
     */
    @EachBackend
    void anOperationEndingBeforeTheDispatcherTakesTheCloseCountsAsFinishedDuringTheDrain(ProactorFixture fixture)
            throws Exception {
        Proactor p = fixture.open(fixture.config().inlineHandlers(true));
        CompletableFuture<CloseReport> closing = new CompletableFuture<>();
        AtomicReference<Operation<Void>> second = new AtomicReference<>();
        AtomicBoolean closeBeganInsideTheBatch = new AtomicBoolean();
        Thread closer = Thread.ofPlatform().name("close-contract-closer").unstarted(() -> {
            try {
                closing.complete(p.close(Duration.ofHours(1)));
            } catch (RuntimeException e) {
                closing.completeExceptionally(e);
            }
        });
        p.nop().onComplete((v, f) -> {
            Operation<Void> first = p.nop();
            second.set(p.nop());
            first.onComplete((v1, f1) -> {
                closer.start();
                closeBeganInsideTheBatch.set(Waits.poll(Duration.ofSeconds(30), p::isClosed));
            });
        });

        CloseReport report = closing.get(60, TimeUnit.SECONDS);
        closer.join();
        assertThat(closeBeganInsideTheBatch).as("the close began while the first nop's handler ran").isTrue();
        assertThat(second.get().state()).as("the second nop").isEqualTo(OperationState.COMPLETED);
        assertThat(report.finishedDuringDrain()).as("the second nop, which ended after close() was called: %s", report)
                .isEqualTo(1);
        assertThat(report.cancelled()).as("%s", report).isZero();
    }

    /** Whether {@code op}, once ended, was refused because its proactor is closing. */
    private static boolean refusedAsClosed(Operation<?> op) {
        try {
            Ops.result(op);
            return false;
        } catch (AssertionError e) {
            return op.state() == OperationState.FAILED && op.failureNow() instanceof ProactorClosedException;
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
