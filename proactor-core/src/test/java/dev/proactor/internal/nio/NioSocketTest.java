package dev.proactor.internal.nio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.BackendChoice;
import dev.proactor.Operation;
import dev.proactor.OperationKind;
import dev.proactor.Proactor;
import dev.proactor.OperationState;
import dev.proactor.ProactorConfig;
import dev.proactor.test.Ops;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the portable backend alone promises about its sockets: the capability text saying each kind
 * is selector-driven, and pending accepts served in initiation order (the io_uring-fallback variant
 * does not keep that order, so it is no contract). The socket behaviour the backends share (round
 * trips, refused and timed-out connects, cancels, deadlines, resets, closes, the order of pending
 * reads, descriptors) lives in the contract tests in
 * {@code dev.proactor} ({@code SocketBasicsContractTest}, {@code SocketConnectContractTest},
 * {@code SocketStreamContractTest}, {@code SocketCloseContractTest}), which run on every backend.
 */
class NioSocketTest {

    @Test
    void reportsSocketsAsSelectorDriven() {
        try (Proactor p = Proactor.open(ProactorConfig.builder().backend(BackendChoice.PORTABLE).build())) {
            var ops = p.capabilities().operations();
            assertThat(ops.get(OperationKind.ACCEPT)).contains("acceptEach: an accept re-armed");
            assertThat(ops.get(OperationKind.RECV)).contains("receiveEach: a buffer of 256 x 16384");
            for (OperationKind k : List.of(OperationKind.LISTEN, OperationKind.ACCEPT, OperationKind.CONNECT,
                    OperationKind.RECV, OperationKind.SEND, OperationKind.SHUTDOWN)) {
                assertThat(ops.get(k)).as("%s", k).startsWith("portable (selector)");
            }
        }
    }

    @Test
    void pendingAcceptsAreServedInOrder() {
        try (Proactor p = Proactor.open(ProactorConfig.builder().backend(BackendChoice.PORTABLE).build())) {
            AsyncServerSocket server = Sockets.listen(p);
            Operation<AsyncSocket> a1 = server.accept();
            Operation<AsyncSocket> a2 = server.accept();
            Waits.until(Ops.WAIT, () -> a2.state() != OperationState.QUEUED, () -> a2 + " never submitted");
            AsyncSocket c1 = Ops.result(p.connect(server.localAddress()));
            AsyncSocket s1 = Ops.result(a1);
            assertThat(a2.isDone()).isFalse();
            AsyncSocket c2 = Ops.result(p.connect(server.localAddress()));
            AsyncSocket s2 = Ops.result(a2);
            assertThat(s1.remoteAddress()).isEqualTo(c1.localAddress());
            assertThat(s2.remoteAddress()).isEqualTo(c2.localAddress());
            for (AsyncSocket s : List.of(c1, s1, c2, s2)) {
                Ops.result(s.closeAsync());
            }
            Ops.result(server.closeAsync());
        }
    }
}
