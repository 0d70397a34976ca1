package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;

/**
 * Options of live sockets on every backend: {@link AsyncSocket#setOption} on an accepted and a
 * connected socket and {@link AsyncServerSocket#setOption} on a listener change what the kernel
 * then reports through {@link AsyncSocket#option}, the socket still carries bytes afterwards, bad
 * arguments are refused at initiation, and a closed socket fails the call as closed, never with an
 * errno from a descriptor number reused meanwhile.
 */
class SocketLiveOptionsContractTest {

    @EachBackend
    void tcpNoDelayTogglesOnAnAcceptedSocket(ProactorFixture fixture) {
        try (Link link = Link.open(fixture.proactor())) {
            Sockets.Connection c = link.connection();
            AsyncSocket accepted = c.server();
            // The default options set TCP_NODELAY on the listener, whence the accepted socket has it.
            assertThat(Ops.result(accepted.option(StandardSocketOptions.TCP_NODELAY))).isTrue();

            setReadsBack(accepted, StandardSocketOptions.TCP_NODELAY, false);
            setReadsBack(accepted, StandardSocketOptions.TCP_NODELAY, true);
            // The client's own option is its own.
            setReadsBack(c.client(), StandardSocketOptions.TCP_NODELAY, false);
            assertThat(Ops.result(accepted.option(StandardSocketOptions.TCP_NODELAY))).isTrue();

            assertStillCarriesBytes(c);
        }
    }

    @EachBackend
    void keepAliveAndBufferSizesChangeOnAConnectedSocket(ProactorFixture fixture) {
        try (Link link = Link.open(fixture.proactor())) {
            Sockets.Connection c = link.connection();
            AsyncSocket client = c.client();
            assertThat(Ops.result(client.option(StandardSocketOptions.SO_KEEPALIVE))).isFalse();
            setReadsBack(client, StandardSocketOptions.SO_KEEPALIVE, true);

            for (SocketOption<Integer> size : java.util.List.of(StandardSocketOptions.SO_RCVBUF,
                    StandardSocketOptions.SO_SNDBUF)) {
                // Both sizes lie within Linux's limits (a minimum of a few KiB, net.core.[rw]mem_max
                // 208 KiB by default), so each reads back as asked on every backend, as the JDK's.
                setReadsBack(client, size, 128 * 1024);
                setReadsBack(client, size, 8 * 1024);
            }

            assertStillCarriesBytes(c);
        }
    }

    @EachBackend
    void aListenersReceiveBufferChangesAndLaterAcceptedSocketsStartWithIt(ProactorFixture fixture) {
        Proactor p = fixture.proactor();
        AsyncServerSocket server = Sockets.listen(p);
        int set = Ops.result(server.setOption(StandardSocketOptions.SO_RCVBUF, 96 * 1024));
        assertThat(set).isEqualTo(96 * 1024);
        assertThat(Ops.result(server.option(StandardSocketOptions.SO_RCVBUF))).isEqualTo(set);
        assertThat(Ops.result(server.setOption(StandardSocketOptions.SO_REUSEADDR, false))).isFalse();
        assertThat(Ops.result(server.option(StandardSocketOptions.SO_REUSEADDR))).isFalse();

        Sockets.Connection c = Sockets.connect(server, p);
        assertThat(Ops.result(c.server().option(StandardSocketOptions.SO_RCVBUF))).isEqualTo(set);
        c.close();
        Ops.result(server.closeAsync());
    }

