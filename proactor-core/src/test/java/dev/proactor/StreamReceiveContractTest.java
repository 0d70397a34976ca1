package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.test.BackendPair;
import dev.proactor.test.EachBackend;
import dev.proactor.test.EachBackendPair;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.SingleShotStreams;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link AsyncSocket#receiveEach}: byte-exact, in-order delivery on every backend and pair, on the
 * multishot path and on the single-shot path that old kernels get; back-pressure from handlers that
 * hold their chunks; a buffer ring that runs dry and is re-armed; end of stream, reset and cancel.
 */
class StreamReceiveContractTest {

    /** Collects what a receive stream delivers, releasing each chunk, and checks calls never overlap. */
    static final class Collector implements StreamHandler<BufferLease> {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AtomicInteger inside = new AtomicInteger();
        final AtomicBoolean overlapped = new AtomicBoolean();
        final AtomicBoolean wrongSize = new AtomicBoolean();

        @Override
        public void next(BufferLease chunk) {
            if (inside.incrementAndGet() != 1) {
                overlapped.set(true);
            }
            byte[] b = chunk.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            if (b.length == 0 || chunk.asByteBuffer().remaining() != b.length) {
                wrongSize.set(true);
            }
            synchronized (bytes) {
                bytes.writeBytes(b);
            }
            chunk.release();
            inside.decrementAndGet();
        }

        byte[] received() {
            synchronized (bytes) {
                return bytes.toByteArray();
            }
        }
    }

    /**
     * Keeps every chunk it is given (recording its bytes) until {@link #releaseAll()}; from then on
     * it releases each chunk as it comes. Tracks the most chunks it held at once.
     */
    static final class Holder implements StreamHandler<BufferLease> {
        final List<BufferLease> held = new ArrayList<>();
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        int maxHeld;
        private boolean releasing;

        @Override
        public synchronized void next(BufferLease chunk) {
            got.writeBytes(chunk.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            held.add(chunk);
            maxHeld = Math.max(maxHeld, held.size());
            if (releasing) {
                releaseHeld();
            }
        }

        synchronized int held() {
            return held.size();
        }

        synchronized void releaseAll() {
            releasing = true;
            releaseHeld();
        }

        private void releaseHeld() {
            held.forEach(BufferLease::release);
            held.clear();
        }

        synchronized byte[] received() {
            return got.toByteArray();
        }
    }

    /**
     * Whether {@code p}'s receive streams receive into buffers of the backend's own (a multishot
     * receive into provided buffers, or the portable backend's readiness), as its capability report
     * says; the single-shot path receives into pool slabs instead.
     */
    static boolean providedBuffers(Proactor p) {
        String recv = p.capabilities().operations().get(OperationKind.RECV);
        return recv.contains("receiveEach: multishot") || recv.contains("taken only once the socket is readable");
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code data} from {@code client} in pieces, shuts its output, and checks the server's stream. */
    private static void sendAndCheck(Proactor server, Proactor client, int total) throws Exception {
        AsyncServerSocket listener = Sockets.listen(server);
        Sockets.Connection c = Sockets.connect(listener, client);
        Collector collector = new Collector();
        OperationStream stream = c.server().receiveEach(collector);
        byte[] data = random(total, total);
        for (int at = 0; at < total; ) {
            int n = Math.min(total - at, 1 + new SplittableRandom(at).nextInt(300_000));
            Ops.result(c.client().writeAll(ByteBuffer.wrap(data, at, n)));
            at += n;
        }
        Ops.result(c.client().shutdownOutput());
        assertThat(Ops.result(stream)).isEqualTo(total);
        assertThat(collector.received()).isEqualTo(data);
        assertThat(collector.overlapped).isFalse();
        assertThat(collector.wrongSize).isFalse();
        c.close();
        Ops.result(listener.closeAsync());
    }

    @EachBackendPair
    void severalMiBArriveByteExactAndInOrder(BackendPair pair) throws Exception {
        sendAndCheck(pair.server(), pair.client(), 6 << 20);
    }

