package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.StalledPeers;
import dev.proactor.test.TestFiles;
import dev.proactor.test.Waits;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow readers (slowhttptest -X): clients that ask for a large file and then never read. Each costs
 * the server a wait for room in its socket, not a thread, and none delays another client: with
 * {@value #SLOW_READERS} of them stalled, a normal client still downloads a file whole, and the
 * slow readers are still stalled when it is done. On every variant of the core harness
 * ({@link EachBackend}: io_uring, portable, io_uring-fallback).
 */
class ServeSlowReaderTest {
    private static final int SLOW_READERS = 100;
    /** Many times what a slow reader's connection and the server's pipe can hold. */
    private static final int LARGE = 8 << 20;
    private static final int NORMAL = 1 << 20;
    /**
     * Tasks the stalled connections may add to the process: io_uring's cap of 16 unbounded io-wq
     * workers per ring, the server's workers and file threads, the JIT's; far below one a reader.
     */
    private static final int TASK_ALLOWANCE = 32;
    private static final Duration STALL_WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    Path root;

    @BeforeEach
    void tree() throws Exception {
        root = Files.createDirectories(tmp.resolve("www"));
        TestFiles.writeRandom(root.resolve("large.bin"), LARGE, 21);
        TestFiles.writeRandom(root.resolve("normal.bin"), NORMAL, 22);
    }

    @EachBackend
    void slowReadersCostNoThreadAndDelayNoOne(ProactorFixture variant) throws Exception {
        byte[] normal = Files.readAllBytes(root.resolve("normal.bin"));
        // Room for every slow reader and the normal client: the limit is not what is under test.
        ServeOptions options = ServerFixture.options(root, variant).maxConnections(SLOW_READERS + 8).build();
        try (ServerFixture f = new ServerFixture(options, variant);
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                // Closed first, before the fixture counts this process's descriptors.
                SlowReaders slow = new SlowReaders()) {
            HttpRequest download = HttpRequest.newBuilder(f.uri("/normal.bin")).build();
            // Once before the baseline, so that the server's worker and file threads are running.
            assertThat(client.send(download, HttpResponse.BodyHandlers.ofByteArray()).body()).isEqualTo(normal);
            int baseline = StalledPeers.tasks();

            byte[] request = "GET /large.bin HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < SLOW_READERS; i++) {
                Socket s = new Socket();
                slow.sockets.add(s);
                s.setReceiveBufferSize(4096);
                s.connect(new InetSocketAddress("127.0.0.1", f.port()));
                s.getOutputStream().write(request);
            }
            AtomicInteger peak = new AtomicInteger();
            Waits.until(STALL_WAIT, () -> {
                peak.accumulateAndGet(StalledPeers.tasks(), Math::max);
                return allStalled(slow.sockets);
            }, () -> "the server stalled on every slow reader");

            HttpResponse<byte[]> r = client.send(download, HttpResponse.BodyHandlers.ofByteArray());
            peak.accumulateAndGet(StalledPeers.tasks(), Math::max);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).as("the normal download").isEqualTo(normal);
            assertThat(allStalled(slow.sockets)).as("every slow reader still stalled after the normal download").isTrue();
            assertThat(peak.get()).as("tasks with %d slow readers (baseline %d)", SLOW_READERS, baseline)
                    .isLessThanOrEqualTo(baseline + TASK_ALLOWANCE);
        }
    }

    /** The slow readers' sockets. */
    private static final class SlowReaders implements AutoCloseable {
        final List<Socket> sockets = new ArrayList<>();

        @Override
        public void close() throws java.io.IOException {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** Whether the server holds bytes for every slow reader that it has neither read nor acknowledged. */
    private static boolean allStalled(List<Socket> slow) {
        var queues = StalledPeers.byPorts();
        for (Socket s : slow) {
            if (!StalledPeers.stalled(queues, s.getRemoteSocketAddress(), s.getLocalSocketAddress())) {
                return false;
            }
        }
        return true;
    }
}
