package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.BackendPair;
import dev.proactor.test.EachBackendPair;
import dev.proactor.test.Ops;
import dev.proactor.test.Sockets;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** How connects fail: refused (nothing listens) and timed out (SYNs dropped by a full accept queue). */
class SocketConnectContractTest {

    @EachBackendPair
    void connectToAClosedPortIsRefused(BackendPair pair) throws Exception {
        SocketAddress nobody;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = s.getLocalSocketAddress();
        }
        Operation<AsyncSocket> connect = pair.client().connect(nobody);
        ProactorException failure = Ops.failure(connect);
        assertThat(failure).isInstanceOf(OperationFailedException.class);
        assertThat(((OperationFailedException) failure).errnoName()).isEqualTo("ECONNREFUSED");
        assertThat(connect.state()).isEqualTo(OperationState.FAILED);
        assertThat(failure.kind()).isEqualTo(OperationKind.CONNECT);
    }

    /** The same refusal over IPv6 loopback, whose sockaddr_in6 the client backend encodes. */
    @EachBackendPair
    void connectToAClosedIpv6PortIsRefused(BackendPair pair) throws Exception {
        InetSocketAddress any = SocketEchoContractTest.ipv6Loopback();
        SocketAddress nobody;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(any);
            nobody = s.getLocalSocketAddress();
        }
        assertRefused(pair.client().connect(nobody), "ECONNREFUSED");
    }

    /**
     * Unix-domain connects: to the path of a socket whose listener (on the server backend) has
     * closed, refused with ECONNREFUSED; to a path where nothing is, ENOENT.
     */
    @EachBackendPair
    void connectToAUnixPathWithoutAListenerFails(BackendPair pair) throws Exception {
        Path dir = pair.serverFixture().tempDir();
        UnixDomainSocketAddress closed = UnixDomainSocketAddress.of(dir.resolve("closed.sock"));
        AsyncServerSocket listener = Ops.result(pair.server().listen(closed));
        Ops.result(listener.closeAsync());
        assertThat(Files.exists(closed.getPath())).as("the socket file stays after its listener closed").isTrue();
        assertRefused(pair.client().connect(closed), "ECONNREFUSED");
        assertRefused(pair.client().connect(UnixDomainSocketAddress.of(dir.resolve("nobody.sock"))), "ENOENT");
    }

    private static void assertRefused(Operation<AsyncSocket> connect, String errno) {
        ProactorException failure = Ops.failure(connect);
        assertThat(failure).isInstanceOf(OperationFailedException.class);
        assertThat(((OperationFailedException) failure).errnoName()).as("%s", failure).isEqualTo(errno);
        assertThat(connect.state()).isEqualTo(OperationState.FAILED);
        assertThat(failure.kind()).isEqualTo(OperationKind.CONNECT);
    }

    /**
     * A listener on the server backend with backlog 1 and its accept queue full drops the SYN, so
     * a connect with a 100 ms deadline times out: TIMED_OUT with {@link OperationTimeoutException}
     * carrying that deadline, never before 100 ms. The deadline, not the kernel, ended it: the kernel
     * would give up on the SYNs only after minutes, failing with ETIMEDOUT. The accept queue being
     * full also shows that the
     * server backend applies {@link SocketOptions#backlog()}.
     */
    @EachBackendPair
    void connectDeadlinePassesWhenSynsAreDropped(BackendPair pair) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server(), SocketOptions.defaults().withBacklog(1));
        List<Socket> fillers = Sockets.fillAcceptQueue(listener.localAddress(), 1);
        try {
            AtomicLong endedAt = new AtomicLong();
            long start = System.nanoTime();
            Operation<AsyncSocket> connect =
                    pair.client().withTimeout(Duration.ofMillis(100)).connect(listener.localAddress());
            connect.onComplete((s, failure) -> endedAt.set(System.nanoTime()));
            ProactorException failure = Ops.failure(connect);
            assertThat(failure).as("connect into a full accept queue (backlog 1, %d queued)", fillers.size())
                    .isInstanceOf(OperationTimeoutException.class);
            assertThat(((OperationTimeoutException) failure).timeout()).isEqualTo(Duration.ofMillis(100));
            assertThat(connect.state()).isEqualTo(OperationState.TIMED_OUT);
            dev.proactor.test.Waits.until(Duration.ofSeconds(5), () -> endedAt.get() != 0, () -> "handler not run");
            Duration took = Duration.ofNanos(endedAt.get() - start);
            assertThat(took).as("deadline of 100 ms ended the connect after").isGreaterThanOrEqualTo(Duration.ofMillis(100));
        } finally {
            Sockets.closeQuietly(fillers);
        }
        Ops.result(listener.closeAsync());
    }
}