    @EachBackend
    void badArgumentsAreRefusedAtInitiation(ProactorFixture fixture) {
        try (Link link = Link.open(fixture.proactor())) {
            AsyncServerSocket server = link.server();
            Sockets.Connection c = link.connection();
            AsyncSocket s = c.client();
            assertThatThrownBy(() -> s.setOption(StandardSocketOptions.SO_RCVBUF, -1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
            assertThatThrownBy(() -> s.setOption(StandardSocketOptions.TCP_NODELAY, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
            assertThatThrownBy(() -> s.setOption(StandardSocketOptions.SO_LINGER, 5))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("SO_LINGER");
            assertThatThrownBy(() -> s.option(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> server.setOption(StandardSocketOptions.TCP_NODELAY, true))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("TCP_NODELAY");
            assertThatThrownBy(() -> s.setOption(rawOption(), "yes"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Boolean");
            // Nothing was changed by the refusals.
            assertThat(Ops.result(s.option(StandardSocketOptions.TCP_NODELAY))).isTrue();
        }
    }

    /** TCP_NODELAY typed as taking any object: what a caller with raw types can pass. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static SocketOption<Object> rawOption() {
        return (SocketOption) StandardSocketOptions.TCP_NODELAY;
    }

    @EachBackend
    void aUnixDomainSocketTakesBufferSizesButNoTcpOptions(ProactorFixture fixture) {
        Proactor p = fixture.proactor();
        AsyncServerSocket server = Ops.result(p.listen(UnixDomainSocketAddress.of(fixture.tempDir().resolve("o.sock")),
                SocketOptions.defaults()));
        Operation<AsyncSocket> accept = server.accept();
        AsyncSocket client = Ops.result(p.connect(server.localAddress(), SocketOptions.defaults()));
        AsyncSocket accepted = Ops.result(accept);
        int size = Ops.result(accepted.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024));
        assertThat(size).isEqualTo(64 * 1024);
        assertThat(Ops.result(accepted.option(StandardSocketOptions.SO_SNDBUF))).isEqualTo(size);
        assertThatThrownBy(() -> accepted.setOption(StandardSocketOptions.TCP_NODELAY, true))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> server.option(StandardSocketOptions.SO_REUSEADDR))
                .isInstanceOf(UnsupportedOperationException.class);
        Ops.result(client.closeAsync());
        Ops.result(accepted.closeAsync());
        Ops.result(server.closeAsync());
    }

    @EachBackend
    void aClosedSocketOrListenerFailsTheCallAsClosed(ProactorFixture fixture) {
        Link link = Link.open(fixture.proactor());
        link.close();
        for (Operation<?> op : java.util.List.of(
                link.connection().server().setOption(StandardSocketOptions.TCP_NODELAY, false),
                link.connection().client().option(StandardSocketOptions.SO_RCVBUF),
                link.server().setOption(StandardSocketOptions.SO_RCVBUF, 4096))) {
            assertThat(Ops.failure(op)).isInstanceOf(ProactorClosedException.class)
                    .hasMessageContaining("socket closed");
            assertThat(op.kind()).isEqualTo(OperationKind.SOCKET_OPTION);
        }
    }

    /**
     * A close initiated right behind a set either lets the set complete first or ends it as
     * closed or cancelled; the set never reaches the descriptor after its close (which would
     * answer EBADF, or worse, change a socket that reused the number).
     */
    @EachBackend
    void aSetRacingTheSocketsCloseNeverFailsWithAnErrno(ProactorFixture fixture) {
        Proactor p = fixture.proactor();
        AsyncServerSocket server = Sockets.listen(p);
        for (int i = 0; i < 50; i++) {
            Sockets.Connection c = Sockets.connect(server, p);
            Operation<Boolean> set = c.server().setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            Operation<Void> close = c.server().closeAsync();
            Ops.result(close);
            Ops.result(c.client().closeAsync());
            if (set.state() != OperationState.COMPLETED) {
                assertThat(Ops.failure(set)).isInstanceOfAny(ProactorClosedException.class,
                        OperationCancelledException.class);
            } else {
                assertThat(set.resultNow()).isTrue();
            }
        }
        Ops.result(server.closeAsync());
    }

    /** A listener and one connection to it, on one proactor; closing closes all three sockets. */
    private record Link(AsyncServerSocket server, Sockets.Connection connection) implements AutoCloseable {
        static Link open(Proactor p) {
            AsyncServerSocket server = Sockets.listen(p);
            return new Link(server, Sockets.connect(server, p));
        }

        @Override
        public void close() {
            connection.close();
            Ops.result(server.closeAsync());
        }
    }

    /** Sets {@code name} to {@code value}: the set answers it, and a read afterwards does too. */
    private static <T> void setReadsBack(AsyncSocket s, SocketOption<T> name, T value) {
        assertThat(Ops.result(s.setOption(name, value))).as("set " + name).isEqualTo(value);
        assertThat(Ops.result(s.option(name))).as("read " + name).isEqualTo(value);
    }

    private static void assertStillCarriesBytes(Sockets.Connection c) {
        assertThat(Ops.result(c.client().writeAll(ByteBuffer.wrap(new byte[] {1, 2, 3})))).isEqualTo(3);
        ByteBuffer got = ByteBuffer.allocate(3);
        assertThat(Ops.result(c.server().readFully(got))).isEqualTo(3);
        assertThat(got.array()).containsExactly(1, 2, 3);
    }
}
