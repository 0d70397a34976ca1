package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.BackendPair;
import dev.proactor.test.EachBackendPair;
import dev.proactor.test.Ops;
import dev.proactor.test.Reports;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.TestReporter;

/**
 * Descriptor reuse after close with a read pending (reliability target R5): the old read has ended
 * CANCELLED before the new socket exists, and the new socket, which the kernel gives the freed
 * descriptor number whenever nothing took it first, receives only its own data; the old read's
 * buffer stays untouched and its handler runs once. Whether the number was reused is judged from
 * {@code /proc/self/fd}: the freed kernel descriptors against those the new socket added, and it
 * must occur in some round, or the test did not test reuse. (The portable backend's channels could
 * in principle hold the number a little longer, since the JDK closes a registered channel's
 * descriptor when its selector deregisters it; in practice its close completes after that too.)
 */
class SocketFdReuseContractTest {

    private static final int ROUNDS = 50;

    /** The connected (client) side: close it with a read pending, then connect again. */
    @EachBackendPair
    void connectedSocketReusingAClosedOnesDescriptorGetsOnlyItsOwnData(BackendPair pair, TestReporter report) {
        AsyncServerSocket listener = Sockets.listen(pair.server());
        int reused = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Sockets.Connection old = Sockets.connect(listener, pair.client());
            Old pending = Old.pendOn(old.client());
            Set<Integer> freed = pending.closeAndCheck();
            // The client's socket(2) comes first, so it takes the lowest free number.
            Operation<AsyncSocket> connect = pair.client().connect(listener.localAddress());
            AsyncSocket fresh = Ops.result(connect);
            Set<Integer> added = added(pending.fdsAfterClose);
            AsyncSocket freshPeer = Ops.result(listener.accept());
            reused += intersects(freed, added) ? 1 : 0;
            exchange(old.server(), freshPeer, fresh, round);
            pending.checkUntouched();
            Ops.result(fresh.closeAsync());
            Ops.result(freshPeer.closeAsync());
            Ops.result(old.server().closeAsync());
        }
        Ops.result(listener.closeAsync());
        finish(report, pair + ", connected side (" + shortName(pair.clientBackend()) + ")", reused,
                pair.clientBackend());
    }

    /** The accepted (server) side: close it with a read pending, then accept again. */
    @EachBackendPair
    void acceptedSocketReusingAClosedOnesDescriptorGetsOnlyItsOwnData(BackendPair pair, TestReporter report) {
        AsyncServerSocket listener = Sockets.listen(pair.server());
        int reused = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Sockets.Connection old = Sockets.connect(listener, pair.client());
            // The new connection's client socket exists before the close, so the accept takes the freed number.
            AsyncSocket fresh = Ops.result(pair.client().connect(listener.localAddress()));
            Old pending = Old.pendOn(old.server());
            Set<Integer> freed = pending.closeAndCheck();
            AsyncSocket freshAccepted = Ops.result(listener.accept());
            Set<Integer> added = added(pending.fdsAfterClose);
            reused += intersects(freed, added) ? 1 : 0;
            exchange(old.client(), fresh, freshAccepted, round);
            pending.checkUntouched();
            Ops.result(fresh.closeAsync());
            Ops.result(freshAccepted.closeAsync());
            Ops.result(old.client().closeAsync());
        }
        Ops.result(listener.closeAsync());
        finish(report, pair + ", accepted side (" + shortName(pair.serverBackend()) + ")", reused,
                pair.serverBackend());
    }

    private static String shortName(BackendChoice b) {
        return dev.proactor.test.EachBackendExtension.shortName(b);
    }

    private static void finish(TestReporter report, String what, int reused, BackendChoice backend) {
        Reports.publish(report, "fd-reuse", what + ": the new socket took the closed one's descriptor in " + reused
                + " of " + ROUNDS + " rounds");
        assertThat(reused).as("rounds in which the kernel gave the new socket the freed descriptor (%s)",
                shortName(backend)).isPositive();
    }

    /**
     * The old peer writes into its closed connection (the kernel answers with a reset), and the new
     * connection's peer writes its own message: the new socket reads exactly that message and then
     * end of stream, nothing of the old connection's.
     */
    private static void exchange(AsyncSocket oldPeer, AsyncSocket freshPeer, AsyncSocket fresh, int round) {
        byte[] stale = ("STALE data for the closed socket, round " + round).getBytes(StandardCharsets.US_ASCII);
        Operation<Long> staleWrite = oldPeer.writeAll(ByteBuffer.wrap(stale));
        byte[] mine = ("fresh data for the new socket, round " + round).getBytes(StandardCharsets.US_ASCII);
        Ops.result(freshPeer.writeAll(ByteBuffer.wrap(mine)));
        Ops.result(freshPeer.shutdownOutput());
        ByteBuffer got = ByteBuffer.allocate(mine.length);
        assertThat(Ops.result(fresh.readFully(got))).isEqualTo(mine.length);
        assertThat(new String(got.array(), StandardCharsets.US_ASCII)).isEqualTo(new String(mine, StandardCharsets.US_ASCII));
        assertThat(Ops.result(fresh.read(ByteBuffer.allocate(256)))).as("after its own data, end of stream").isEqualTo(-1);
        Waits.until(Duration.ofSeconds(5), staleWrite::isDone, () -> "write into the closed connection did not end");
    }

    private static Set<Integer> added(Set<Integer> before) {
        Set<Integer> now = new TreeSet<>(Sockets.socketFds());
        now.removeAll(before);
        return now;
    }

    private static boolean intersects(Set<Integer> a, Set<Integer> b) {
        return a.stream().anyMatch(b::contains);
    }

    /** The socket to close with its read pending, and what the read must look like afterwards. */
    private static final class Old {
        final AsyncSocket socket;
        final ByteBuffer buffer = ByteBuffer.allocate(256);
        final Operation<Integer> read;
        final AtomicInteger handlerCalls = new AtomicInteger();
        Set<Integer> fdsAfterClose;

        private Old(AsyncSocket socket) {
            this.socket = socket;
            this.read = socket.read(buffer);
            read.onComplete((n, failure) -> handlerCalls.incrementAndGet());
        }

        static Old pendOn(AsyncSocket socket) {
            Old old = new Old(socket);
            Waits.until(Duration.ofSeconds(5), () -> old.read.state() == OperationState.SUBMITTED,
                    () -> "read not handed to the backend: " + old.read.state());
            return old;
        }

        /** Closes the socket; the read must have ended CANCELLED by then. Returns the freed descriptors. */
        Set<Integer> closeAndCheck() {
            Set<Integer> before = Sockets.socketFds();
            Ops.result(socket.closeAsync());
            assertThat(read.state()).as("pending read once its socket's close completed").isEqualTo(OperationState.CANCELLED);
            assertThat(read.failureNow()).isInstanceOf(OperationCancelledException.class);
            fdsAfterClose = Sockets.socketFds();
            Set<Integer> freed = new TreeSet<>(before);
            freed.removeAll(fdsAfterClose);
            return freed;
        }

        void checkUntouched() {
            assertThat(buffer.position()).as("cancelled read's buffer position").isZero();
            for (int i = 0; i < buffer.capacity(); i++) {
                assertThat(buffer.get(i)).as("cancelled read's buffer byte %d", i).isZero();
            }
            Waits.until(Duration.ofSeconds(5), () -> handlerCalls.get() >= 1, () -> "cancelled read's handler not run");
            assertThat(handlerCalls.get()).as("cancelled read's handler calls").isEqualTo(1);
            assertThat(read.state()).isEqualTo(OperationState.CANCELLED);
        }
    }
}
