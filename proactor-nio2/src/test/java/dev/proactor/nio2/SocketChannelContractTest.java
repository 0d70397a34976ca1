package dev.proactor.nio2;

import static dev.proactor.nio2.Nio2Fixture.WAIT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.WritePendingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The socket channels' contract as the javadoc of {@code AsynchronousSocketChannel} and
 * {@code AsynchronousServerSocketChannel} states it (and, where it leaves room, as the JDK's
 * provider behaves), run on the JDK's provider and on this one on each backend.
 */
class SocketChannelContractTest {

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @EachProvider
    void futureFormsConnectAcceptWriteAndRead(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel[] p = f.pair(f.listening());
            Nio2Fixture.writeFully(p[0], ascii("hello"));
            ByteBuffer dst = ByteBuffer.allocate(5);
            Nio2Fixture.readFully(p[1], dst);
            assertThat(new String(dst.array(), StandardCharsets.US_ASCII)).isEqualTo("hello");
            assertThat(p[0].getRemoteAddress()).isEqualTo(p[1].getLocalAddress());
            assertThat(p[1].getRemoteAddress()).isEqualTo(p[0].getLocalAddress());
            assertThat(p[0].provider()).isSameAs(f.provider);
        }
    }

    @EachProvider
    void handlerFormsRunOnTheGroupsThreadsWithTheAttachment(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousServerSocketChannel server = f.listening();
            CompletableFuture<AsynchronousSocketChannel> accepted = new CompletableFuture<>();
            server.accept("acc", handler(accepted, "acc"));
            AsynchronousSocketChannel client = f.socket();
            CompletableFuture<Void> connected = new CompletableFuture<>();
            client.connect(server.getLocalAddress(), "con", handler(connected, "con"));
            connected.get(WAIT_SECONDS, TimeUnit.SECONDS);
            AsynchronousSocketChannel peer = f.track(accepted.get(WAIT_SECONDS, TimeUnit.SECONDS));

            CompletableFuture<Integer> wrote = new CompletableFuture<>();
            client.write(ascii("abc"), 0, TimeUnit.SECONDS, "w", handler(wrote, "w"));
            assertThat(wrote.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(3);
            ByteBuffer dst = ByteBuffer.allocate(3);
            while (dst.hasRemaining()) {
                CompletableFuture<Integer> read = new CompletableFuture<>();
                peer.read(dst, 0, TimeUnit.SECONDS, "r", handler(read, "r"));
                assertThat(read.get(WAIT_SECONDS, TimeUnit.SECONDS)).isPositive();
            }
            assertThat(dst.flip()).isEqualTo(ascii("abc"));
        }
    }

    /** Completes {@code into} from the handler, failing it unless the attachment and thread are right. */
    private static <V> CompletionHandler<V, String> handler(CompletableFuture<V> into, String attachment) {
        return new CompletionHandler<>() {
            @Override
            public void completed(V result, String a) {
                if (!attachment.equals(a)) {
                    into.completeExceptionally(new AssertionError("attachment " + a));
                } else if (!Thread.currentThread().getName().startsWith(Nio2Fixture.THREAD_PREFIX)) {
                    into.completeExceptionally(new AssertionError("ran on " + Thread.currentThread()));
                } else {
                    into.complete(result);
                }
            }

            @Override
            public void failed(Throwable exc, String a) {
                into.completeExceptionally(exc);
            }
        };
    }

    @EachProvider
    void misuseThrowsTheExceptionsTheSpecificationNames(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel unconnected = f.socket();
            assertThatThrownBy(() -> unconnected.read(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
            assertThatThrownBy(() -> unconnected.write(ascii("x"))).isInstanceOf(NotYetConnectedException.class);
            assertThatThrownBy(unconnected::shutdownInput).isInstanceOf(NotYetConnectedException.class);
            assertThatThrownBy(() -> unconnected.connect(InetSocketAddress.createUnresolved("nowhere.invalid", 80)))
                    .isInstanceOf(UnresolvedAddressException.class);
            assertThatThrownBy(() -> unconnected.connect(UnixDomainSocketAddress.of("/tmp/none")))
                    .isInstanceOf(UnsupportedAddressTypeException.class);
            assertThatThrownBy(() -> unconnected.read(ByteBuffer.allocate(1).asReadOnlyBuffer()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> unconnected.read(ByteBuffer.allocate(1), 0, TimeUnit.SECONDS, null, null))
                    .isInstanceOf(NullPointerException.class);

            AsynchronousServerSocketChannel unbound = f.server();
            assertThatThrownBy(unbound::accept).isInstanceOf(NotYetBoundException.class);
            assertThat(unbound.getLocalAddress()).isNull();

            AsynchronousServerSocketChannel server = f.listening();
            assertThatThrownBy(() -> server.bind(null)).isInstanceOf(AlreadyBoundException.class);
            // The address is checked before the state, as the JDK's provider checks it.
            assertThatThrownBy(() -> server.bind(UnixDomainSocketAddress.of("/tmp/none")))
                    .isInstanceOf(UnsupportedAddressTypeException.class);
            AsynchronousSocketChannel[] p = f.pair(server);
            assertThatThrownBy(() -> p[0].connect(server.getLocalAddress())).isInstanceOf(AlreadyConnectedException.class);
            Future<AsynchronousSocketChannel> pendingAccept = server.accept();
            assertThatThrownBy(server::accept).isInstanceOf(AcceptPendingException.class);
            AsynchronousSocketChannel third = f.socket();
            third.connect(server.getLocalAddress()).get(WAIT_SECONDS, TimeUnit.SECONDS);
            f.track(pendingAccept.get(WAIT_SECONDS, TimeUnit.SECONDS));
        }
    }

    @EachProvider
    void aSecondConnectWhileOneIsPendingThrowsConnectionPending(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousServerSocketChannel server = f.listening();
            AsynchronousSocketChannel client = f.socket();
            Future<Void> first = client.connect(server.getLocalAddress());
            // The loopback connect may already have finished: then the second is AlreadyConnected.
            try {
                client.connect(server.getLocalAddress());
                throw new AssertionError("second connect accepted");
            } catch (ConnectionPendingException | AlreadyConnectedException expected) {
                first.get(WAIT_SECONDS, TimeUnit.SECONDS);
                assertThatThrownBy(() -> client.connect(server.getLocalAddress()))
                        .isInstanceOf(AlreadyConnectedException.class);
            }
            f.track(server.accept().get(WAIT_SECONDS, TimeUnit.SECONDS));
        }
    }

    @EachProvider
    void aRefusedConnectFailsWithConnectExceptionAndClosesTheChannel(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousServerSocketChannel server = f.listening();
            InetSocketAddress gone = (InetSocketAddress) server.getLocalAddress();
            server.close();
            AsynchronousSocketChannel client = f.socket();
            assertThatThrownBy(() -> client.connect(gone).get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ConnectException.class);
            assertThat(client.isOpen()).isFalse();
        }
    }

    @EachProvider
    void aSecondReadOrWriteWhileOneIsPendingThrows(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel[] p = f.pair(f.listening());
            Future<Integer> read = p[0].read(ByteBuffer.allocate(8));
            assertThatThrownBy(() -> p[0].read(ByteBuffer.allocate(8))).isInstanceOf(ReadPendingException.class);
            fillUntilAWriteIsPending(p[0]);
            // The pending read ends with what the peer sent.
            p[1].write(ascii("y"));
            assertThat(read.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    /**
     * Writes to a peer that never reads until a write stays pending, which a second write then
     * shows by throwing {@link WritePendingException}; returns that pending write.
     */
    static Future<Integer> fillUntilAWriteIsPending(AsynchronousSocketChannel ch) {
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        Future<Integer> last = ch.write(chunk.duplicate());
        while (true) {
            try {
                last = ch.write(chunk.duplicate());  // accepted: the one before had ended
            } catch (WritePendingException pending) {
                return last;
            }
        }
    }

    @EachProvider
    void aReadTimeoutFailsWithInterruptedByTimeoutAndForbidsFurtherReads(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel[] p = f.pair(f.listening());
            CompletableFuture<Integer> read = new CompletableFuture<>();
            p[0].read(ByteBuffer.allocate(8), 20, TimeUnit.MILLISECONDS, null, handler(read));
            assertThatThrownBy(() -> read.get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .cause().isInstanceOf(InterruptedByTimeoutException.class);
            assertThatThrownBy(() -> p[0].read(ByteBuffer.allocate(8))).isInstanceOf(IllegalStateException.class);
            // Writing is not affected.
            Nio2Fixture.writeFully(p[0], ascii("ok"));
            ByteBuffer dst = ByteBuffer.allocate(2);
            Nio2Fixture.readFully(p[1], dst);
        }
    }

    @EachProvider
    void aScatterReadTimesOutToo(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel[] p = f.pair(f.listening());
            CompletableFuture<Long> read = new CompletableFuture<>();
            ByteBuffer[] dsts = {ByteBuffer.allocate(4), ByteBuffer.allocate(4)};
            p[0].read(dsts, 0, 2, 20, TimeUnit.MILLISECONDS, null, handler(read));
            assertThatThrownBy(() -> read.get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .cause().isInstanceOf(InterruptedByTimeoutException.class);
            assertThatThrownBy(() -> p[0].read(dsts, 0, 2, 0, TimeUnit.SECONDS, null, handler(new CompletableFuture<Long>())))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @EachProvider
    void aWriteTimeoutFailsWithInterruptedByTimeoutAndForbidsFurtherWrites(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel[] q = f.pair(f.listening());
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            CompletableFuture<Integer> timedOut;
            while (true) {
                CompletableFuture<Integer> w = new CompletableFuture<>();
                q[0].write(chunk.duplicate(), 50, TimeUnit.MILLISECONDS, null, handler(w));
                try {
                    w.get(WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(InterruptedByTimeoutException.class);
                    timedOut = w;
                    break;
                }
            }
            assertThat(timedOut).isCompletedExceptionally();
            assertThatThrownBy(() -> q[0].write(ascii("x"))).isInstanceOf(IllegalStateException.class);
            // Reading is not affected.
            Nio2Fixture.writeFully(q[1], ascii("ok"));
            Nio2Fixture.readFully(q[0], ByteBuffer.allocate(2));
        }
    }

    @EachProvider
    void cancellingAWriteFutureForbidsFurtherWrites(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel[] p = f.pair(f.listening());
            // The write found pending may still end before the cancel reaches it: then fill on.
            Future<Integer> pending;
            do {
                pending = fillUntilAWriteIsPending(p[0]);
            } while (!pending.cancel(false));
            assertThat(pending.isCancelled()).isTrue();
            assertThatThrownBy(() -> p[0].write(ascii("x"))).isInstanceOf(IllegalStateException.class);
            assertThat(p[0].isOpen()).isTrue();
        }
    }

    private static <V> CompletionHandler<V, Object> handler(CompletableFuture<V> into) {
        return new CompletionHandler<>() {
            @Override
            public void completed(V result, Object a) {
                into.complete(result);
            }

            @Override
            public void failed(Throwable exc, Object a) {
                into.completeExceptionally(exc);
            }
        };
    }

    @EachProvider
    void cancellingAReadFutureForbidsFurtherReads(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel[] p = f.pair(f.listening());
            Future<Integer> read = p[0].read(ByteBuffer.allocate(8));
            assertThat(read.cancel(false)).isTrue();
            assertThat(read.isCancelled()).isTrue();
            assertThatThrownBy(read::get).isInstanceOf(CancellationException.class);
            assertThatThrownBy(() -> p[0].read(ByteBuffer.allocate(8))).isInstanceOf(IllegalStateException.class);
            assertThat(p[0].isOpen()).isTrue();
        }
    }

    @EachProvider
    void cancellingWithInterruptClosesTheChannel(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel[] p = f.pair(f.listening());
            Future<Integer> read = p[0].read(ByteBuffer.allocate(8));
            assertThat(read.cancel(true)).isTrue();
            assertThat(p[0].isOpen()).isFalse();
        }
    }

    @EachProvider
    void closeFailsPendingOperationsWithAsynchronousCloseOnceEach(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousServerSocketChannel server = f.listening();
            AsynchronousSocketChannel[] p = f.pair(server);
            AtomicInteger calls = new AtomicInteger();
            CompletableFuture<Integer> read = new CompletableFuture<>();
            p[0].read(ByteBuffer.allocate(8), 0, TimeUnit.SECONDS, null, counting(read, calls));
            Future<Integer> write = fillUntilAWriteIsPending(p[0]);
            CompletableFuture<AsynchronousSocketChannel> accept = new CompletableFuture<>();
            server.accept(null, counting(accept, calls));
            p[0].close();
            server.close();
            assertThatThrownBy(() -> read.get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(AsynchronousCloseException.class);
            // The write was pending when probed, but its bytes may have reached the kernel before the close.
            try {
                assertThat(write.get(WAIT_SECONDS, TimeUnit.SECONDS)).isPositive();
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(AsynchronousCloseException.class);
            }
            assertThatThrownBy(() -> accept.get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(AsynchronousCloseException.class);
            // Operations on the closed channels: ClosedChannelException, as their outcome.
            assertThatThrownBy(() -> p[0].read(ByteBuffer.allocate(1)).get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .cause().isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> p[0].write(ascii("x")).get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .cause().isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> server.accept().get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .cause().isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(p[0]::getRemoteAddress).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> p[0].getOption(StandardSocketOptions.TCP_NODELAY))
                    .isInstanceOf(ClosedChannelException.class);
            p[0].close();  // a second close does nothing
            assertThat(calls).hasValue(2);
        }
    }

    private static <V> CompletionHandler<V, Object> counting(CompletableFuture<V> into, AtomicInteger calls) {
        return new CompletionHandler<>() {
            @Override
            public void completed(V result, Object a) {
                calls.incrementAndGet();
                into.complete(result);
            }

            @Override
            public void failed(Throwable exc, Object a) {
                calls.incrementAndGet();
                into.completeExceptionally(exc);
            }
        };
    }

    @EachProvider
    void shutdownInputMakesReadsAnswerEndOfStreamAndShutdownOutputEndsThePeersStream(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel[] p = f.pair(f.listening());
            p[0].shutdownInput();
            assertThat(p[0].read(ByteBuffer.allocate(4)).get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(-1);
            Nio2Fixture.writeFully(p[0], ascii("last"));
            p[0].shutdownOutput();
            assertThatThrownBy(() -> p[0].write(ascii("x")).get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .cause().isInstanceOf(ClosedChannelException.class);
            ByteBuffer dst = ByteBuffer.allocate(4);
            Nio2Fixture.readFully(p[1], dst);
            assertThat(dst.flip()).isEqualTo(ascii("last"));
            assertThat(p[1].read(ByteBuffer.allocate(4)).get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(-1);
            // Nothing to read into, or nothing to write: 0 at once.
            assertThat(p[1].read(ByteBuffer.allocate(0)).get(WAIT_SECONDS, TimeUnit.SECONDS)).isZero();
            assertThat(p[1].write(ByteBuffer.allocate(0)).get(WAIT_SECONDS, TimeUnit.SECONDS)).isZero();
        }
    }

    @EachProvider
    void optionsHaveTheJdksDefaultsAndCheckTheirArguments(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel ch = f.socket();
            assertThat(ch.supportedOptions()).contains(StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
                    StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR,
                    StandardSocketOptions.TCP_NODELAY);
            assertThat(ch.getOption(StandardSocketOptions.TCP_NODELAY)).isFalse();
            assertThat(ch.getOption(StandardSocketOptions.SO_KEEPALIVE)).isFalse();
            assertThat(ch.getOption(StandardSocketOptions.SO_REUSEADDR)).isFalse();
            assertThat(ch.getOption(StandardSocketOptions.SO_SNDBUF)).isPositive();
            assertThat(ch.getOption(StandardSocketOptions.SO_RCVBUF)).isPositive();
            assertThatThrownBy(() -> ch.getOption(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> ch.getOption(StandardSocketOptions.IP_MULTICAST_IF))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> ch.setOption(StandardSocketOptions.SO_SNDBUF, -1))
                    .isInstanceOf(IllegalArgumentException.class);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true).setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, 65536).setOption(StandardSocketOptions.SO_RCVBUF, 65536);
            assertThat(ch.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
            assertThat(ch.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
            // Linux reports twice the size asked for; both providers say what the kernel says.
            assertThat(ch.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(expectedBufferSize(65536, true));
            assertThat(ch.getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(expectedBufferSize(65536, false));

            AsynchronousServerSocketChannel server = f.server();
            assertThat(server.supportedOptions()).contains(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR);
            assertThat(server.getOption(StandardSocketOptions.SO_REUSEADDR)).isTrue();
            assertThatThrownBy(() -> server.getOption(StandardSocketOptions.TCP_NODELAY))
                    .isInstanceOf(UnsupportedOperationException.class);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ch.connect(server.getLocalAddress()).get(WAIT_SECONDS, TimeUnit.SECONDS);
            f.track(server.accept().get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertThat(ch.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
        }
    }

    @EachProvider
    void optionsChangeOnConnectedAndAcceptedChannelsAndReadBackFromTheKernel(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel[] p = f.pair(f.listening());
            for (AsynchronousSocketChannel ch : p) {
                assertThat(ch.getOption(StandardSocketOptions.TCP_NODELAY)).isFalse();
                assertThat(ch.setOption(StandardSocketOptions.TCP_NODELAY, true)).isSameAs(ch);
                assertThat(ch.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, false);
                assertThat(ch.getOption(StandardSocketOptions.TCP_NODELAY)).isFalse();
                assertThat(ch.getOption(StandardSocketOptions.SO_KEEPALIVE)).isFalse();
                ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                assertThat(ch.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 65536).setOption(StandardSocketOptions.SO_SNDBUF, 32768);
                assertThat(ch.getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(expectedBufferSize(65536, false));
                assertThat(ch.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(expectedBufferSize(32768, true));
                assertThatThrownBy(() -> ch.setOption(StandardSocketOptions.SO_RCVBUF, -1))
                        .isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> ch.setOption(StandardSocketOptions.IP_TOS, 0))
                        .isInstanceOf(UnsupportedOperationException.class);
            }
            // The connection still carries bytes both ways.
            Nio2Fixture.writeFully(p[0], ascii("ping"));
            ByteBuffer got = ByteBuffer.allocate(4);
            Nio2Fixture.readFully(p[1], got);
            assertThat(got.flip()).isEqualTo(ascii("ping"));

            p[1].close();
            assertThatThrownBy(() -> p[1].setOption(StandardSocketOptions.TCP_NODELAY, true))
                    .isInstanceOf(ClosedChannelException.class);
        }
    }

    @EachProvider
    void aBoundServerChannelsOptionsChangeLive(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousServerSocketChannel server = f.listening();
            assertThat(server.getOption(StandardSocketOptions.SO_REUSEADDR)).isTrue();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            assertThat(server.getOption(StandardSocketOptions.SO_REUSEADDR)).isFalse();
            server.setOption(StandardSocketOptions.SO_RCVBUF, 131072);
            assertThat(server.getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(expectedBufferSize(131072, false));
            // A connection accepted afterwards starts with the listener's receive buffer.
            AsynchronousSocketChannel[] p = f.pair(server);
            assertThat(p[1].getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(expectedBufferSize(131072, false));
            server.close();
            assertThatThrownBy(() -> server.setOption(StandardSocketOptions.SO_RCVBUF, 4096))
                    .isInstanceOf(ClosedChannelException.class);
        }
    }

    /**
     * The common use: an accept handler sets TCP_NODELAY on the channel it is given. On a group of
     * one thread the handler runs on the very thread that delivers outcomes, so the set must not
     * wait for that thread.
     */
    @EachProvider
    void anAcceptHandlerOnAOneThreadGroupSetsAndReadsOptions(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side, 1)) {
            AsynchronousServerSocketChannel server = f.listening();
            CompletableFuture<List<Object>> seen = new CompletableFuture<>();
            server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Object>() {
                @Override
                public void completed(AsynchronousSocketChannel ch, Object a) {
                    f.track(ch);
                    try {
                        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                        ch.shutdownOutput();
                        seen.complete(List.of(ch.getOption(StandardSocketOptions.TCP_NODELAY),
                                ch.getOption(StandardSocketOptions.SO_KEEPALIVE),
                                Thread.currentThread().getName()));
                    } catch (IOException | RuntimeException e) {
                        seen.completeExceptionally(e);
                    }
                }

                @Override
                public void failed(Throwable exc, Object a) {
                    seen.completeExceptionally(exc);
                }
            });
            AsynchronousSocketChannel client = f.socket();
            client.connect(server.getLocalAddress()).get(WAIT_SECONDS, TimeUnit.SECONDS);
            List<Object> got = seen.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(got.subList(0, 2)).containsExactly(true, true);
            assertThat((String) got.get(2)).startsWith(Nio2Fixture.THREAD_PREFIX);
            // The shutdown made in the handler reached the peer.
            assertThat(client.read(ByteBuffer.allocate(1)).get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(-1);
        }
    }

    /**
     * Options set right after {@code connect} returns hold once it completes. On loopback the
     * connect may already be done when they are set (then they are set on the live socket); when
     * it is not, the channel keeps them and sets them on the socket the connect brings.
     */
    @EachProvider
    void anOptionSetRightAfterConnectHoldsOnceConnected(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousServerSocketChannel server = f.listening();
            AsynchronousSocketChannel ch = f.socket();
            Future<Void> connecting = ch.connect(server.getLocalAddress());
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, 32768);
            connecting.get(WAIT_SECONDS, TimeUnit.SECONDS);
            f.track(server.accept().get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertThat(ch.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
            assertThat(ch.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(expectedBufferSize(32768, true));
        }
    }

    private static int expectedBufferSize(int request, boolean send) throws Exception {
        try (java.net.Socket s = new java.net.Socket()) {
            if (send) {
                s.setSendBufferSize(request);
                return s.getSendBufferSize();
            }
            s.setReceiveBufferSize(request);
            return s.getReceiveBufferSize();
        }
    }

    @EachProvider
    void bindBeforeConnectToTheWildcardAddressIsAccepted(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousServerSocketChannel server = f.listening();
            AsynchronousSocketChannel ch = f.socket();
            ch.bind(null);
            assertThatThrownBy(() -> ch.bind(null)).isInstanceOf(AlreadyBoundException.class);
            ch.connect(server.getLocalAddress()).get(WAIT_SECONDS, TimeUnit.SECONDS);
            f.track(server.accept().get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertThat(((InetSocketAddress) ch.getLocalAddress()).getPort()).isPositive();
        }
    }

    @EachProvider
    void theFamilyOfAnUnixAddressIsRefusedOnBind(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            assertThatThrownBy(() -> f.server().bind(UnixDomainSocketAddress.of("/tmp/x-" + StandardProtocolFamily.UNIX)))
                    .isInstanceOf(UnsupportedAddressTypeException.class);
            assertThatThrownBy(() -> f.server().bind(InetSocketAddress.createUnresolved("nowhere.invalid", 0)))
                    .isInstanceOf(UnresolvedAddressException.class);
        }
    }
}
