package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.BackendPair;
import dev.proactor.test.EachBackendPair;
import dev.proactor.test.Ops;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stream semantics over every backend pair: half-close (reliability target R10) and a peer's reset
 * in the middle of a stream (R16, without the network namespace: the peer is a plain
 * {@link java.net.Socket} that closes with {@code SO_LINGER} 0, which sends RST).
 */
class SocketStreamContractTest {

    /**
     * The client sends, then shuts down its output; the server reads up to end of stream, replies
     * with the SHA-256 of what it read and closes; the client reads that reply and then end of
     * stream. End of stream stays end of stream on a second read, on both sides.
     */
    @EachBackendPair
    void halfCloseDeliversEverythingThenEndOfStreamBothWays(BackendPair pair) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server());
        Sockets.Connection c = Sockets.connect(listener, pair.client());
        byte[] request = new byte[300_000];
        new SplittableRandom(11).nextBytes(request);

        Operation<Long> send = c.client().writeAll(ByteBuffer.wrap(request));
        assertThat(Ops.result(send)).isEqualTo(request.length);
        Ops.result(c.client().shutdownOutput());

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocateDirect(8192);
        while (true) {
            buf.clear();
            int n = Ops.result(c.server().read(buf));
            if (n < 0) {
                break;
            }
            assertThat(n).as("a read before end of stream returns bytes").isPositive();
            buf.flip();
            byte[] b = new byte[n];
            buf.get(b);
            got.write(b);
        }
        assertThat(got.toByteArray()).as("what the server read before end of stream").isEqualTo(request);
        assertThat(Ops.result(c.server().read(ByteBuffer.allocate(16)))).as("second read after end of stream")
                .isEqualTo(-1);

        // The server's direction is still open: the reply goes through after the client's FIN.
        byte[] reply = MessageDigest.getInstance("SHA-256").digest(request);
        assertThat(Ops.result(c.server().writeAll(ByteBuffer.wrap(reply)))).isEqualTo(reply.length);
        Ops.result(c.server().closeAsync());

        ByteBuffer in = ByteBuffer.allocate(reply.length);
        assertThat(Ops.result(c.client().readFully(in))).isEqualTo(reply.length);
        assertThat(in.array()).as("reply read after the client's own shutdownOutput").isEqualTo(reply);
        assertThat(Ops.result(c.client().read(ByteBuffer.allocate(16)))).as("client read after the reply").isEqualTo(-1);
        assertThat(Ops.result(c.client().read(ByteBuffer.allocate(16)))).as("client read again").isEqualTo(-1);

        // readFully at end of stream fails with EndOfFileException rather than returning short.
        ProactorException eof = Ops.failure(c.client().readFully(ByteBuffer.allocate(4)));
        assertThat(eof).isInstanceOf(EndOfFileException.class);
        Ops.result(c.client().closeAsync());
        Ops.result(listener.closeAsync());
    }

    /** A reset from a plain-socket client fails the pending read of a socket the server backend accepted. */
    @EachBackendPair
    void peerResetFailsPendingReadOnAcceptedSocket(BackendPair pair) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server());
        Operation<AsyncSocket> accept = listener.accept();
        try (Socket peer = new Socket()) {
            peer.connect(listener.localAddress());
            AsyncSocket socket = Ops.result(accept);
            resetMidStream(socket, peer);
            Ops.result(socket.closeAsync());
        }
        Ops.result(listener.closeAsync());
    }

    /** A reset from a plain-socket server fails the pending read of a socket the client backend connected. */
    @EachBackendPair
    void peerResetFailsPendingReadOnConnectedSocket(BackendPair pair) throws Exception {
        try (ServerSocket plain = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Operation<AsyncSocket> connect = pair.client().connect(plain.getLocalSocketAddress());
            try (Socket peer = plain.accept()) {
                AsyncSocket socket = Ops.result(connect);
                resetMidStream(socket, peer);
                Ops.result(socket.closeAsync());
            }
        }
    }

    /**
     * Both sides exchange data; then a read is pending (handed to the backend) when the peer closes
     * with linger 0. The read, still pending when the reset is sent, must end with ECONNRESET (the
     * reset's own outcome, which nothing else produces), its handler run once, and a write afterwards
     * must fail too (EPIPE or ECONNRESET), not hang.
     */
    private static void resetMidStream(AsyncSocket socket, Socket peer) throws IOException {
        byte[] hello = "hello, mid-stream".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        peer.getOutputStream().write(hello);
        ByteBuffer first = ByteBuffer.allocate(hello.length);
        assertThat(Ops.result(socket.readFully(first))).isEqualTo(hello.length);
        assertThat(first.array()).isEqualTo(hello);
        assertThat(Ops.result(socket.writeAll(ByteBuffer.wrap(hello)))).isEqualTo(hello.length);
        InputStream in = peer.getInputStream();
        assertThat(in.readNBytes(hello.length)).isEqualTo(hello);

        Operation<Integer> pending = socket.read(ByteBuffer.allocate(1024));
        AtomicInteger handlerCalls = new AtomicInteger();
        pending.onComplete((n, failure) -> handlerCalls.incrementAndGet());
        Waits.until(Duration.ofSeconds(5), () -> pending.state() == OperationState.SUBMITTED,
                () -> "read not handed to the backend: " + pending.state());
        peer.setSoLinger(true, 0);
        assertThat(pending.isDone()).as("read ended before the reset was sent: %s", pending.state()).isFalse();
        peer.close();

        ProactorException failure = Ops.failure(pending);
        assertThat(failure).as("pending read after the peer's reset").isInstanceOf(OperationFailedException.class);
        assertThat(((OperationFailedException) failure).errnoName()).isEqualTo("ECONNRESET");
        assertThat(pending.state()).isEqualTo(OperationState.FAILED);
        Waits.until(Duration.ofSeconds(5), () -> handlerCalls.get() == 1, () -> "handler calls " + handlerCalls);

        byte[] big = new byte[1 << 20];
        Arrays.fill(big, (byte) 7);
        ProactorException writeFailure = Ops.failure(socket.writeAll(ByteBuffer.wrap(big)));
        assertThat(writeFailure).as("write after the reset").isInstanceOf(OperationFailedException.class);
        assertThat(((OperationFailedException) writeFailure).errnoName()).isIn("EPIPE", "ECONNRESET");
        assertThat(handlerCalls.get()).as("the failed read's handler calls").isEqualTo(1);
    }
}
