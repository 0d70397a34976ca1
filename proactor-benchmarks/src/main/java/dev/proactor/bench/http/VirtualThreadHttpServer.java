package dev.proactor.bench.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JDK's {@code com.sun.net.httpserver.HttpServer} with a virtual thread per exchange: what a
 * Java user gets from blocking I/O on virtual threads without a framework. The server's own
 * dispatcher thread selects and parses; each handler runs on a new virtual thread and copies a file
 * through an 8 KiB heap buffer ({@link Files#copy(Path, OutputStream)}: open, size, read, write).
 */
final class VirtualThreadHttpServer implements HttpBenchServer {

    private final HttpServer server;
    private final ExecutorService executor;

    private VirtualThreadHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    static VirtualThreadHttpServer start(InetSocketAddress local, Path dir) throws IOException {
        HttpServer server = HttpServer.create(local, 1024);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, dir));
        server.start();
        return new VirtualThreadHttpServer(server, executor);
    }

    private static void handle(HttpExchange exchange, Path dir) throws IOException {
        try (exchange) {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            String path = exchange.getRequestURI().getPath();
            exchange.getResponseHeaders().set("Server", "bench");
            if (path.equals("/hello")) {
                exchange.getResponseHeaders().set("Content-Type", "text/plain");
                exchange.sendResponseHeaders(200, HELLO.length);
                exchange.getResponseBody().write(HELLO);
                return;
            }
            if (path.equals("/4k.bin") || path.equals("/1m.bin")) {
                Path file = dir.resolve(path.substring(1));
                long size;
                try {
                    size = Files.size(file);
                } catch (NoSuchFileException e) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, size);
                Files.copy(file, exchange.getResponseBody());
                return;
            }
            exchange.sendResponseHeaders(404, -1);
        }
    }

    @Override
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
