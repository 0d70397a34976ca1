package dev.proactor.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.BackendChoice;
import dev.proactor.CancelResult;
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
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream sockets on the io_uring backend, through the public API: TCP over IPv4 and IPv6 and
 * Unix-domain sockets, end of stream, refused and timed-out connects, a cancelled accept, a reset
 * peer, and no descriptor left behind. Backend-level; the portable-and-uring contract suite lives
 * elsewhere.
 */
class UringSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private Proactor p;

    @BeforeAll
    static void uring() {
        assumeTrue(UringSupport.isAvailable(), () -> UringSupport.unavailabilityCause().orElse(""));
    }

    @BeforeEach
    void open() {
        p = Proactor.open(ProactorConfig.builder().backend(BackendChoice.IO_URING).build());
        assertThat(p.backendName()).isEqualTo("io_uring");
    }

    @AfterEach
    void close() {
        if (p != null) {
            p.close();
        }
    }

    @Test
    void ipv4RoundTripsOneMebibyteEachWayAndEndOfStream() throws Exception {
        roundTrip(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @Test
    void ipv6RoundTripsOneMebibyteEachWayAndEndOfStream() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        assumeTrue(ipv6LoopbackWorks(), "no IPv6 loopback on this host");
        roundTrip(new InetSocketAddress(v6, 0));
    }

    @Test
    void unixDomainRoundTripsOneMebibyteEachWayAndEndOfStream() throws Exception {
        Path path = dir.resolve("s.sock");
        roundTrip(UnixDomainSocketAddress.of(path));
        Files.deleteIfExists(path);
    }

    /** listen, connect, accept; 1 MiB each way byte-exact; shutdownOutput gives the peer -1; close. */
    private void roundTrip(SocketAddress where) throws Exception {
        AsyncServerSocket server = p.listen(where).await(WAIT);
        SocketAddress bound = server.localAddress();
        if (where instanceof InetSocketAddress inet) {
            assertThat(bound).isInstanceOf(InetSocketAddress.class);
            InetSocketAddress b = (InetSocketAddress) bound;
            assertThat(b.getAddress()).isEqualTo(inet.getAddress());
            assertThat(b.getPort()).isPositive();
        } else {
            assertThat(bound).isEqualTo(where);
        }

        Operation<AsyncSocket> accepting = server.accept();
        AsyncSocket client = p.connect(bound).await(WAIT);
        AsyncSocket peer = accepting.await(WAIT);

        assertThat(client.remoteAddress()).isEqualTo(bound);
        if (where instanceof InetSocketAddress) {
            // Each end sees the other's address exactly.
            assertThat(peer.remoteAddress()).isEqualTo(client.localAddress());
            assertThat(peer.localAddress()).isEqualTo(bound);
        } else {
            assertThat(peer.localAddress()).isEqualTo(bound);
        }

        transfer(client, peer);
        transfer(peer, client);

        client.shutdownOutput().await(WAIT);
        assertThat(peer.read(ByteBuffer.allocate(16)).await(WAIT)).isEqualTo(-1);
        // The other direction still works after a half-close.
        assertThat(peer.write(ByteBuffer.wrap(new byte[] {42})).await(WAIT)).isEqualTo(1);
        ByteBuffer one = ByteBuffer.allocate(1);
        assertThat(client.read(one).await(WAIT)).isEqualTo(1);
        assertThat(one.get(0)).isEqualTo((byte) 42);

        client.closeAsync().await(WAIT);
        peer.closeAsync().await(WAIT);
        server.closeAsync().await(WAIT);
    }

    private static void transfer(AsyncSocket from, AsyncSocket to) throws Exception {
        byte[] data = new byte[MIB];
        new Random(from.hashCode()).nextBytes(data);
        ByteBuffer dst = ByteBuffer.allocate(MIB);
        // Both at once: 1 MiB does not fit the socket buffers, so the write needs the read.
        Operation<Long> writing = from.writeAll(ByteBuffer.wrap(data));
        Operation<Long> reading = to.readFully(dst);
        assertThat(writing.await(WAIT)).isEqualTo(MIB);
        assertThat(reading.await(WAIT)).isEqualTo(MIB);
        assertThat(dst.array()).isEqualTo(data);
    }

    @Test
    void connectToAClosedPortFailsWithEconnrefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Operation<AsyncSocket> c = p.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        assertThatThrownBy(() -> c.await(WAIT))
                .isInstanceOfSatisfying(OperationFailedException.class,
                        e -> assertThat(e.errnoName()).isEqualTo("ECONNREFUSED"));
        assertThat(c.state()).isEqualTo(OperationState.FAILED);
    }

    @Test
    void connectToAMissingUnixPathFailsWithEnoent() throws Exception {
        Operation<AsyncSocket> c = p.connect(UnixDomainSocketAddress.of(dir.resolve("nobody.sock")));
        assertThatThrownBy(() -> c.await(WAIT))
                .isInstanceOfSatisfying(OperationFailedException.class,
                        e -> assertThat(e.errnoName()).isEqualTo("ENOENT"));
    }

    @Test
    void listenOnAPortInUseFailsWithEaddrinuse() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Operation<AsyncServerSocket> l = p.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    s.getLocalPort()), SocketOptions.defaults().withReuseAddress(false));
            assertThatThrownBy(() -> l.await(WAIT))
                    .isInstanceOfSatisfying(OperationFailedException.class,
                            e -> assertThat(e.errnoName()).isEqualTo("EADDRINUSE"));
        }
    }

    @Test
    void connectPastItsDeadlineTimesOutWhenTheListenQueueIsFull() throws Exception {
        AsyncServerSocket server = p.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                SocketOptions.defaults().withBacklog(1)).await(WAIT);
        SocketAddress bound = server.localAddress();
        List<AutoCloseable> fillers = new ArrayList<>();
        try {
            // Backlog 1 holds two established connections; a full accept queue drops further SYNs.
            for (int i = 0; i < 2; i++) {
                Socket s = new Socket();
                fillers.add(s);
                s.connect(bound, 5_000);
            }
            SocketChannel third = SocketChannel.open();
            fillers.add(third);
            third.configureBlocking(false);
            third.connect(bound);

            Operation<AsyncSocket> c = p.withTimeout(Duration.ofMillis(100)).connect(bound);
            assertThatThrownBy(() -> c.await(WAIT)).isInstanceOf(OperationTimeoutException.class);
            assertThat(c.state()).isEqualTo(OperationState.TIMED_OUT);
        } finally {
            for (AutoCloseable s : fillers) {
                s.close();
            }
        }
        server.closeAsync().await(WAIT);
    }

    @Test
    void cancelledAcceptEndsCancelled() throws Exception {
        AsyncServerSocket server = p.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).await(WAIT);
        Operation<AsyncSocket> a = server.accept();
        CancelResult r = a.cancel().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.kind()).isEqualTo(CancelResult.Kind.CANCELLED);
        assertThatThrownBy(() -> a.await(WAIT)).isInstanceOf(OperationCancelledException.class);
        assertThat(a.state()).isEqualTo(OperationState.CANCELLED);
        // The listener still accepts after a cancelled accept.
        Operation<AsyncSocket> again = server.accept();
        try (Socket s = new Socket()) {
            s.connect(server.localAddress(), 5_000);
            AsyncSocket peer = again.await(WAIT);
            assertThat(peer.remoteAddress()).isEqualTo(s.getLocalSocketAddress());
            peer.closeAsync().await(WAIT);
        }
        server.closeAsync().await(WAIT);
    }

    @Test
    void aResetPeerFailsAPendingReadWithEconnreset() throws Exception {
        AsyncServerSocket server = p.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).await(WAIT);
        Operation<AsyncSocket> accepting = server.accept();
        try (Socket s = new Socket()) {
            s.connect(server.localAddress(), 5_000);
            AsyncSocket peer = accepting.await(WAIT);
            Operation<Integer> reading = peer.read(ByteBuffer.allocate(64));
            s.setSoLinger(true, 0);
            s.close();
            assertThatThrownBy(() -> reading.await(WAIT))
                    .isInstanceOfSatisfying(OperationFailedException.class,
                            e -> assertThat(e.errnoName()).isEqualTo("ECONNRESET"));
            // A send to the reset peer fails with an errno rather than killing the process with SIGPIPE.
            Operation<Long> writing = peer.writeAll(ByteBuffer.allocate(64 * 1024));
            assertThatThrownBy(() -> writing.await(WAIT)).isInstanceOf(OperationFailedException.class);
            peer.closeAsync().await(WAIT);
        }
        server.closeAsync().await(WAIT);
    }

    @Test
    void socketKindsAreSupportedAndDescribed() {
        var ops = p.capabilities().operations();
        assertThat(ops.get(OperationKind.LISTEN)).startsWith("socket(2)+setsockopt+bind+listen on the dispatcher");
        assertThat(ops.get(OperationKind.CONNECT)).contains("io_uring CONNECT");
        assertThat(ops.get(OperationKind.ACCEPT)).contains("io_uring ACCEPT");
        assertThat(ops.get(OperationKind.RECV)).contains("io_uring RECV");
        assertThat(ops.get(OperationKind.SEND)).contains("io_uring SEND");
        assertThat(ops.get(OperationKind.SHUTDOWN)).contains("io_uring SHUTDOWN");
    }

    @Test
    void noDescriptorOutlivesTheProactor() throws Exception {
        p.close();
        p = null;
        // A first round loads every class, so that the count below sees only descriptors.
        socketRound();
        List<String> before = kernelObjects();
        socketRound();
        assertThat(kernelObjects()).containsExactlyInAnyOrderElementsOf(before);
    }

    /** Every kind of socket operation, successes and failures, on a proactor of its own. */
    private void socketRound() throws Exception {
        try (Proactor q = Proactor.open(ProactorConfig.builder().backend(BackendChoice.IO_URING).build())) {
            AsyncServerSocket server = q.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).await(WAIT);
            Operation<AsyncSocket> accepting = server.accept();
            AsyncSocket client = q.connect(server.localAddress()).await(WAIT);
            AsyncSocket peer = accepting.await(WAIT);
            client.writeAll(ByteBuffer.wrap(new byte[1000])).await(WAIT);
            peer.readFully(ByteBuffer.allocate(1000)).await(WAIT);
            client.closeAsync().await(WAIT);
            peer.closeAsync().await(WAIT);
            // A refused connect and a cancelled accept leave nothing either.
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Operation<AsyncSocket> refused = q.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertThatThrownBy(() -> refused.await(WAIT)).isInstanceOf(OperationFailedException.class);
            Operation<AsyncSocket> a = server.accept();
            a.cancel().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            server.closeAsync().await(WAIT);
            // Nor does a connect that timed out against a full listen queue.
            AsyncServerSocket full = q.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    SocketOptions.defaults().withBacklog(1)).await(WAIT);
            try (Socket f1 = new Socket(); Socket f2 = new Socket()) {
                f1.connect(full.localAddress(), 5_000);
                f2.connect(full.localAddress(), 5_000);
                Operation<AsyncSocket> late = q.withTimeout(Duration.ofMillis(50)).connect(full.localAddress());
                assertThatThrownBy(() -> late.await(WAIT)).isInstanceOf(OperationTimeoutException.class);
            }
            full.closeAsync().await(WAIT);
            // A listener the application leaves open is closed with the proactor.
            q.listen(UnixDomainSocketAddress.of(dir.resolve("left-open-" + System.nanoTime() + ".sock"))).await(WAIT);
        }
    }

    /** The sockets, io_urings, eventfds and other anonymous inodes this process holds. */
    private static List<String> kernelObjects() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return fd.getFileName() + "=" + Files.readSymbolicLink(fd);
                } catch (IOException e) {
                    return fd.getFileName() + "=gone"; // the directory stream's own descriptor
                }
            }).filter(s -> s.contains("socket:") || s.contains("anon_inode:")).toList();
        }
    }

    private static boolean ipv6LoopbackWorks() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(Inet6Address.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
