package dev.proactor.bench.http;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.BackendChoice;
import dev.proactor.OperationStream;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.ProactorException;
import dev.proactor.ResultHandler;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A minimal fixed-response HTTP server on Proactor's public API, so that the small fixed response
 * compares like with like (nginx {@code return 200}, Netty's prebuilt response): one {@code acceptEach}
 * for the listener, and per connection read → count the request ends ({@code \r\n\r\n}) → writeAll that many prebuilt
 * responses → read. It does not look at the method or path: every request head gets
 * {@code Hello, World!}. Requests split across reads and pipelined requests are both counted right,
 * since the scan state carries over from one read to the next. Requests with a body are not supported.
 *
 * <p>It accepts with {@link AsyncServerSocket#acceptEach} (a multishot accept on io_uring), not with
 * a chain of single accepts: wrk opens its 64 connections at once and sends a request on each at
 * once, and a chain takes them one dispatcher round (an accept completion, its handler, the next
 * accept's submission) after another while the connections already accepted keep the dispatcher
 * busy. The last connection's first request then waited for 63 such rounds (65 to 370 ms measured),
 * which wrk's coordinated-omission correction spreads into thousands of samples: that, and the JIT
 * work the harness's short warm-up left for the same moment, was the p99 near 195 ms (BENCHMARKS.md,
 * "The fixed-response server's tail").
 */
final class ProactorHttpServer implements HttpBenchServer {

    /** Responses in the prebuilt buffer: more pipelined requests than this go out in several writes. */
    private static final int BATCH = 16;

    private final Proactor proactor;
    private final AsyncServerSocket listener;
    private final ByteBuffer responses;
    private final OperationStream accepts;
    private final int responseLength;

    private ProactorHttpServer(Proactor proactor, AsyncServerSocket listener) {
        this.proactor = proactor;
        this.listener = listener;
        byte[] head = HttpBenchServer.head(HELLO.length, "text/plain");
        responseLength = head.length + HELLO.length;
        ByteBuffer b = ByteBuffer.allocateDirect(responseLength * BATCH);
        for (int i = 0; i < BATCH; i++) {
            b.put(head).put(HELLO);
        }
        responses = b.flip();
        accepts = listener.acceptEach(socket -> new Connection(socket).readNext());  // last: it may run at once
    }

    static ProactorHttpServer start(SocketAddress local, boolean inline) throws Exception {
        Proactor p = Proactor.open(ProactorConfig.builder().name("http").backend(BackendChoice.IO_URING)
                .inlineHandlers(inline).build());
        AsyncServerSocket listener = p.listen(local).await();
        return new ProactorHttpServer(p, listener);
    }

    private final class Connection {
        private final AsyncSocket socket;
        private final ByteBuffer in = ByteBuffer.allocateDirect(16 * 1024);
        private final ByteBuffer out = responses.duplicate();
        /** How many bytes of "\r\n\r\n" the bytes read so far end with (0..3). */
        private int matched;
        /** Complete requests not answered yet. */
        private int pending;
        // Made once: a method reference passed per call is a new object per read and per write.
        private final ResultHandler<Integer> readDone = this::onRead;
        private final ResultHandler<Long> written = this::onWritten;

        Connection(AsyncSocket socket) {
            this.socket = socket;
        }

        void readNext() {
            in.clear();
            socket.read(in).onComplete(readDone);
        }

        private void onRead(Integer n, ProactorException failure) {
            if (failure != null || n < 0) {
                socket.closeAsync();
                return;
            }
            int m = matched;
            for (int i = 0, end = in.position(); i < end; i++) {
                byte b = in.get(i);
                if (b == (m == 0 || m == 2 ? '\r' : '\n')) {
                    if (++m == 4) {
                        pending++;
                        m = 0;
                    }
                } else {
                    m = b == '\r' ? 1 : 0;
                }
            }
            matched = m;
            writePending();
        }

        private void writePending() {
            if (pending == 0) {
                readNext();
                return;
            }
            int k = Math.min(pending, BATCH);
            pending -= k;
            out.limit(k * responseLength).position(0);
            socket.writeAll(out).onComplete(written);
        }

        private void onWritten(Long n, ProactorException failure) {
            if (failure != null) {
                socket.closeAsync();
                return;
            }
            writePending();
        }
    }

    @Override
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() throws Exception {
        accepts.cancel();
        listener.close();
        proactor.close();
    }
}
