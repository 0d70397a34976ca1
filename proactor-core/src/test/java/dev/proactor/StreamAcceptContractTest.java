package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.SingleShotStreams;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link AsyncServerSocket#acceptEach} on every backend, multishot and single-shot: many
 * connections, pause and resume, cancel with connections racing; and the per-socket write budget.
 */
class StreamAcceptContractTest {

    private static void manyWithPauseAndResume(Proactor server, Proactor client) throws Exception {
        AsyncServerSocket listener = Sockets.listen(server);
        ConcurrentLinkedQueue<AsyncSocket> accepted = new ConcurrentLinkedQueue<>();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        OperationStream stream = listener.acceptEach(s -> {
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            accepted.add(s);
            inside.decrementAndGet();
        });
        int n = 150;
        List<AsyncSocket> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(Ops.result(client.connect(listener.localAddress())));
        }
        Waits.until(Ops.WAIT, () -> accepted.size() == n, () -> accepted.size() + " of " + n + " accepted");
        stream.pause();
        assertThat(stream.isPaused()).isTrue();
        // Connections made while paused wait in the listen backlog (connect completes there).
        for (int i = 0; i < 5; i++) {
            clients.add(Ops.result(client.connect(listener.localAddress())));
        }
        stream.resume();
        Waits.until(Ops.WAIT, () -> accepted.size() == n + 5, () -> accepted.size() + " of " + (n + 5));
        CancelResult r = stream.cancel().toCompletableFuture().get();
        assertThat(r.kind()).isEqualTo(CancelResult.Kind.CANCELLED);
        assertThat(Ops.failure(stream).bytesDone()).isEqualTo(n + 5);
        assertThat(overlaps.get()).isZero();
        for (AsyncSocket s : accepted) {
            Ops.result(s.closeAsync());
        }
        for (AsyncSocket s : clients) {
            Ops.result(s.closeAsync());
        }
        Ops.result(listener.closeAsync());
    }

    @EachBackend
    void acceptsManyAndPausesAndResumes(ProactorFixture fixture) throws Exception {
        manyWithPauseAndResume(fixture.open(), fixture.proactor());
    }

    @EachBackend
    void theSingleShotPathAcceptsTheSame(ProactorFixture fixture) throws Exception {
        manyWithPauseAndResume(fixture.open(fixture.config(), SingleShotStreams::new), fixture.proactor());
    }

    /** Cancels racing connects: every connection is either handed to the handler or closed by the proactor. */
    @EachBackend
    void cancelWithConnectionsRacingLeaksNothing(ProactorFixture fixture) throws Exception {
        Proactor server = fixture.open();
        Proactor client = fixture.proactor();
        AsyncServerSocket listener = Sockets.listen(server);
        ConcurrentLinkedQueue<AsyncSocket> accepted = new ConcurrentLinkedQueue<>();
        List<Operation<AsyncSocket>> connects = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            OperationStream stream = listener.acceptEach(accepted::add);
            connects.add(client.connect(listener.localAddress()));
            CancelResult r = stream.cancel().toCompletableFuture().get();
            assertThat(r.kind()).isIn(CancelResult.Kind.CANCELLED, CancelResult.Kind.TOO_LATE);
            assertThat(stream.isDone()).isTrue();
        }
        // Whatever the streams did not take is still in the backlog: a last stream drains it.
        int handed = accepted.size();
        OperationStream last = listener.acceptEach(accepted::add);
        for (Operation<AsyncSocket> c : connects) {
            Ops.result(c);
        }
        // Connections a stream accepted after its cancel were closed by the proactor, so not every
        // connect is handed to a handler; all that reached one are closed here.
        assertThat(accepted.size()).isGreaterThanOrEqualTo(handed);
        last.cancel().toCompletableFuture().get();
        for (AsyncSocket s : accepted) {
            Ops.result(s.closeAsync());
        }
        for (Operation<AsyncSocket> c : connects) {
            Ops.result(c.resultNow().closeAsync());
        }
        Ops.result(listener.closeAsync());
    }

    @EachBackend
    void writesBeyondTheBudgetAreRejectedUnderRejectAndOrderIsKept(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().admission(AdmissionPolicy.reject()));
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        AsyncSocket writer = c.client().writeBudget(1 << 20);
        int big = 16 << 20;
        byte[] data = new byte[big + 3];
        new java.util.SplittableRandom(3).nextBytes(data);
        // Larger than the budget but alone: allowed. The peer does not read yet, so it stays pending.
        Operation<Long> first = writer.writeAll(ByteBuffer.wrap(data, 0, big));
        assertThat(writer.pendingWriteBytes()).isEqualTo(big);
        Operation<Integer> refused = writer.write(ByteBuffer.wrap(data, big, 3));
        assertThat(Ops.failure(refused)).isInstanceOf(AdmissionRejectedException.class);
        assertThat(writer.pendingWriteBytes()).isEqualTo(big);
        ByteBuffer got = ByteBuffer.allocate(big + 3);
        Operation<Long> read = c.server().readFully(got.limit(big));
        Ops.result(first);
        Ops.result(read);
        Waits.until(Ops.WAIT, () -> writer.pendingWriteBytes() == 0, () -> "pending " + writer.pendingWriteBytes());
        Ops.result(writer.write(ByteBuffer.wrap(data, big, 3)));
        Ops.result(c.server().readFully(got.limit(big + 3)));
        assertThat(got.array()).isEqualTo(data);
        c.close();
        Ops.result(listener.closeAsync());
    }

    /**
     * Under a wait policy a writer beyond the budget waits for earlier writes to end: right after each
     * of its writes is admitted, no more than the budget is pending (the queue policy would let all
     * of them pile up), and the bytes arrive in order.
     */
    @EachBackend
    void writesBeyondTheBudgetWaitUnderAWaitPolicy(ProactorFixture fixture) throws Exception {
        int budget = 1 << 20;
        Proactor p = fixture.open(fixture.config().admission(AdmissionPolicy.waitUpTo(java.time.Duration.ofSeconds(30)))
                .writeBudget(budget));
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        int count = 8;
        byte[] data = new byte[budget * count];
        new java.util.SplittableRandom(9).nextBytes(data);
        List<Long> pendingAfter = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Operation<Long>> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread writer = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < count; i++) {
                writes.add(c.client().writeAll(ByteBuffer.wrap(data, i * budget, budget)));
                pendingAfter.add(c.client().pendingWriteBytes());
            }
        });
        ByteBuffer got = ByteBuffer.allocate(data.length);
        Ops.result(c.server().readFully(got));
        writer.join();
        assertThat(writes).hasSize(count);
        for (Operation<Long> w : writes) {
            assertThat(Ops.result(w)).isEqualTo(budget);
        }
        assertThat(pendingAfter).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(budget));
        assertThat(got.array()).isEqualTo(data);
        c.close();
        Ops.result(listener.closeAsync());
    }

    @EachBackend
    void aWaitForWriteRoomThatRunsOutIsRejected(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().admission(AdmissionPolicy.waitUpTo(java.time.Duration.ofMillis(50)))
                .writeBudget(1024));
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        int big = 16 << 20;
        // Nobody reads: the first write stays pending, so the second waits out its 50 ms.
        Operation<Long> first = c.client().writeAll(ByteBuffer.allocate(big));
        Operation<Integer> second = c.client().write(ByteBuffer.allocate(10));
        assertThat(Ops.failure(second)).isInstanceOf(AdmissionRejectedException.class)
                .hasMessageContaining("write budget of 1024 bytes");
        ByteBuffer sink = ByteBuffer.allocate(big);
        Ops.result(c.server().readFully(sink));
        Ops.result(first);
        c.close();
        Ops.result(listener.closeAsync());
    }

    @EachBackend
    void queuedWritesBeyondTheBudgetKeepTheirOrder(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().admission(AdmissionPolicy.queue(64)).writeBudget(64 * 1024));
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        int each = 256 * 1024;
        // 16 MiB with nobody reading: more than the sockets' buffers take, so writes pile up.
        int count = 64;
        byte[] data = new byte[each * count];
        new java.util.SplittableRandom(5).nextBytes(data);
        List<Operation<Long>> writes = new ArrayList<>();
        long maxPending = 0;
        for (int i = 0; i < count; i++) {
            writes.add(c.client().writeAll(ByteBuffer.wrap(data, i * each, each)));
            maxPending = Math.max(maxPending, c.client().pendingWriteBytes());
        }
        // Queued beyond the budget, not refused: the queue policy accepts them in order.
        assertThat(maxPending).isGreaterThan(64 * 1024);
        ByteBuffer got = ByteBuffer.allocate(data.length);
        Ops.result(c.server().readFully(got));
        for (Operation<Long> w : writes) {
            assertThat(Ops.result(w)).isEqualTo(each);
        }
        assertThat(got.array()).isEqualTo(data);
        assertThat(c.client().pendingWriteBytes()).isZero();
        c.close();
        Ops.result(listener.closeAsync());
    }
}