    /**
     * A server that echoes each chunk straight from its buffer (no copy): it writes the chunk's
     * segment and releases the lease when the write ended, so slow writes hold chunks and
     * back-pressure the stream. Each client sends random bytes and must read them back exactly.
     */
    static void echo(Proactor server, Proactor client, int connections, int each) throws Exception {
        AsyncServerSocket listener = Sockets.listen(server);
        java.util.Queue<OperationStream> streams = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.Queue<AsyncSocket> accepted = new java.util.concurrent.ConcurrentLinkedQueue<>();
        OperationStream accepts = listener.acceptEach(s -> {
            accepted.add(s);
            streams.add(s.receiveEach(chunk -> s.writeAll(chunk.segment()).onComplete((n, f) -> {
                chunk.release();
                if (f != null) {
                    s.closeAsync();
                }
            })));
        });
        List<java.util.concurrent.CompletableFuture<byte[]>> echoed = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        List<AsyncSocket> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            AsyncSocket s = Ops.result(client.connect(listener.localAddress()));
            clients.add(s);
            byte[] data = random(each, i);
            sent.add(data);
            ByteBuffer in = ByteBuffer.allocate(each);
            echoed.add(s.readFully(in).stage().thenApply(n -> in.array()).toCompletableFuture());
            for (int at = 0; at < each; at += 100_000) {
                s.writeAll(ByteBuffer.wrap(data, at, Math.min(100_000, each - at)));
            }
        }
        for (int i = 0; i < connections; i++) {
            assertThat(echoed.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS)).as("connection %d", i)
                    .isEqualTo(sent.get(i));
            Ops.result(clients.get(i).closeAsync());
        }
        for (OperationStream s : streams) {
            assertThat(Ops.result(s)).isEqualTo(each);
        }
        // The last chunks are released by their writes' handlers, which may run after the peer read.
        Waits.until(Ops.WAIT, () -> server.metrics().receiveChunksHeld() == 0,
                () -> server.metrics().receiveChunksHeld() + " chunks still held by echo writes");
        assertThat(accepts.cancel().toCompletableFuture().get().kind()).isEqualTo(CancelResult.Kind.CANCELLED);
        for (AsyncSocket s : accepted) {
            Ops.result(s.closeAsync());
        }
        Ops.result(listener.closeAsync());
    }

    @EachBackendPair
    void echoThroughReceiveEachIsByteExact(BackendPair pair) throws Exception {
        echo(pair.server(), pair.client(), 4, 2 << 20);
    }

    @org.junit.jupiter.api.Tag("stress")
    @EachBackendPair
    void echoThroughReceiveEachIsByteExactNightly(BackendPair pair) throws Exception {
        echo(pair.server(), pair.client(), 32, 16 << 20);
    }

    /**
     * A received chunk lent to a write is sent from its own buffer: while the write is pending
     * (queued behind a large write the peer does not read yet) it cannot be released or lent again,
     * nor read into; once the write ended the handler releases it and the peer got its exact bytes.
     */
    @EachBackend
    void aChunkLentToAWriteIsSentFromItsBufferAndHeldUntilTheWriteEnds(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        Holder holder = new Holder();
        OperationStream stream = c.server().receiveEach(holder);
        byte[] hello = random(100, 3);
        Ops.result(c.client().writeAll(ByteBuffer.wrap(hello)));
        Waits.until(Ops.WAIT, () -> holder.received().length == hello.length, () -> holder.received().length + " bytes in");
        BufferLease chunk;
        synchronized (holder) {
            assertThat(holder.held).hasSize(1);
            chunk = holder.held.removeFirst();
        }
        int n = (int) chunk.segment().byteSize();
        byte[] big = random(32 << 20, 4);  // more than loopback socket buffers take
        Operation<Long> first = c.server().writeAll(ByteBuffer.wrap(big));
        Operation<Long> echo = c.server().writeAll(chunk, n);

        assertThat(echo.isDone()).as("queued behind 32 MiB the peer has not read").isFalse();
        assertThatThrownBy(chunk::release).isInstanceOf(IllegalStateException.class).hasMessageContaining("lent");
        assertThatThrownBy(() -> c.server().writeAll(chunk, n)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already lent");
        assertThatThrownBy(() -> c.server().writeAll(chunk, n + 1)).isInstanceOf(IllegalArgumentException.class);

        ByteBuffer back = ByteBuffer.allocate(big.length + n);
        assertThat(Ops.result(c.client().readFully(back))).isEqualTo(big.length + n);
        assertThat(Ops.result(first)).isEqualTo(big.length);
        assertThat(Ops.result(echo)).isEqualTo(n);
        assertThat(java.util.Arrays.copyOfRange(back.array(), big.length, big.length + n)).isEqualTo(hello);
        chunk.release();
        assertThat(chunk.isReleased()).isTrue();
        Waits.until(Ops.WAIT, () -> p.metrics().receiveChunksHeld() == 0,
                () -> p.metrics().receiveChunksHeld() + " chunks held");
        Ops.result(c.client().closeAsync());
        assertThat(Ops.result(stream)).isEqualTo(hello.length);
        Ops.result(c.server().closeAsync());
        Ops.result(listener.closeAsync());
    }

    @EachBackend
    void theSingleShotPathEchoesTheSame(ProactorFixture fixture) throws Exception {
        echo(fixture.open(fixture.config(), SingleShotStreams::new), fixture.proactor(), 4, 1 << 20);
    }

    @EachBackend
    void theSingleShotPathDeliversTheSame(ProactorFixture fixture) throws Exception {
        Proactor server = fixture.open(fixture.config(), SingleShotStreams::new);
        sendAndCheck(server, fixture.proactor(), 3 << 20);
    }

    @EachBackend
    void aDryBufferRingIsReArmedOnceChunksAreReleased(ProactorFixture fixture) throws Exception {
        Proactor server = fixture.open(fixture.config().receiveBufferCount(2).receiveBufferSize(4096));
        org.junit.jupiter.api.Assumptions.assumeTrue(providedBuffers(server),
                () -> "receive streams are single-shot here, with no provided buffers to run dry: "
                        + server.capabilities().operations().get(OperationKind.RECV));
        AsyncServerSocket listener = Sockets.listen(server);
        Sockets.Connection c = Sockets.connect(listener, fixture.proactor());
        Holder holder = new Holder();
        OperationStream stream = c.server().receiveEach(holder);
        byte[] data = random(256 * 1024, 7);
        Operation<Long> write = c.client().writeAll(ByteBuffer.wrap(data));
        // Both buffers held by the handler: the kernel (or the portable backend) finds the ring empty.
        Waits.until(Ops.WAIT, () -> server.metrics().receiveRearms() >= 1 && holder.held() == 2,
                () -> "the stream never ran out of buffers: rearms " + server.metrics().receiveRearms() + ", held "
                        + holder.held());
        holder.releaseAll();
        Ops.result(write);
        Ops.result(c.client().shutdownOutput());
        assertThat(Ops.result(stream)).isEqualTo(data.length);
        assertThat(holder.received()).isEqualTo(data);
        assertThat(holder.held()).isZero();
        synchronized (holder) {
            // Two buffers: never more than two chunks out at once.
            assertThat(holder.maxHeld).isEqualTo(2);
        }
        c.close();
        Ops.result(listener.closeAsync());
    }

    @EachBackend
    void aLaggingHandlerPausesReceivingUntilItReleases(ProactorFixture fixture) throws Exception {
        int backlog = 3;
        Proactor server = fixture.open(fixture.config().receiveBacklog(backlog).receiveBufferSize(1024));
        AsyncServerSocket listener = Sockets.listen(server);
        Sockets.Connection c = Sockets.connect(listener, fixture.proactor());
        Holder holder = new Holder();
        OperationStream stream = c.server().receiveEach(holder);
        byte[] data = random(512 * 1024, 11);
        Operation<Long> write = c.client().writeAll(ByteBuffer.wrap(data));
        Waits.until(Ops.WAIT, () -> holder.held() >= backlog, () -> holder.held() + " chunks held");
        // The stream stopped: chunks the kernel had already received when the stop took effect may
        // still come, but nothing like the 512 it would take to hold all the data.
        Ops.result(server.nop());
        // Single-shot rounds (and the portable backend's reads) stop exactly at the backlog; a
        // multishot receive stops asynchronously, so chunks the kernel had already received when
        // the stop took effect still come, but far from the 512 that hold all the data.
        int bound = fixture.backend() == BackendChoice.IO_URING ? 128 : backlog;
        assertThat(holder.held()).isBetween(backlog, bound);
        holder.releaseAll();
        Ops.result(write);
        Ops.result(c.client().shutdownOutput());
        assertThat(Ops.result(stream)).isEqualTo(data.length);
        assertThat(holder.received()).isEqualTo(data);
        synchronized (holder) {
            assertThat(holder.maxHeld).isLessThanOrEqualTo(bound);
        }
        c.close();
        Ops.result(listener.closeAsync());
    }

    @EachBackend
    void endOfStreamCompletesWithTheBytesAndAResetFails(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        Collector collector = new Collector();
        OperationStream eof = c.server().receiveEach(collector);
        Ops.result(c.client().writeAll(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        Ops.result(c.client().shutdownOutput());
        assertThat(Ops.result(eof)).isEqualTo(3);
        assertThat(eof.state()).isEqualTo(OperationState.COMPLETED);
        c.close();

        Operation<AsyncSocket> accept = listener.accept();
        try (Socket peer = new Socket()) {
            peer.connect(listener.localAddress());
            AsyncSocket s = Ops.result(accept);
            Collector second = new Collector();
            OperationStream reset = s.receiveEach(second);
            peer.getOutputStream().write(new byte[] {9, 9});
            Waits.until(Ops.WAIT, () -> second.received().length == 2, () -> "two bytes before the reset: got "
                    + second.received().length + ", stream " + reset + ", chunks held " + p.metrics().receiveChunksHeld()
                    + ", operations " + p.operations());
            peer.setSoLinger(true, 0);
            peer.close();
            ProactorException f = Ops.failure(reset);
            assertThat(f).isInstanceOf(OperationFailedException.class);
            assertThat(((OperationFailedException) f).errnoName()).isEqualTo("ECONNRESET");
            assertThat(f.bytesDone()).isEqualTo(2);
            Ops.result(s.closeAsync());
        }
        Ops.result(listener.closeAsync());
    }

    @EachBackend
    void idleConnectionsHoldNoReceiveBuffer(ProactorFixture fixture) throws Exception {
        idleStreamsHoldNoBuffer(fixture.open(fixture.config()), fixture.proactor());
    }

    @EachBackend
    void idleConnectionsHoldNoPoolSlabOnTheSingleShotPath(ProactorFixture fixture) throws Exception {
        idleStreamsHoldNoBuffer(fixture.open(fixture.config(), SingleShotStreams::new), fixture.proactor());
    }

    /**
     * More armed receive streams than the server's pool has slabs hold no buffer while idle, and
     * each still receives once data comes: on the single-shot path a round waits for data before it
     * takes a slab, so the slabs bound only the receives under way, not the connections.
     */
    private static void idleStreamsHoldNoBuffer(Proactor server, Proactor client) throws Exception {
        AsyncServerSocket listener = Sockets.listen(server);
        int n = Math.max(200, 2 * server.buffers().capacity());
        List<Sockets.Connection> conns = Sockets.connectMany(listener, client, SocketOptions.defaults(), n, 50);
        List<OperationStream> streams = new ArrayList<>();
        AtomicInteger bytes = new AtomicInteger();
        for (Sockets.Connection c : conns) {
            streams.add(c.server().receiveEach(chunk -> {
                bytes.addAndGet((int) chunk.segment().byteSize());
                chunk.release();
            }));
        }
        Waits.until(Ops.WAIT, () -> server.metrics().inFlight().getOrDefault(OperationKind.RECV, 0L) == n,
                () -> "streams not all started");
        // Every stream is armed (a nop behind them proves the dispatcher took them all in).
        Ops.result(server.nop());
        assertThat(server.buffers().leased()).isZero();
        assertThat(server.metrics().receiveChunksHeld()).isZero();
        for (Sockets.Connection c : conns) {
            Ops.result(c.client().write(ByteBuffer.wrap(new byte[] {42})));
        }
        Waits.until(Ops.WAIT, () -> bytes.get() == n, () -> bytes.get() + " of " + n + " bytes");
        for (Sockets.Connection c : conns) {
            Ops.result(c.client().closeAsync());
        }
        for (OperationStream s : streams) {
            assertThat(Ops.result(s)).isEqualTo(1);
        }
        assertThat(server.buffers().leased()).isZero();
        for (Sockets.Connection c : conns) {
            Ops.result(c.server().closeAsync());
        }
        Ops.result(listener.closeAsync());
    }

    /**
     * Streams cancelled while data flows: what each delivered before its end, concatenated with what
     * later streams on the same socket received, is exactly what was sent, so a cancel loses nothing.
     */
    @EachBackendPair
    void cancelWhileDataFlowsLosesNothing(BackendPair pair) throws Exception {
        cancelRounds(pair.server(), pair.client(), 300);
    }

    @EachBackend
    void cancelOnTheSingleShotPathLosesNothing(ProactorFixture fixture) throws Exception {
        cancelRounds(fixture.open(fixture.config(), SingleShotStreams::new), fixture.proactor(), 200);
    }

    static void cancelRounds(Proactor server, Proactor client, int rounds) throws Exception {
        AsyncServerSocket listener = Sockets.listen(server);
        Sockets.Connection c = Sockets.connect(listener, client);
        Collector collector = new Collector();
        byte[] data = random(rounds * 1000, rounds);
        int cancelled = 0;
        for (int i = 0; i < rounds; i++) {
            OperationStream stream = c.server().receiveEach(collector);
            Operation<Long> w = c.client().writeAll(ByteBuffer.wrap(data, i * 1000, 1000));
            CancelResult r = stream.cancel().toCompletableFuture().get();
            assertThat(r.kind()).isIn(CancelResult.Kind.CANCELLED, CancelResult.Kind.TOO_LATE);
            assertThat(stream.isDone()).isTrue();
            cancelled += r.kind() == CancelResult.Kind.CANCELLED ? 1 : 0;
            Ops.result(w);
        }
        Ops.result(c.client().shutdownOutput());
        OperationStream rest = c.server().receiveEach(collector);
        Ops.result(rest);
        assertThat(collector.received()).isEqualTo(data);
        assertThat(cancelled).isPositive();
        c.close();
        Ops.result(listener.closeAsync());
    }

    @EachBackend
    void closingTheProactorEndsActiveStreams(ProactorFixture fixture) throws Exception {
        Proactor server = fixture.open(fixture.config().closeTimeout(Duration.ofMillis(200)));
        AsyncServerSocket listener = Sockets.listen(server);
        List<Sockets.Connection> conns = Sockets.connectMany(listener, fixture.proactor(), SocketOptions.defaults(), 20, 20);
        List<OperationStream> streams = new ArrayList<>();
        for (Sockets.Connection c : conns) {
            streams.add(c.server().receiveEach(BufferLease::release));
            Ops.result(c.client().write(ByteBuffer.wrap(new byte[] {1})));
        }
        OperationStream accepts = listener.acceptEach(s -> s.closeAsync());
        CloseReport report = server.close(Duration.ofMillis(200));
        assertThat(report.clean()).isTrue();
        for (OperationStream s : streams) {
            assertThat(s.isDone()).isTrue();
            assertThat(s.state()).isIn(OperationState.CANCELLED, OperationState.FAILED);
        }
        assertThat(accepts.state()).isIn(OperationState.CANCELLED, OperationState.FAILED);
        for (Sockets.Connection c : conns) {
            Ops.result(c.client().closeAsync());
        }
    }
}
