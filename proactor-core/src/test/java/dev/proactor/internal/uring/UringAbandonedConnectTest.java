package dev.proactor.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.AsyncSocket;
import dev.proactor.BackendChoice;
import dev.proactor.CloseReport;
import dev.proactor.Operation;
import dev.proactor.OperationKind;
import dev.proactor.OperationState;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.internal.core.CoreProactor;
import dev.proactor.internal.select.Backends;
import dev.proactor.internal.spi.Submission;
import dev.proactor.test.ForwardingBackend;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A connect the kernel still holds when the proactor gives up on it at close (abandoned) must not
 * leave the socket the backend made for it open. The kernel is kept from ending the connect by a
 * peer whose accept queue is full (its SYNs are dropped) and by a backend that never passes the
 * dispatcher's cancel on.
 */
class UringAbandonedConnectTest {

    @BeforeAll
    static void uring() {
        assumeTrue(UringSupport.isAvailable(), () -> UringSupport.unavailabilityCause().orElse(""));
    }

    @Test
    void anAbandonedConnectHasItsSocketClosed() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = Sockets.fillAcceptQueue(peer.getLocalSocketAddress(), 1);
            Set<Integer> before = Sockets.socketFds();
            Proactor p = CoreProactor.open(ProactorConfig.builder().name("abandon").backend(BackendChoice.IO_URING).build(),
                    cfg -> new ForwardingBackend(Backends.create(BackendChoice.IO_URING).create(cfg)) {
                        @Override
                        public boolean cancel(Submission s) {
                            return true;  // taken, never sent: the kernel keeps the connect
                        }
                    });
            Operation<AsyncSocket> connect = p.connect(peer.getLocalSocketAddress());
            Waits.until(Duration.ofSeconds(10), () -> connect.state() == OperationState.SUBMITTED,
                    () -> "connect not in the kernel: " + connect.state());
            assertThat(newFds(before)).as("the connect's socket while it is pending").hasSize(1);

            CloseReport report = p.close(Duration.ofMillis(50));

            assertThat(report.abandoned()).extracting(i -> i.kind()).containsExactly(OperationKind.CONNECT);
            assertThat(newFds(before)).as("sockets left open after close").isEmpty();
            Sockets.closeQuietly(fillers);
        }
    }

    private static Set<Integer> newFds(Set<Integer> before) {
        Set<Integer> now = new TreeSet<>(Sockets.socketFds());
        now.removeAll(before);
        return now;
    }
}
