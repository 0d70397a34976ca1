package dev.proactor.internal.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.BackendChoice;
import dev.proactor.CancelResult;
import dev.proactor.CloseReport;
import dev.proactor.MetricsSnapshot;
import dev.proactor.Operation;
import dev.proactor.OperationCancelledException;
import dev.proactor.OperationFailedException;
import dev.proactor.OperationKind;
import dev.proactor.OperationState;
import dev.proactor.OperationTimeoutException;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.SocketOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream sockets on the portable backend, end to end through the public API: TCP over IPv4 and
 * IPv6 and Unix-domain sockets, with the outcomes io_uring gives. Each test runs its own proactor
 * and ends by closing it and checking the exactly-once ledger and that none of its threads is left.
 * No test sleeps to synchronise: every wait is on an operation's outcome or on a state it reaches.
 */
class NioSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private String name;
    private Proactor p;

    private Proactor open(TestInfo info) {
        name = "nio-sock-" + info.getTestMethod().orElseThrow().getName();
        p = Proactor.open(ProactorConfig.builder().name(name).backend(BackendChoice.PORTABLE).build());
        return p;
    }

    @AfterEach
    void closeAndCheck() {
        if (p == null) {
            return;
        }
        CloseReport report = p.close(p.config().closeTimeout());
        assertThat(report.clean()).as("close report %s", report).isTrue();
        MetricsSnapshot.Ledger ledger = p.metrics().ledger();
        assertThat(ledger.terminal()).as("ledger %s", ledger).isEqualTo(ledger.initiated());
        assertThat(ledger.duplicates()).isZero();
        assertThat(ledger.strays()).isZero();
        // A pool's awaitTermination returns while its last worker is still on its way out: polled.
        long end = System.nanoTime() + WAIT.toNanos();
        while (!NioProactorTest.threadsNamed(name + "-").isEmpty() && System.nanoTime() - end < 0) {
            Thread.yield();
        }
        assertThat(NioProactorTest.threadsNamed(name + "-")).as("threads left after close").isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private static <T> T await(Operation<T> op) throws Exception {
        return op.await(WAIT);
    }

    /** Open descriptors of this process. */
    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** Waits until the dispatcher has handed {@code op} to the backend. */
    private static void awaitSubmitted(Operation<?> op) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (op.state() == OperationState.QUEUED) {
            assertThat(System.nanoTime() - end).as("%s never submitted", op).isNegative();
            Thread.onSpinWait();
        }
    }

    /** A connected pair: [0] the connecting end, [1] the accepted end. */
    private AsyncSocket[] pair(AsyncServerSocket server) throws Exception {
        Operation<AsyncSocket> accepted = server.accept();
        Operation<AsyncSocket> connected = p.connect(server.localAddress());
        return new AsyncSocket[] {await(connected), await(accepted)};
    }

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Sends {@code data} as {@code pieces} writeAll operations, all pending at once. */
    private static List<Operation<Long>> sendInPieces(AsyncSocket s, byte[] data, int pieces) {
        List<Operation<Long>> ops = new ArrayList<>();
        int step = data.length / pieces;
        for (int off = 0; off < data.length; off += step) {
            ops.add(s.writeAll(ByteBuffer.wrap(data, off, Math.min(step, data.length - off))));
        }
        return ops;
    }

    // ------------------------------------------------------------------ tests

    @Test
    void reportsSocketsAsSelectorDriven(TestInfo info) {
        open(info);
        assertThat(p.capabilities().operations().get(OperationKind.ACCEPT)).contains("acceptEach: an accept re-armed");
        assertThat(p.capabilities().operations().get(OperationKind.RECV)).contains("receiveEach: a buffer of 256 x 16384");
        for (OperationKind k : List.of(OperationKind.LISTEN, OperationKind.ACCEPT, OperationKind.CONNECT,
                OperationKind.RECV, OperationKind.SEND, OperationKind.SHUTDOWN)) {
            assertThat(p.capabilities().operations().get(k)).as("%s", k).startsWith("portable (selector)");
        }
    }

    @Test
    void tcpIpv4ExchangesAMebibyteEachWay(TestInfo info) throws Exception {
        open(info);
        exchange(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    }

    @Test
    void tcpIpv6ExchangesAMebibyteEachWay(TestInfo info) throws Exception {
        open(info);
        exchange(new InetSocketAddress(InetAddress.getByName("::1"), 0));
    }

    @Test
    void unixDomainExchangesAMebibyteEachWay(TestInfo info) throws Exception {
        open(info);
        exchange(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
    }

    /**
     * Listens on {@code where}, connects, sends 1 MiB each way at the same time as 16 pending writes
     * per side against one pending readFully per side, checks both byte for byte, then shuts down the
     * client's output and sees the server read end of stream.
     */
    private void exchange(SocketAddress where) throws Exception {
        // Small socket buffers, so that sends fill them and wait for OP_WRITE, several times each.
        SocketOptions small = SocketOptions.defaults().withBufferSizes(16 * 1024, 16 * 1024);
        AsyncServerSocket server = await(p.listen(where, small));
        SocketAddress bound = server.localAddress();
        if (where instanceof InetSocketAddress w) {
            InetSocketAddress b = (InetSocketAddress) bound;
            assertThat(b.getAddress()).isEqualTo(w.getAddress());
            assertThat(b.getPort()).isPositive();
        } else {
            assertThat(bound).isEqualTo(where);
        }
        Operation<AsyncSocket> accepting = server.accept();
        AsyncSocket client = await(p.connect(bound, small));
        AsyncSocket accepted = await(accepting);
        assertThat(client.remoteAddress()).isEqualTo(bound);
        if (where instanceof InetSocketAddress) {
            assertThat(accepted.remoteAddress()).isEqualTo(client.localAddress());
            assertThat(accepted.localAddress()).isEqualTo(bound);
        }

        byte[] up = random(1, MIB);
        byte[] down = random(2, MIB);
        ByteBuffer atServer = ByteBuffer.allocateDirect(MIB);
        ByteBuffer atClient = ByteBuffer.allocateDirect(MIB);
        Operation<Long> serverRead = accepted.readFully(atServer);
        Operation<Long> clientRead = client.readFully(atClient);
        List<Operation<Long>> writes = new ArrayList<>(sendInPieces(client, up, 16));
        writes.addAll(sendInPieces(accepted, down, 16));
        for (Operation<Long> w : writes) {
            assertThat(await(w)).isEqualTo(MIB / 16);
        }
        assertThat(await(serverRead)).isEqualTo(MIB);
        assertThat(await(clientRead)).isEqualTo(MIB);
        byte[] got = new byte[MIB];
        atServer.flip().get(got);
        assertThat(got).as("client to server").isEqualTo(up);
        atClient.flip().get(got);
        assertThat(got).as("server to client").isEqualTo(down);

        await(client.shutdownOutput());
        assertThat(await(accepted.read(ByteBuffer.allocate(16)))).isEqualTo(-1);
        // The other direction still works after a half close.
        assertThat(await(accepted.writeAll(ByteBuffer.wrap(new byte[] {7})))).isEqualTo(1);
        ByteBuffer one = ByteBuffer.allocate(1);
        assertThat(await(client.read(one))).isEqualTo(1);
        assertThat(one.get(0)).isEqualTo((byte) 7);

        await(client.closeAsync());
        await(accepted.closeAsync());
        await(server.closeAsync());
    }

    @Test
    void pendingAcceptsAndReadsAreServedInOrder(TestInfo info) throws Exception {
        open(info);
        AsyncServerSocket server = await(p.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        Operation<AsyncSocket> a1 = server.accept();
        Operation<AsyncSocket> a2 = server.accept();
        awaitSubmitted(a2);
        AsyncSocket c1 = await(p.connect(server.localAddress()));
        AsyncSocket s1 = await(a1);
        assertThat(a2.isDone()).isFalse();
        AsyncSocket c2 = await(p.connect(server.localAddress()));
        AsyncSocket s2 = await(a2);
        assertThat(s1.remoteAddress()).isEqualTo(c1.localAddress());
        assertThat(s2.remoteAddress()).isEqualTo(c2.localAddress());

        List<Operation<Long>> reads = new ArrayList<>();
        List<ByteBuffer> into = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ByteBuffer b = ByteBuffer.allocate(1);
            into.add(b);
            reads.add(s1.readFully(b));
        }
        // The core keeps one read per socket in the backend; the others wait, in order, behind it.
        awaitSubmitted(reads.get(0));
        await(c1.writeAll(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})));
        for (int i = 0; i < 4; i++) {
            assertThat(await(reads.get(i))).isEqualTo(1);
            assertThat(into.get(i).get(0)).as("read %d", i).isEqualTo((byte) (i + 1));
        }
        for (AsyncSocket s : List.of(c1, s1, c2, s2)) {
            await(s.closeAsync());
        }
        await(server.closeAsync());
    }

    @Test
    void connectToAClosedPortIsRefused(TestInfo info) throws Exception {
        open(info);
        InetSocketAddress closed;
        try (ServerSocketChannel ch = ServerSocketChannel.open()) {
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            closed = (InetSocketAddress) ch.getLocalAddress();
        }
        long baseline = openFds();
        Operation<AsyncSocket> c = p.connect(closed);
        assertThatThrownBy(() -> await(c))
                .isInstanceOfSatisfying(OperationFailedException.class,
                        e -> assertThat(e.errnoName()).isEqualTo("ECONNREFUSED"));
        assertThat(c.state()).isEqualTo(OperationState.FAILED);
        await(p.nop());
        assertThat(openFds()).as("descriptors after a refused connect").isEqualTo(baseline);
    }

    @Test
    void connectToAMissingUnixPathFails(TestInfo info) throws Exception {
        open(info);
        Operation<AsyncSocket> c = p.connect(UnixDomainSocketAddress.of(dir.resolve("nobody")));
        assertThatThrownBy(() -> await(c))
                .isInstanceOfSatisfying(OperationFailedException.class,
                        e -> assertThat(e.errnoName()).isEqualTo("ENOENT"));
    }

    @Test
    void listenOnAnAddressInUseFails(TestInfo info) throws Exception {
        open(info);
        AsyncServerSocket first = await(p.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                SocketOptions.defaults().withReuseAddress(false)));
        Operation<AsyncServerSocket> second = p.listen(first.localAddress(),
                SocketOptions.defaults().withReuseAddress(false));
        assertThatThrownBy(() -> await(second))
                .isInstanceOfSatisfying(OperationFailedException.class,
                        e -> assertThat(e.errnoName()).isEqualTo("EADDRINUSE"));
        await(first.closeAsync());
    }

    @Test
    void connectDeadlinePassesWhileTheListenQueueIsFull(TestInfo info) throws Exception {
        open(info);
        AsyncServerSocket server = await(p.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                SocketOptions.defaults().withBacklog(1)));
        // Fill the accept queue (nobody accepts): Linux queues backlog + 1 connections and then drops
        // further SYNs, so the connect below can only time out; were the queue not full, it would
        // connect and the assertions below would fail.
        List<Socket> fillers = dev.proactor.test.Sockets.fillAcceptQueue(server.localAddress(), 1);
        try {
            long baseline = openFds();
            long t0 = System.nanoTime();
            Operation<AsyncSocket> c = p.withTimeout(Duration.ofMillis(100)).connect(server.localAddress());
            assertThatThrownBy(() -> await(c)).isInstanceOf(OperationTimeoutException.class);
            assertThat(c.state()).isEqualTo(OperationState.TIMED_OUT);
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
            await(p.nop());
            assertThat(openFds()).as("descriptors after a timed-out connect").isEqualTo(baseline);
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
        await(server.closeAsync());
    }

    @Test
    void cancellingAPendingReadLeavesTheStreamIntact(TestInfo info) throws Exception {
        open(info);
        AsyncServerSocket server = await(p.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        AsyncSocket[] s = pair(server);
        Operation<Integer> read = s[1].read(ByteBuffer.allocate(8));
        awaitSubmitted(read);
        CancelResult r = read.cancel().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.kind()).isEqualTo(CancelResult.Kind.CANCELLED);
        assertThat(read.state()).isEqualTo(OperationState.CANCELLED);
        assertThatThrownBy(() -> await(read)).isInstanceOf(OperationCancelledException.class);

        await(s[0].writeAll(ByteBuffer.wrap(new byte[] {42})));
        ByteBuffer b = ByteBuffer.allocate(8);
        assertThat(await(s[1].read(b))).isEqualTo(1);
        assertThat(b.get(0)).isEqualTo((byte) 42);
        await(s[0].closeAsync());
        await(s[1].closeAsync());
        await(server.closeAsync());
    }

    @Test
    void readDeadlineTimesOut(TestInfo info) throws Exception {
        open(info);
        AsyncServerSocket server = await(p.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        AsyncSocket[] s = pair(server);
        Operation<Integer> read = s[1].withTimeout(Duration.ofMillis(50)).read(ByteBuffer.allocate(8));
        assertThatThrownBy(() -> await(read)).isInstanceOf(OperationTimeoutException.class);
        assertThat(read.state()).isEqualTo(OperationState.TIMED_OUT);
        await(s[0].closeAsync());
        await(s[1].closeAsync());
        await(server.closeAsync());
    }

    @Test
    void aPeerResetFailsAPendingRead(TestInfo info) throws Exception {
        open(info);
        AsyncServerSocket server = await(p.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        Operation<AsyncSocket> accept = server.accept();
        try (Socket peer = new Socket()) {
            peer.connect(server.localAddress());
            AsyncSocket s = await(accept);
            Operation<Integer> read = s.read(ByteBuffer.allocate(8));
            awaitSubmitted(read);
            peer.setSoLinger(true, 0);
            peer.close();
            assertThatThrownBy(() -> await(read))
                    .isInstanceOfSatisfying(OperationFailedException.class,
                            e -> assertThat(e.errnoName()).isEqualTo("ECONNRESET"));
            await(s.closeAsync());
        }
        await(server.closeAsync());
    }

    @Test
    void closingTheSocketEndsAPendingReadAndLeavesNoDescriptor(TestInfo info) throws Exception {
        open(info);
        await(p.nop());
        long baseline = openFds();
        AsyncServerSocket server = await(p.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        AsyncSocket[] s = pair(server);
        Operation<Integer> read = s[0].read(ByteBuffer.allocate(8));
        Operation<Integer> read2 = s[0].read(ByteBuffer.allocate(8));
        awaitSubmitted(read);
        await(s[0].closeAsync());
        assertThat(read.state()).isEqualTo(OperationState.CANCELLED);
        assertThat(read2.state()).isEqualTo(OperationState.CANCELLED);
        // The peer sees end of stream.
        assertThat(await(s[1].read(ByteBuffer.allocate(8)))).isEqualTo(-1);
        await(s[1].closeAsync());
        await(server.closeAsync());
        assertThat(openFds()).as("descriptors after closing everything").isEqualTo(baseline);
    }

    @Test
    void closingAListenerEndsItsPendingAccepts(TestInfo info) throws Exception {
        open(info);
        long baseline = openFds();
        AsyncServerSocket server = await(p.listen(UnixDomainSocketAddress.of(dir.resolve("l.sock"))));
        Operation<AsyncSocket> a1 = server.accept();
        Operation<AsyncSocket> a2 = server.accept();
        awaitSubmitted(a2);
        await(server.closeAsync());
        assertThat(a1.state()).isEqualTo(OperationState.CANCELLED);
        assertThat(a2.state()).isEqualTo(OperationState.CANCELLED);
        assertThat(openFds()).isEqualTo(baseline);
    }

    @Test
    void socketsLeftOpenAreClosedWithTheProactor(TestInfo info) throws Exception {
        open(info);
        AsyncServerSocket server = await(p.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        AsyncSocket[] s = pair(server);
        Operation<Integer> read = s[0].read(ByteBuffer.allocate(8));
        awaitSubmitted(read);
        // A read with no data never finishes by itself: a short drain, then the close cancels it.
        CloseReport report = p.close(Duration.ofMillis(50));
        assertThat(read.state()).isEqualTo(OperationState.CANCELLED);
        assertThat(report.abandoned()).isEmpty();
        assertThat(s[0].isOpen()).isFalse();
    }
}
