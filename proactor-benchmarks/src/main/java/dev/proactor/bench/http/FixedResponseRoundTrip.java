package dev.proactor.bench.http;

import dev.proactor.bench.BenchmarkBase;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What one fixed-response HTTP request costs the server, above all in bytes allocated
 * ({@code -prof gc}, {@code gc.alloc.rate.norm}): the benchmark thread is a blocking client on one
 * keep-alive connection over loopback, sending {@code GET /hello} and reading the whole response,
 * one request at a time, to the server {@code proactor-fixed} of {@link HttpBench} (one read and
 * one {@code writeAll} per request, on the public API) in the same JVM, with handlers on workers or
 * inline.
 *
 * <p>The client allocates nothing per request (direct buffers, a blocking {@link SocketChannel}),
 * so the bytes per operation are the server's: the ones that lengthen its Serial GC pauses, which
 * are its p99 under wrk. Time per operation is a round trip through two threads and the loopback
 * stack, not a throughput figure; HttpBench measures that against the peers.
 */
public class FixedResponseRoundTrip extends BenchmarkBase {

    private static final byte[] REQUEST = "GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** A server and one client connection to it, per fork. */
    @State(Scope.Benchmark)
    public static class Connection {

        /** Where the server's handlers run: {@code worker} (as HttpBench runs it) or {@code inline}. */
        @Param({"worker", "inline"})
        public String handlers;

        ProactorHttpServer server;
        SocketChannel client;
        final ByteBuffer request = ByteBuffer.allocateDirect(REQUEST.length).put(REQUEST).flip();
        ByteBuffer response;

        @Setup(Level.Trial)
        public void open() throws Exception {
            if (!handlers.equals("worker") && !handlers.equals("inline")) {
                throw new IllegalArgumentException("handlers must be worker or inline: " + handlers);
            }
            server = ProactorHttpServer.start(new InetSocketAddress("127.0.0.1", 0), handlers.equals("inline"));
            client = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
            client.socket().setTcpNoDelay(true);
            int length = HttpBenchServer.head(HttpBenchServer.HELLO.length, "text/plain").length
                    + HttpBenchServer.HELLO.length;
            response = ByteBuffer.allocateDirect(length);
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            client.close();
            server.close();
        }
    }

    /** One request written, its whole response read. */
    @Benchmark
    public int request(Connection c) throws IOException {
        ByteBuffer req = c.request.clear();
        while (req.hasRemaining()) {
            c.client.write(req);
        }
        ByteBuffer res = c.response.clear();
        while (res.hasRemaining()) {
            if (c.client.read(res) < 0) {
                throw new EOFException("the server closed the connection");
            }
        }
        return res.position();
    }
}
