package dev.proactor.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.BackendChoice;
import dev.proactor.OperationKind;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import org.junit.jupiter.api.Test;

/**
 * What the io_uring backend alone says about its socket operations: the capability text naming the
 * opcode each kind uses. The socket behaviour both backends share (round trips, refused and
 * timed-out connects, cancels, deadlines, resets, closes, descriptors) lives in the contract tests
 * in {@code dev.proactor} ({@code SocketBasicsContractTest}, {@code SocketConnectContractTest},
 * {@code SocketStreamContractTest}, {@code SocketCloseContractTest}), which run on every backend.
 */
class UringSocketTest {

    @Test
    void socketKindsAreSupportedAndDescribed() {
        assumeTrue(UringSupport.isAvailable(), () -> UringSupport.unavailabilityCause().orElse(""));
        try (Proactor p = Proactor.open(ProactorConfig.builder().backend(BackendChoice.IO_URING).build())) {
            assertThat(p.backendName()).isEqualTo("io_uring");
            var ops = p.capabilities().operations();
            assertThat(ops.get(OperationKind.LISTEN)).startsWith("socket(2)+setsockopt+bind+listen on the dispatcher");
            assertThat(ops.get(OperationKind.CONNECT)).contains("io_uring CONNECT");
            assertThat(ops.get(OperationKind.ACCEPT)).contains("io_uring ACCEPT");
            assertThat(ops.get(OperationKind.RECV)).contains("io_uring RECV");
            assertThat(ops.get(OperationKind.SEND)).contains("io_uring SEND");
            assertThat(ops.get(OperationKind.SHUTDOWN)).contains("io_uring SHUTDOWN");
        }
    }
}
