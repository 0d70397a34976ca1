package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.BackendPair;
import dev.proactor.test.EachBackendPair;
import dev.proactor.test.Ops;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.TestReporter;

/**
 * Closing with socket operations pending (reliability target R5): {@value #PENDING} pending reads
 * (on idle connections), writes (to peers that never read, so the send buffers are full), accepts
 * (nobody connects) and connects (to a listener whose accept queue is full, so the SYNs are
 * dropped). Closing their resources, or separately closing the proactors, ends every one within
 * {@link #BOUND} with a terminal outcome and its handler run exactly once; the resource variants
 * also see every socket descriptor gone before the proactors close, and the fixtures check for
 * leaks afterwards. A pending connect has no resource yet: its resource variant cancels it.
 */
class SocketCloseContractTest {

    private static final int PENDING = 1000;
    private static final Duration BOUND = Duration.ofSeconds(2);
    /** Small buffers, so that a write to a peer that does not read stops after a few KiB. */
    private static final SocketOptions SMALL_BUFFERS = SocketOptions.defaults().withBufferSizes(4096, 4096);

    enum Pending { READ, WRITE, ACCEPT, CONNECT }

    @EachBackendPair
    void closingSocketsEndsPendingReads(BackendPair pair, TestReporter report) throws Exception {
        run(pair, Pending.READ, false, report);
    }

    @EachBackendPair
    void closingProactorsEndsPendingReads(BackendPair pair, TestReporter report) throws Exception {
        run(pair, Pending.READ, true, report);
    }

    @EachBackendPair
    void closingSocketsEndsPendingWrites(BackendPair pair, TestReporter report) throws Exception {
        run(pair, Pending.WRITE, false, report);
    }

    @EachBackendPair
    void closingProactorsEndsPendingWrites(BackendPair pair, TestReporter report) throws Exception {
        run(pair, Pending.WRITE, true, report);
    }

    @EachBackendPair
    void closingListenerEndsPendingAccepts(BackendPair pair, TestReporter report) throws Exception {
        run(pair, Pending.ACCEPT, false, report);
    }

    @EachBackendPair
    void closingProactorsEndsPendingAccepts(BackendPair pair, TestReporter report) throws Exception {
        run(pair, Pending.ACCEPT, true, report);
    }

    @EachBackendPair
    void cancellingEndsPendingConnects(BackendPair pair, TestReporter report) throws Exception {
        run(pair, Pending.CONNECT, false, report);
    }

    @EachBackendPair
    void closingProactorsEndsPendingConnects(BackendPair pair, TestReporter report) throws Exception {
        run(pair, Pending.CONNECT, true, report);
    }

    /**
     * The pending operations of one scenario, how to end them without closing the proactors, and
     * what to release once they ended: the listener (unless the proactors were closed) and
     * anything not the proactors'.
     */
    private record Scenario(List<Operation<?>> ops, Runnable closeResources,
            java.util.function.Consumer<Boolean> afterEnd) {}

    private static void run(BackendPair pair, Pending what, boolean closeProactors, TestReporter report)
            throws Exception {
        Proactor server = pair.server();
        Proactor client = pair.client();
        Set<Integer> socketFdsBefore = Sockets.socketFds();
        long setUpStart = System.nanoTime();
        Scenario s = switch (what) {
            case READ -> reads(server, client);
            case WRITE -> writes(server, client);
            case ACCEPT -> accepts(server);
            case CONNECT -> connects(server, client);
        };
        List<Operation<?>> ops = s.ops();
        assertThat(ops).hasSize(PENDING);
        int n = ops.size();
        AtomicIntegerArray calls = new AtomicIntegerArray(n);
        AtomicLongArray endedAt = new AtomicLongArray(n);
        for (int i = 0; i < n; i++) {
            int k = i;
            ops.get(i).onComplete((v, failure) -> {
                calls.incrementAndGet(k);
                endedAt.compareAndSet(k, 0, System.nanoTime());
            });
        }
        Waits.until(Duration.ofSeconds(10), () -> ops.stream().allMatch(op -> op.state() == OperationState.SUBMITTED),
                () -> "not all handed to the backend: " + states(ops));
        long setUp = System.nanoTime() - setUpStart;

        long closeStart = System.nanoTime();
        if (closeProactors) {
            CloseReport serverReport = server.close(Duration.ofMillis(100));
            CloseReport clientReport = client.close(Duration.ofMillis(100));
            assertThat(serverReport.clean()).as("server close report %s", serverReport).isTrue();
            assertThat(clientReport.clean()).as("client close report %s", clientReport).isTrue();
        } else {
            s.closeResources().run();
        }
        Waits.until(BOUND.plusSeconds(1), () -> countEnded(endedAt) == n,
                () -> (n - countEnded(endedAt)) + " of " + n + " not ended; states " + states(ops));
        long slowest = 0;
        for (int i = 0; i < n; i++) {
            Operation<?> op = ops.get(i);
            slowest = Math.max(slowest, endedAt.get(i) - closeStart);
            assertThat(op.state()).as("op %d (%s)", op.id(), op.kind()).isIn(OperationState.CANCELLED, OperationState.FAILED);
            ProactorException failure = op.failureNow();
            if (closeProactors) {
                assertThat(failure).as("op %d (%s)", op.id(), op.kind())
                        .isInstanceOfAny(OperationCancelledException.class, ProactorClosedException.class);
            } else {
                assertThat(failure).as("op %d (%s)", op.id(), op.kind()).isInstanceOf(OperationCancelledException.class);
                assertThat(op.state()).isEqualTo(OperationState.CANCELLED);
            }
        }
        assertThat(Duration.ofNanos(slowest)).as("slowest op ended after the close began").isLessThan(BOUND);
        s.afterEnd().accept(closeProactors);
        if (!closeProactors) {
            // The resources' closes must have released the descriptors, not the proactors' later close.
            Waits.until(BOUND, () -> socketFdsBefore.containsAll(Sockets.socketFds()),
                    () -> "socket fds still open after closing the resources: " + newFds(socketFdsBefore));
        }
        for (int i = 0; i < n; i++) {
            assertThat(calls.get(i)).as("handler calls of op %d", ops.get(i).id()).isEqualTo(1);
        }
        report.publishEntry("close", pair + ": " + n + " pending " + what + " set up in "
                + TimeUnit.NANOSECONDS.toMillis(setUp) + " ms, ended by " + (closeProactors ? "proactor close" : "resource close")
                + " within " + TimeUnit.NANOSECONDS.toMillis(slowest) + " ms");
    }

