package dev.proactor.bench.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * An in-JVM HTTP server under test, run as its own JVM by {@link HttpBench} so that its CPU time can
 * be read from {@code /proc/PID/stat}: {@code java -cp benchmarks.jar dev.proactor.bench.http.HttpBenchServer
 * IMPL DIR}. Every contender answers {@code GET /hello} with the 13 bytes {@code Hello, World!} and
 * {@code GET /4k.bin}, {@code /1m.bin} with those files of DIR, with Content-Length and keep-alive.
 * It prints {@code PORT n} once it listens and exits when its standard input closes.
 */
public interface HttpBenchServer extends AutoCloseable {

    /** The fixed response body of {@code /hello}. */
    byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    /** The port it listens on. */
    int port();

    @Override
    void close() throws Exception;

    /** The in-JVM contenders, by the name the harness and the report use. */
    static HttpBenchServer start(String impl, Path dir) throws Exception {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        return switch (impl) {
            case "proactor-fixed" -> ProactorHttpServer.start(any, false);
            case "proactor-fixed-inline" -> ProactorHttpServer.start(any, true);
            case "netty-epoll" -> NettyHttpServer.start(any, dir, dev.proactor.bench.NettyServer.Transport.EPOLL);
            case "netty-uring" -> NettyHttpServer.start(any, dir, dev.proactor.bench.NettyServer.Transport.IO_URING);
            case "nio2" -> {
                dev.proactor.bench.Nio2Contenders.requireJdkProviders();
                yield Nio2HttpServer.start(any, dir);
            }
            case dev.proactor.bench.Nio2Contenders.PROACTOR -> {
                dev.proactor.bench.Nio2Contenders.requireProactorProviders();
                yield Nio2HttpServer.start(any, dir);
            }
            case "vthreads" -> VirtualThreadHttpServer.start(any, dir);
            default -> throw new IllegalArgumentException("unknown in-JVM HTTP server: " + impl);
        };
    }

    /** The response head every Java contender writes (nginx and {@code proactor serve} write their own). */
    static byte[] head(long contentLength, String contentType) {
        return ("HTTP/1.1 200 OK\r\nServer: bench\r\nContent-Type: " + contentType + "\r\nContent-Length: "
                + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: HttpBenchServer IMPL DIR");
            System.exit(2);
        }
        try (HttpBenchServer server = start(args[0], Path.of(args[1]))) {
            dev.proactor.bench.ProcessCpu.announceAndAwaitStdinClose(server.port());
        } catch (IOException e) {
            System.err.println("http server: reading standard input failed: " + e);
            System.exit(1);
        }
        System.exit(0);
    }
}
