package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.BackendPair;
import dev.proactor.test.EachBackendPair;
import dev.proactor.test.EchoServer;
import dev.proactor.test.Ops;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestReporter;

/**
 * Byte-exact echo over every backend pair (reliability target R10): a server driven by completion
 * handlers echoes what each client sends; each client sends random bytes in random-sized chunks
 * while it reads the echo, shuts down its output after the last chunk and compares the SHA-256 of
 * what came back (up to the end of stream the server's close produces) with what it sent.
 */
class SocketEchoContractTest {

    private static final int DEFAULT_TOTAL = 8 << 20;
    private static final int STRESS_TOTAL = 64 << 20;

    @EachBackendPair
    void echoOneConnection(BackendPair pair, TestReporter report) throws Exception {
        echo(pair, 1, DEFAULT_TOTAL, report);
    }

    @EachBackendPair
    void echo16Connections(BackendPair pair, TestReporter report) throws Exception {
        echo(pair, 16, DEFAULT_TOTAL, report);
    }

    @EachBackendPair
    void echo256Connections(BackendPair pair, TestReporter report) throws Exception {
        echo(pair, 256, DEFAULT_TOTAL, report);
    }

    /** Over IPv6 loopback ({@code ::1}): the sockaddr_in6 path of listen, accept and connect. */
    @EachBackendPair
    void echo16ConnectionsOverIpv6(BackendPair pair, TestReporter report) throws Exception {
        echo(pair, ipv6Loopback(), 16, DEFAULT_TOTAL, report);
    }

    /** Over a Unix-domain socket in the run's directory: the sockaddr_un path. */
    @EachBackendPair
    void echo16ConnectionsOverAUnixDomainSocket(BackendPair pair, TestReporter report) throws Exception {
        echo(pair, UnixDomainSocketAddress.of(pair.serverFixture().tempDir().resolve("echo.sock")), 16, DEFAULT_TOTAL,
                report);
    }

    /**
     * {@code [::1]:0}; skips, saying so, on a host whose loopback has no IPv6 (a kernel or container
     * setting, not something the tests can install).
     */
    static InetSocketAddress ipv6Loopback() throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(any);
        } catch (IOException e) {
            Assumptions.abort("no IPv6 loopback on this host: binding [::1] failed: " + e);
        }
        return any;
    }

    @Tag("stress")
    @EachBackendPair
    void echoOneConnection64MiB(BackendPair pair, TestReporter report) throws Exception {
        echo(pair, 1, STRESS_TOTAL, report);
    }

    @Tag("stress")
    @EachBackendPair
    void echo16Connections64MiB(BackendPair pair, TestReporter report) throws Exception {
        echo(pair, 16, STRESS_TOTAL, report);
    }

    @Tag("stress")
    @EachBackendPair
    void echo256Connections64MiB(BackendPair pair, TestReporter report) throws Exception {
        echo(pair, 256, STRESS_TOTAL, report);
    }

    private static void echo(BackendPair pair, int connections, long total, TestReporter report) throws Exception {
        echo(pair, dev.proactor.test.Sockets.loopback(), connections, total, report);
    }

    private static void echo(BackendPair pair, SocketAddress local, int connections, long total, TestReporter report)
            throws Exception {
        Proactor server = pair.server();
        Proactor client = pair.client();
        long start = System.nanoTime();
        try (EchoServer echo = EchoServer.start(Ops.result(server.listen(local)), 16, 32 * 1024)) {
            List<Client> clients = new ArrayList<>(connections);
            long each = total / connections;
            for (int i = 0; i < connections; i++) {
                clients.add(new Client(i, each + (i == 0 ? total % connections : 0)));
            }
            for (Client c : clients) {
                c.start(client, echo.address());
            }
            CompletableFuture.allOf(clients.stream().map(c -> c.done).toArray(CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS);
            for (Client c : clients) {
                c.check();
            }
            echo.awaitEnded(connections, Duration.ofSeconds(10));
            assertThat(echo.failures()).as("echo server failures").isEmpty();
            assertThat(echo.echoed()).as("bytes the server echoed").isEqualTo(total);
        }
        dev.proactor.test.Reports.publish(report, "echo", pair + " " + local + ": " + connections + " connection(s), " + (total >> 20) + " MiB each way in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
    }

    /**
     * One connection's client: a write chain (random chunks, then shutdownOutput) and a read chain
     * (until end of stream), each step started by the previous step's handler.
     */
    private static final class Client {
        final int index;
        final long total;
        final SplittableRandom random;
        final MessageDigest sent = sha256();
        final MessageDigest received = sha256();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        AsyncSocket socket;
        long written;
        long read;

        Client(int index, long total) {
            this.index = index;
            this.total = total;
            this.random = new SplittableRandom(index * 7919L + 1);
        }

        void start(Proactor p, java.net.SocketAddress server) {
            p.connect(server).onComplete((s, failure) -> {
                if (failure != null) {
                    fail("connect", failure);
                    return;
                }
                socket = s;
                ByteBuffer in = index % 2 == 0 ? ByteBuffer.allocateDirect(16 * 1024) : ByteBuffer.allocate(16 * 1024);
                readNext(in);
                writeNext();
            });
        }

        private void writeNext() {
            if (written == total) {
                socket.shutdownOutput().onComplete((v, failure) -> {
                    if (failure != null) {
                        fail("shutdownOutput", failure);
                    }
                });
                return;
            }
            int size = (int) Math.min(total - written, 1 + random.nextInt(64 * 1024));
            byte[] chunk = new byte[size];
            random.nextBytes(chunk);
            sent.update(chunk);
            ByteBuffer out = random.nextBoolean() ? ByteBuffer.wrap(chunk) : ByteBuffer.allocateDirect(size).put(chunk).flip();
            socket.writeAll(out).onComplete((n, failure) -> {
                if (failure != null) {
                    fail("writeAll", failure);
                } else if (n != size || out.hasRemaining()) {
                    fail("writeAll", new AssertionError("wrote " + n + " of " + size + ", remaining " + out.remaining()));
                } else {
                    written += n;
                    writeNext();
                }
            });
        }

        private void readNext(ByteBuffer in) {
            in.clear();
            socket.read(in).onComplete((n, failure) -> {
                if (failure != null) {
                    fail("read", failure);
                } else if (n < 0) {
                    socket.closeAsync().onComplete((v, f) -> {
                        if (f != null) {
                            fail("close", f);
                        } else {
                            done.complete(null);
                        }
                    });
                } else if (n == 0 || in.position() != n) {
                    fail("read", new AssertionError("read returned " + n + " with buffer position " + in.position()));
                } else {
                    in.flip();
                    received.update(in);
                    read += n;
                    readNext(in);
                }
            });
        }

        private void fail(String step, Throwable failure) {
            failures.add("client " + index + " " + step + ": " + failure);
            if (socket != null) {
                socket.closeAsync();
            }
            done.complete(null);
        }

        void check() {
            assertThat(failures).as("client %d failures", index).isEmpty();
            assertThat(written).as("client %d bytes sent", index).isEqualTo(total);
            assertThat(read).as("client %d bytes echoed back", index).isEqualTo(total);
            assertThat(HexFormat.of().formatHex(received.digest())).as("client %d SHA-256 of the echo", index)
                    .isEqualTo(HexFormat.of().formatHex(sent.digest()));
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }
    }
}