    /** Half the reads on the accepted sockets, half on the connected ones; nobody writes. */
    private static Scenario reads(Proactor server, Proactor client) {
        AsyncServerSocket listener = Sockets.listen(server);
        List<Sockets.Connection> conns = Sockets.connectMany(listener, client, SocketOptions.defaults(), PENDING / 2, 64);
        List<Operation<?>> ops = new ArrayList<>();
        for (Sockets.Connection c : conns) {
            ops.add(c.server().read(ByteBuffer.allocate(256)));
            ops.add(c.client().read(ByteBuffer.allocateDirect(256)));
        }
        return new Scenario(ops, () -> Sockets.closeAll(conns), proactorsClosed -> closeUnlessClosed(listener, proactorsClosed));
    }

    /** Both ends write 1 MiB (all from one shared segment) and neither reads: the writes stall. */
    private static Scenario writes(Proactor server, Proactor client) {
        AsyncServerSocket listener = Sockets.listen(server, SMALL_BUFFERS);
        List<Sockets.Connection> conns = Sockets.connectMany(listener, client, SMALL_BUFFERS, PENDING / 2, 64);
        Arena arena = Arena.ofShared();
        MemorySegment data = arena.allocate(1 << 20);
        data.fill((byte) 0x5a);
        List<Operation<?>> ops = new ArrayList<>();
        for (Sockets.Connection c : conns) {
            ops.add(c.server().writeAll(data));
            ops.add(c.client().writeAll(data));
        }
        // The arena outlives every write: cleanUp runs after all of them ended.
        return new Scenario(ops, () -> Sockets.closeAll(conns), proactorsClosed -> {
            closeUnlessClosed(listener, proactorsClosed);
            arena.close();
        });
    }

    private static Scenario accepts(Proactor server) {
        AsyncServerSocket listener = Sockets.listen(server);
        List<Operation<?>> ops = new ArrayList<>();
        for (int i = 0; i < PENDING; i++) {
            ops.add(listener.accept());
        }
        return new Scenario(ops, () -> Ops.result(listener.close()), proactorsClosed -> { });
    }

    /** Connects into a full accept queue: each stays in SYN_SENT, retransmitting, until ended. */
    private static Scenario connects(Proactor server, Proactor client) {
        AsyncServerSocket listener = Sockets.listen(server, SocketOptions.defaults().withBacklog(1));
        List<Socket> fillers = Sockets.fillAcceptQueue(listener.localAddress(), 1);
        List<Operation<?>> ops = new ArrayList<>();
        for (int i = 0; i < PENDING; i++) {
            ops.add(client.connect(listener.localAddress()));
        }
        return new Scenario(ops, () -> ops.forEach(Operation::cancel), proactorsClosed -> {
            Sockets.closeQuietly(fillers);
            closeUnlessClosed(listener, proactorsClosed);
        });
    }

    private static void closeUnlessClosed(AsyncServerSocket listener, boolean proactorClosed) {
        if (!proactorClosed) {
            Ops.result(listener.close());
        }
    }

    private static int countEnded(AtomicLongArray endedAt) {
        int ended = 0;
        for (int i = 0; i < endedAt.length(); i++) {
            if (endedAt.get(i) != 0) {
                ended++;
            }
        }
        return ended;
    }

    private static Map<OperationState, Integer> states(List<Operation<?>> ops) {
        Map<OperationState, Integer> m = new TreeMap<>();
        ops.forEach(op -> m.merge(op.state(), 1, Integer::sum));
        return m;
    }

    private static Set<Integer> newFds(Set<Integer> before) {
        Set<Integer> now = new java.util.TreeSet<>(Sockets.socketFds());
        now.removeAll(before);
        return now;
    }
}
