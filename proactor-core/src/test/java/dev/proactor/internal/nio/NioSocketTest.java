package dev.proactor.internal.nio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.BackendChoice;
import dev.proactor.OperationKind;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the portable backend alone promises about its sockets: the capability text saying each kind
 * is selector-driven. The socket behaviour the backends share (round trips, refused and timed-out
 * connects, cancels, deadlines, resets, closes, the order of pending reads and accepts,
 * descriptors) lives in the contract tests in
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
}
