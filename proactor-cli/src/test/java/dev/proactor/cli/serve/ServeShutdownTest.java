package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The graceful stop: a response in flight when the stop begins is finished (within the deadline)
 * and its connection then closed; one that cannot finish by the deadline is cut. Each on every
 * variant of the core harness ({@link EachBackend}).
 */
class ServeShutdownTest {
    static final int SIZE = 32 << 20; // far more than the socket buffers hold: the response is in flight

    @TempDir
    Path root;

    byte[] data;

    @BeforeEach
    void file() throws Exception {
        data = new byte[SIZE];
        new Random(5).nextBytes(data);
        Files.write(root.resolve("big.bin"), data);
    }

    /**
     * Waits until the listener is closed: a new connection is refused, or reset because it was still
     * in the listener's accept queue when the listener closed. Each attempt is a real event.
     */
    private static void awaitListenerClosed(int port) throws Exception {
        for (int i = 0; i < 10_000; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(1);
            } catch (ConnectException refused) {
                return;
            } catch (SocketException reset) {
                assertThat(reset).hasMessageContaining("reset");
                return;
            }
        }
        throw new AssertionError("the listener stayed open");
    }

    @EachBackend
    void aResponseInFlightFinishesBeforeTheStop(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant); RawHttp c = new RawHttp(f.port())) {
            c.send("GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n");
            assertThat(c.peek()).isEqualTo('H'); // the response has begun: it is in flight
            CompletableFuture<StaticFileServer.Summary> stop = CompletableFuture.supplyAsync(() -> {
                try {
                    return f.stop();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            });
            awaitListenerClosed(f.port());
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(data);
            assertThat(c.closedByServer()).isTrue();
            StaticFileServer.Summary s = stop.get(20, TimeUnit.SECONDS);
            assertThat(s.cut()).isZero();
        }
    }

    @EachBackend
    void aResponseThatCannotFinishIsCutAtTheDeadline(ProactorFixture variant) throws Exception {
        ServeOptions o = ServerFixture.options(root, variant).shutdownTimeout(Duration.ofMillis(300)).build();
        try (ServerFixture f = new ServerFixture(o, variant); Socket c = new Socket("127.0.0.1", f.port())) {
            c.setSoTimeout(20_000);
            c.getOutputStream().write("GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n".getBytes());
            // Read the first byte so the response has surely begun, then nothing more until the stop ends.
            InputStream in = c.getInputStream();
            assertThat(in.read()).isEqualTo('H');
            long start = System.nanoTime();
            StaticFileServer.Summary s = f.stop(Duration.ofMillis(300));
            assertThat(s.cut()).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            long received = 1;
            try {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) != -1) {
                    received += n;
                }
            } catch (java.net.SocketException reset) {
                // cut: a reset is as good as the end of stream here
            }
            assertThat(received).isLessThan(SIZE);
        }
    }
}
