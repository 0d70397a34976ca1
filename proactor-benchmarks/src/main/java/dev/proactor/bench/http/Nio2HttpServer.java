package dev.proactor.bench.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * A minimal keep-alive HTTP server on NIO.2 ({@link AsynchronousServerSocketChannel} on the default
 * group, completion handlers). Requests are parsed one after another from the read buffer, so split
 * and pipelined requests are both served; only the path of the request line is looked at, bodies are
 * not supported. {@code /hello} gets a prebuilt response. A file is opened per request as an
 * {@link AsynchronousFileChannel} (on Linux the JDK simulates it with a thread pool), its size read,
 * its whole content read into the connection's direct buffer, and then head and body go out with one
 * gathering write: NIO.2 has no zero-copy path from a file to an asynchronous socket.
 */
final class Nio2HttpServer implements HttpBenchServer {

    private static final byte[] HELLO_RESPONSE;

    static {
        byte[] head = HttpBenchServer.head(HELLO.length, "text/plain");
        HELLO_RESPONSE = new byte[head.length + HELLO.length];
        System.arraycopy(head, 0, HELLO_RESPONSE, 0, head.length);
        System.arraycopy(HELLO, 0, HELLO_RESPONSE, head.length, HELLO.length);
    }

    private final AsynchronousServerSocketChannel listener;
    private final Path dir;

    private Nio2HttpServer(AsynchronousServerSocketChannel listener, Path dir) {
        this.listener = listener;
        this.dir = dir;
    }

    static Nio2HttpServer start(InetSocketAddress local, Path dir) throws IOException {
        AsynchronousServerSocketChannel l = AsynchronousServerSocketChannel.open().bind(local, 1024);
        Nio2HttpServer s = new Nio2HttpServer(l, dir);
        l.accept(null, s.new Acceptor());
        return s;
    }

    private final class Acceptor implements CompletionHandler<AsynchronousSocketChannel, Void> {
        @Override
        public void completed(AsynchronousSocketChannel ch, Void a) {
            listener.accept(null, this);
            try {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            } catch (IOException e) {
                close(ch);
                return;
            }
            new Connection(ch).readMore();
        }

        @Override
        public void failed(Throwable t, Void a) {
            if (listener.isOpen()) {
                listener.accept(null, this);
            }
        }
    }

    private final class Connection {
        private final AsynchronousSocketChannel ch;
        /** Bytes read and not parsed yet, between position 0 and position (write mode). */
        private final ByteBuffer in = ByteBuffer.allocateDirect(16 * 1024);
        private final ByteBuffer hello = ByteBuffer.allocateDirect(HELLO_RESPONSE.length).put(HELLO_RESPONSE).flip();
        private ByteBuffer body = ByteBuffer.allocateDirect(4096);
        private final ByteBuffer[] out = new ByteBuffer[2];

        Connection(AsynchronousSocketChannel ch) {
            this.ch = ch;
        }

        void readMore() {
            if (!in.hasRemaining()) {
                close(ch);  // a request head larger than the buffer
                return;
            }
            ch.read(in, null, new CompletionHandler<Integer, Void>() {
                @Override
                public void completed(Integer n, Void a) {
                    if (n < 0) {
                        close(ch);
                        return;
                    }
                    next();
                }

                @Override
                public void failed(Throwable t, Void a) {
                    close(ch);
                }
            });
        }

        /** Serves the next complete request in the buffer, or reads more. */
        void next() {
            int end = headEnd();
            if (end < 0) {
                readMore();
                return;
            }
            String path = path(end);
            in.flip().position(end);
            in.compact();
            if (path.equals("/hello")) {
                out[0] = hello.clear();
                write(1);
            } else if (path.equals("/4k.bin") || path.equals("/1m.bin")) {
                sendFile(dir.resolve(path.substring(1)));
            } else {
                out[0] = ByteBuffer.wrap("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                write(1);
            }
        }

        /** The index just past the first "\r\n\r\n" in the buffer, or -1. */
        private int headEnd() {
            for (int i = 3, n = in.position(); i < n; i++) {
                if (in.get(i) == '\n' && in.get(i - 1) == '\r' && in.get(i - 2) == '\n' && in.get(i - 3) == '\r') {
                    return i + 1;
                }
            }
            return -1;
        }

        /** The request target of the request line in [0, end). */
        private String path(int end) {
            int a = 0;
            while (a < end && in.get(a) != ' ') {
                a++;
            }
            int b = a + 1;
            while (b < end && in.get(b) != ' ' && in.get(b) != '\r') {
                b++;
            }
            byte[] p = new byte[Math.max(0, b - a - 1)];
            in.get(a + 1, p);
            return new String(p, StandardCharsets.US_ASCII);
        }

        private void sendFile(Path file) {
            AsynchronousFileChannel fc;
            long size;
            try {
                fc = AsynchronousFileChannel.open(file, StandardOpenOption.READ);
                size = fc.size();
            } catch (IOException e) {
                close(ch);
                return;
            }
            if (body.capacity() < size) {
                body = ByteBuffer.allocateDirect((int) size);
            }
            body.clear().limit((int) size);
            readFile(fc, size);
        }

        private void readFile(AsynchronousFileChannel fc, long size) {
            fc.read(body, body.position(), null, new CompletionHandler<Integer, Void>() {
                @Override
                public void completed(Integer n, Void a) {
                    if (n < 0) {
                        failed(new IOException("file shorter than its size"), a);
                        return;
                    }
                    if (body.hasRemaining()) {
                        readFile(fc, size);
                        return;
                    }
                    close(fc);
                    body.flip();
                    out[0] = ByteBuffer.wrap(HttpBenchServer.head(size, "application/octet-stream"));
                    out[1] = body;
                    write(2);
                }

                @Override
                public void failed(Throwable t, Void a) {
                    close(fc);
                    close(ch);
                }
            });
        }

        private void write(int buffers) {
            ch.write(out, 0, buffers, 0, TimeUnit.MILLISECONDS, null, new CompletionHandler<Long, Void>() {
                @Override
                public void completed(Long n, Void a) {
                    if (out[buffers - 1].hasRemaining()) {
                        write(buffers);
                        return;
                    }
                    next();
                }

                @Override
                public void failed(Throwable t, Void a) {
                    close(ch);
                }
            });
        }
    }

    private static void close(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }

    @Override
    public int port() {
        try {
            return ((InetSocketAddress) listener.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
