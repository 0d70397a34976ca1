package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Stream-socket basics on every backend (io_uring, its fallback variant, portable), through the
 * public API: a mebibyte each way and end of stream over IPv4, IPv6 and Unix-domain sockets, a
 * listen on an address in use, a cancelled accept and a cancelled read that leave the listener and
 * the stream usable, a read deadline, pending reads served in initiation order, and sockets left
 * open closed with their proactor. The fixture checks after each test that no descriptor, thread
 * or native byte outlives the proactors. Refused and timed-out connects are in
 * {@link SocketConnectContractTest}, a peer's reset in {@link SocketStreamContractTest}, closes with
 * operations pending in {@link SocketCloseContractTest}.
 */
class SocketBasicsContractTest {
    private static final int MIB = 1 << 20;
    private static final int PIECES = 16;

    @EachBackend
    void ipv4RoundTripsOneMebibyteEachWayAndEndOfStream(ProactorFixture fixture) throws Exception {
        roundTrip(fixture.proactor(), new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    }

    @EachBackend
    void ipv6RoundTripsOneMebibyteEachWayAndEndOfStream(ProactorFixture fixture) throws Exception {
        roundTrip(fixture.proactor(), SocketEchoContractTest.ipv6Loopback());
    }

    @EachBackend
    void unixDomainRoundTripsOneMebibyteEachWayAndEndOfStream(ProactorFixture fixture) throws Exception {
        roundTrip(fixture.proactor(), UnixDomainSocketAddress.of(fixture.tempDir().resolve("s.sock")));
    }

    /**
     * Listens on {@code where}, connects and accepts, each end seeing the other's address; sends
     * 1 MiB each way at once, as {@value #PIECES} pending writes per side against one pending
     * readFully per side, through 16 KiB socket buffers (so sends fill them and wait, many times),
     * and checks both byte for byte; then shuts down the client's output: the server reads end of
     * stream and the other direction still carries a byte.
     */
    private static void roundTrip(Proactor p, SocketAddress where) {
        SocketOptions small = SocketOptions.defaults().withBufferSizes(16 * 1024, 16 * 1024);
        AsyncServerSocket server = Ops.result(p.listen(where, small));
        SocketAddress bound = server.localAddress();
        if (where instanceof InetSocketAddress w) {
            assertThat(bound).isInstanceOf(InetSocketAddress.class);
            InetSocketAddress b = (InetSocketAddress) bound;
            assertThat(b.getAddress()).isEqualTo(w.getAddress());
            assertThat(b.getPort()).isPositive();
        } else {
            assertThat(bound).isEqualTo(where);
        }
        Operation<AsyncSocket> accepting = server.accept();
        AsyncSocket client = Ops.result(p.connect(bound, small));
        AsyncSocket accepted = Ops.result(accepting);
        assertThat(client.remoteAddress()).isEqualTo(bound);
        assertThat(accepted.localAddress()).isEqualTo(bound);
        if (where instanceof InetSocketAddress) {
            assertThat(accepted.remoteAddress()).isEqualTo(client.localAddress());
        }

        byte[] up = random(1, MIB);
        byte[] down = random(2, MIB);
        ByteBuffer atServer = ByteBuffer.allocateDirect(MIB);
        ByteBuffer atClient = ByteBuffer.allocateDirect(MIB);
        Operation<Long> serverRead = accepted.readFully(atServer);
        Operation<Long> clientRead = client.readFully(atClient);
        List<Operation<Long>> writes = new ArrayList<>(sendInPieces(client, up));
        writes.addAll(sendInPieces(accepted, down));
        for (Operation<Long> w : writes) {
            assertThat(Ops.result(w)).isEqualTo(MIB / PIECES);
        }
        assertThat(Ops.result(serverRead)).isEqualTo(MIB);
        assertThat(Ops.result(clientRead)).isEqualTo(MIB);
        byte[] got = new byte[MIB];
        atServer.flip().get(got);
        assertThat(got).as("client to server").isEqualTo(up);
        atClient.flip().get(got);
        assertThat(got).as("server to client").isEqualTo(down);

        Ops.result(client.shutdownOutput());
        assertThat(Ops.result(accepted.read(ByteBuffer.allocate(16)))).isEqualTo(-1);
        // The other direction still works after a half close.
        assertThat(Ops.result(accepted.writeAll(ByteBuffer.wrap(new byte[] {42})))).isEqualTo(1);
        ByteBuffer one = ByteBuffer.allocate(1);
        assertThat(Ops.result(client.read(one))).isEqualTo(1);
        assertThat(one.get(0)).isEqualTo((byte) 42);

        Ops.result(client.closeAsync());
        Ops.result(accepted.closeAsync());
        Ops.result(server.closeAsync());
    }

    private static List<Operation<Long>> sendInPieces(AsyncSocket s, byte[] data) {
        List<Operation<Long>> ops = new ArrayList<>();
        int step = data.length / PIECES;
        for (int off = 0; off < data.length; off += step) {
            ops.add(s.writeAll(ByteBuffer.wrap(data, off, step)));
        }
        return ops;
    }

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @EachBackend
    void listenOnAnAddressInUseFailsWithEaddrinuse(ProactorFixture fixture) {
        Proactor p = fixture.proactor();
        SocketOptions noReuse = SocketOptions.defaults().withReuseAddress(false);
        AsyncServerSocket first = Sockets.listen(p, noReuse);
        Operation<AsyncServerSocket> second = p.listen(first.localAddress(), noReuse);
        ProactorException failure = Ops.failure(second);
        assertThat(failure).isInstanceOf(OperationFailedException.class);
        assertThat(((OperationFailedException) failure).errnoName()).isEqualTo("EADDRINUSE");
        assertThat(second.state()).isEqualTo(OperationState.FAILED);
        Ops.result(first.closeAsync());
    }

    @EachBackend
    void aCancelledAcceptEndsCancelledAndTheListenerStillAccepts(ProactorFixture fixture) throws Exception {
        AsyncServerSocket server = Sockets.listen(fixture.proactor());
        Operation<AsyncSocket> a = server.accept();
        awaitSubmitted(a);
        CancelResult r = a.cancel().toCompletableFuture().get(Ops.WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.kind()).isEqualTo(CancelResult.Kind.CANCELLED);
        assertThat(Ops.failure(a)).isInstanceOf(OperationCancelledException.class);
        assertThat(a.state()).isEqualTo(OperationState.CANCELLED);

        Operation<AsyncSocket> again = server.accept();
        try (Socket s = new Socket()) {
            s.connect(server.localAddress(), 5_000);
            AsyncSocket peer = Ops.result(again);
            assertThat(peer.remoteAddress()).isEqualTo(s.getLocalSocketAddress());
            Ops.result(peer.closeAsync());
        }
        Ops.result(server.closeAsync());
    }

    @EachBackend
    void cancellingAPendingReadLeavesTheStreamIntact(ProactorFixture fixture) throws Exception {
        Loopback c = Loopback.open(fixture.proactor());
        Operation<Integer> read = c.server().read(ByteBuffer.allocate(8));
        awaitSubmitted(read);
        CancelResult r = read.cancel().toCompletableFuture().get(Ops.WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.kind()).isEqualTo(CancelResult.Kind.CANCELLED);
        assertThat(read.state()).isEqualTo(OperationState.CANCELLED);
        assertThat(Ops.failure(read)).isInstanceOf(OperationCancelledException.class);

        Ops.result(c.client().writeAll(ByteBuffer.wrap(new byte[] {42})));
        ByteBuffer b = ByteBuffer.allocate(8);
        assertThat(Ops.result(c.server().read(b))).isEqualTo(1);
        assertThat(b.get(0)).isEqualTo((byte) 42);
        c.close();
    }

    @EachBackend
    void aReadPastItsDeadlineTimesOut(ProactorFixture fixture) {
        Loopback c = Loopback.open(fixture.proactor());
        Operation<Integer> read = c.server().withTimeout(Duration.ofMillis(50)).read(ByteBuffer.allocate(8));
        ProactorException failure = Ops.failure(read);
        assertThat(failure).isInstanceOf(OperationTimeoutException.class);
        assertThat(((OperationTimeoutException) failure).timeout()).isEqualTo(Duration.ofMillis(50));
        assertThat(read.state()).isEqualTo(OperationState.TIMED_OUT);
        c.close();
    }

    /**
     * Four pending one-byte reads on one socket (the core keeps one in the backend, the others
     * queued behind it) get the bytes of one write in initiation order.
     */
    @EachBackend
    void pendingReadsAreServedInOrder(ProactorFixture fixture) {
        Loopback c = Loopback.open(fixture.proactor());
        List<Operation<Long>> reads = new ArrayList<>();
        List<ByteBuffer> into = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ByteBuffer b = ByteBuffer.allocate(1);
            into.add(b);
            reads.add(c.server().readFully(b));
        }
        awaitSubmitted(reads.get(0));
        Ops.result(c.client().writeAll(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})));
        for (int i = 0; i < 4; i++) {
            assertThat(Ops.result(reads.get(i))).isEqualTo(1);
            assertThat(into.get(i).get(0)).as("read %d", i).isEqualTo((byte) (i + 1));
        }
        c.close();
    }

    /**
     * Three accepts pending on one listener get three connections, made one at a time, in
     * initiation order: each connection goes to the oldest accept still waiting, and the later ones
     * stay pending meanwhile.
     */
    @EachBackend
    void pendingAcceptsAreServedInOrder(ProactorFixture fixture) {
        Proactor p = fixture.proactor();
        AsyncServerSocket server = Sockets.listen(p);
        List<Operation<AsyncSocket>> accepts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            accepts.add(server.accept());
        }
        accepts.forEach(SocketBasicsContractTest::awaitSubmitted);
        List<AsyncSocket> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            AsyncSocket client = Ops.result(p.connect(server.localAddress()));
            AsyncSocket accepted = Ops.result(accepts.get(i));
            assertThat(accepted.remoteAddress()).as("accept %d", i).isEqualTo(client.localAddress());
            for (Operation<AsyncSocket> later : accepts.subList(i + 1, 3)) {
                assertThat(later.isDone()).as("a later accept, after connection %d", i).isFalse();
            }
            open.add(client);
            open.add(accepted);
        }
        for (AsyncSocket s : open) {
            Ops.result(s.closeAsync());
        }
        Ops.result(server.closeAsync());
    }

    /**
     * A connection and a listener the application leaves open, a read pending on one end: the
     * proactor's close (a short drain, since that read never ends by itself) cancels the read,
     * abandons nothing and closes the sockets; the fixture then finds no descriptor left.
     */
    @EachBackend
    void socketsLeftOpenAreClosedWithTheProactor(ProactorFixture fixture) {
        Proactor p = fixture.open();
        AsyncServerSocket server = Ops.result(p.listen(UnixDomainSocketAddress.of(fixture.tempDir().resolve("l.sock"))));
        Sockets.Connection c = Sockets.connect(server, p);
        Operation<Integer> read = c.client().read(ByteBuffer.allocate(8));
        awaitSubmitted(read);
        CloseReport report = p.close(Duration.ofMillis(50));
        assertThat(read.state()).isEqualTo(OperationState.CANCELLED);
        assertThat(report.abandoned()).isEmpty();
        assertThat(c.client().isOpen()).isFalse();
        assertThat(c.server().isOpen()).isFalse();
        assertThat(server.isOpen()).isFalse();
    }

    /** A loopback listener and one connection to it, both on one proactor. */
    private record Loopback(AsyncServerSocket listener, Sockets.Connection connection) {
        static Loopback open(Proactor p) {
            AsyncServerSocket listener = Sockets.listen(p);
            return new Loopback(listener, Sockets.connect(listener, p));
        }

        AsyncSocket server() {
            return connection.server();
        }

        AsyncSocket client() {
            return connection.client();
        }

        /** Closes both ends, then the listener, waiting for each close. */
        void close() {
            connection.close();
            Ops.result(listener.closeAsync());
        }
    }

    /** Waits until the dispatcher has handed {@code op} to the backend. */
    private static void awaitSubmitted(Operation<?> op) {
        Waits.until(Ops.WAIT, () -> op.state() != OperationState.QUEUED, () -> op + " never submitted");
    }
}
