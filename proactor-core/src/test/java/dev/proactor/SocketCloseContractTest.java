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
 * Closing with socket operations pending (reliability target R5): pending reads (on idle
 * connections, {@value #PENDING} connections with one on each end), writes (likewise, to peers that
 * never read, so the send buffers are full), {@value #PENDING} accepts (nobody connects) and
 * {@value #PENDING} connects (to a listener whose accept queue is full, so the SYNs are dropped).
 * Closing their resources, or separately closing the proactors, ends every one (none had ended
 * before) with the outcome of that close and its handler run exactly once; an operation whose peer
 * end was closed sees that close (end of stream, or a reset). How long that takes is reported, not
 * asserted: the test's own waits ({@link #HANG}) only stop a hung run. The resource
 * variants also see every socket descriptor gone before the proactors close, and the fixtures check
 * for leaks afterwards. A pending connect has no resource yet: its resource variant cancels it.
 */
class SocketCloseContractTest {

    private static final int PENDING = 1000;
    /** How long the test waits for the closes' effects before calling the run hung. */
    private static final Duration HANG = Duration.ofSeconds(30);
    /** Small buffers, so that a write to a peer that does not read stops after a few KiB. */
    private static final SocketOptions SMALL_BUFFERS = SocketOptions.defaults().withBufferSizes(4096, 4096);

    enum What { READ, WRITE, ACCEPT, CONNECT }

    @EachBackendPair
    void closingSocketsEndsPendingReads(BackendPair pair, TestReporter report) throws Exception {
        run(pair, What.READ, false, report);
    }

    @EachBackendPair
    void closingProactorsEndsPendingReads(BackendPair pair, TestReporter report) throws Exception {
        run(pair, What.READ, true, report);
    }

    @EachBackendPair
    void closingSocketsEndsPendingWrites(BackendPair pair, TestReporter report) throws Exception {
        run(pair, What.WRITE, false, report);
    }

    @EachBackendPair
    void closingProactorsEndsPendingWrites(BackendPair pair, TestReporter report) throws Exception {
        run(pair, What.WRITE, true, report);
    }

    @EachBackendPair
    void closingListenerEndsPendingAccepts(BackendPair pair, TestReporter report) throws Exception {
        run(pair, What.ACCEPT, false, report);
    }

    @EachBackendPair
    void closingProactorsEndsPendingAccepts(BackendPair pair, TestReporter report) throws Exception {
        run(pair, What.ACCEPT, true, report);
    }

    @EachBackendPair
    void cancellingEndsPendingConnects(BackendPair pair, TestReporter report) throws Exception {
        run(pair, What.CONNECT, false, report);
    }

    @EachBackendPair
    void closingProactorsEndsPendingConnects(BackendPair pair, TestReporter report) throws Exception {
        run(pair, What.CONNECT, true, report);
    }

    /**
     * One pending operation: on which side it is, and whether the resource variant's close is its
     * own socket's (it must end CANCELLED) or its peer's (it must see the peer's close: end of
     * stream for a read, ECONNRESET or EPIPE for a write, since the closed end had unread data).
     */
    private record Pending(Operation<?> op, boolean serverSide, boolean peerClosed) {}

    /**
     * The pending operations of one scenario; how to end them without closing the proactors; how
     * to close what is still open once they ended (unless the proactors were closed); and what to
     * release that is not the proactors'.
     */
    private record Scenario(List<Pending> pending, Runnable closeResources, Runnable closeRest, Runnable release) {}

    private static void run(BackendPair pair, What what, boolean closeProactors, TestReporter report)
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
        List<Operation<?>> ops = s.pending().stream().<Operation<?>>map(Pending::op).toList();
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

        assertThat(countEnded(endedAt)).as("operations that ended before the close; states %s", states(ops)).isZero();
        long closeStart = System.nanoTime();
        if (closeProactors) {
            // The server's close closes its sockets, which the client's pending operations may see
            // first: a client operation may end by its peer's close as well as by its own.
            CloseReport serverReport = server.close(Duration.ofMillis(100));
            CloseReport clientReport = client.close(Duration.ofMillis(100));
            assertThat(serverReport.clean()).as("server close report %s", serverReport).isTrue();
            assertThat(clientReport.clean()).as("client close report %s", clientReport).isTrue();
        } else {
            s.closeResources().run();
        }
        Waits.until(HANG, () -> countEnded(endedAt) == n,
                () -> (n - countEnded(endedAt)) + " of " + n + " not ended; states " + states(ops));
        long slowest = 0;
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            Pending p = s.pending().get(i);
            Operation<?> op = p.op();
            slowest = Math.max(slowest, endedAt.get(i) - closeStart);
            String what2 = "op " + op.id() + " (" + op.kind() + (p.serverSide() ? ", server side" : ", client side")
                    + ") " + op.state() + " " + (op.state() == OperationState.COMPLETED ? op.resultNow() : op.failureNow());
            boolean byOwnClose = isEndedByClose(op, closeProactors);
            boolean byPeer = p.op().kind() != OperationKind.ACCEPT && isEndedByPeerClose(op);
            if (closeProactors) {
                assertThat(byOwnClose || (!p.serverSide() && byPeer))
                        .as("%s: ended by its proactor's close%s", what2, p.serverSide() ? "" : " or by its peer's")
                        .isTrue();
            } else if (p.peerClosed()) {
                assertThat(byPeer).as("%s: ended by its peer's close", what2).isTrue();
            } else {
                assertThat(byOwnClose).as("%s: ended CANCELLED by its own resource's close", what2).isTrue();
            }
            outcomes.merge((p.serverSide() ? "server " : "client ") + op.kind() + " " + op.state(), 1, Integer::sum);
        }
        if (!closeProactors) {
            s.closeRest().run();
        }
        s.release().run();
        if (!closeProactors) {
            // The resources' closes must have released the descriptors, not the proactors' later close.
            Waits.until(HANG, () -> socketFdsBefore.containsAll(Sockets.socketFds()),
                    () -> "socket fds still open after closing the resources: " + newFds(socketFdsBefore));
        }
        for (int i = 0; i < n; i++) {
            assertThat(calls.get(i)).as("handler calls of op %d", ops.get(i).id()).isEqualTo(1);
        }
        dev.proactor.test.Reports.publish(report, "close", pair + ": " + n + " pending " + what + " set up in "
                + TimeUnit.NANOSECONDS.toMillis(setUp) + " ms, ended by " + (closeProactors ? "proactor close" : "resource close")
                + " within " + TimeUnit.NANOSECONDS.toMillis(slowest) + " ms: " + outcomes);
    }

    /** CANCELLED by a resource close; or, when the proactors closed, cancelled or refused as closed. */
    private static boolean isEndedByClose(Operation<?> op, boolean proactorClosed) {
        if (op.state() == OperationState.CANCELLED) {
            return op.failureNow() instanceof OperationCancelledException;
        }
        return proactorClosed && op.state() == OperationState.FAILED && op.failureNow() instanceof ProactorClosedException;
    }

    /**
     * A read that saw end of stream, a write that failed as a reset connection's do, or a connect
     * that the peer's listener refused or reset when its proactor closed first.
     */
    private static boolean isEndedByPeerClose(Operation<?> op) {
        if (op.kind() == OperationKind.RECV) {
            return op.state() == OperationState.COMPLETED && Integer.valueOf(-1).equals(op.resultNow());
        }
        if (op.kind() == OperationKind.CONNECT) {
            return op.state() == OperationState.FAILED && op.failureNow() instanceof OperationFailedException f
                    && (f.errnoName().equals("ECONNREFUSED") || f.errnoName().equals("ECONNRESET"));
        }
        return op.state() == OperationState.FAILED && op.failureNow() instanceof OperationFailedException f
                && (f.errnoName().equals("ECONNRESET") || f.errnoName().equals("EPIPE"));
    }

    /**
     * {@value #PENDING} connections with a read pending on each end. The resource variant closes
     * the client end of the first half and the server end of the second: each side has reads its
     * own close cancels and reads that see the peer's end of stream.
     */
    private static Scenario reads(Proactor server, Proactor client) {
        AsyncServerSocket listener = Sockets.listen(server);
        List<Sockets.Connection> conns = Sockets.connectMany(listener, client, SocketOptions.defaults(), PENDING, 64);
        List<Pending> pending = new ArrayList<>();
        for (int i = 0; i < conns.size(); i++) {
            Sockets.Connection c = conns.get(i);
            boolean clientCloses = i < conns.size() / 2;
            pending.add(new Pending(c.server().read(ByteBuffer.allocate(256)), true, clientCloses));
            pending.add(new Pending(c.client().read(ByteBuffer.allocateDirect(256)), false, !clientCloses));
        }
        return halves(conns, pending, listener, false, () -> { });
    }

    /**
     * {@value #PENDING} connections whose ends both write 1 MiB (all from one shared segment) and
     * never read, so every write stalls with the send buffer full; closed as {@link #reads}, but
     * with {@code abort()}: an ordinary close would let the writes drain first, for up to its
     * linger ({@code SocketGracefulCloseContractTest} covers that).
     */
    private static Scenario writes(Proactor server, Proactor client) {
        AsyncServerSocket listener = Sockets.listen(server, SMALL_BUFFERS);
        List<Sockets.Connection> conns = Sockets.connectMany(listener, client, SMALL_BUFFERS, PENDING, 64);
        Arena arena = Arena.ofShared();
        MemorySegment data = arena.allocate(1 << 20);
        data.fill((byte) 0x5a);
        List<Pending> pending = new ArrayList<>();
        for (int i = 0; i < conns.size(); i++) {
            Sockets.Connection c = conns.get(i);
            boolean clientCloses = i < conns.size() / 2;
            pending.add(new Pending(c.server().writeAll(data), true, clientCloses));
            pending.add(new Pending(c.client().writeAll(data), false, !clientCloses));
        }
        // The arena outlives every write: it is released after all of them ended.
        return halves(conns, pending, listener, true, arena::close);
    }

    private static Scenario halves(List<Sockets.Connection> conns, List<Pending> pending, AsyncServerSocket listener,
            boolean abort, Runnable release) {
        int half = conns.size() / 2;
        Runnable closeOneEnd = () -> {
            List<Operation<Void>> closes = new ArrayList<>();
            for (int i = 0; i < conns.size(); i++) {
                AsyncSocket end = i < half ? conns.get(i).client() : conns.get(i).server();
                closes.add(abort ? end.abort() : end.closeAsync());
            }
            closes.forEach(Ops::result);
        };
        Runnable closeOtherEnd = () -> {
            List<Operation<Void>> closes = new ArrayList<>();
            for (int i = 0; i < conns.size(); i++) {
                closes.add(i < half ? conns.get(i).server().closeAsync() : conns.get(i).client().closeAsync());
            }
            closes.forEach(Ops::result);
            Ops.result(listener.closeAsync());
        };
        return new Scenario(pending, closeOneEnd, closeOtherEnd, release);
    }

    private static Scenario accepts(Proactor server) {
        AsyncServerSocket listener = Sockets.listen(server);
        List<Pending> pending = new ArrayList<>();
        for (int i = 0; i < PENDING; i++) {
            pending.add(new Pending(listener.accept(), true, false));
        }
        return new Scenario(pending, () -> Ops.result(listener.closeAsync()), () -> { }, () -> { });
    }

    /** Connects into a full accept queue: each stays in SYN_SENT, retransmitting, until ended. */
    private static Scenario connects(Proactor server, Proactor client) {
        AsyncServerSocket listener = Sockets.listen(server, SocketOptions.defaults().withBacklog(1));
        List<Socket> fillers = Sockets.fillAcceptQueue(listener.localAddress(), 1);
        List<Pending> pending = new ArrayList<>();
        for (int i = 0; i < PENDING; i++) {
            pending.add(new Pending(client.connect(listener.localAddress()), false, false));
        }
        return new Scenario(pending, () -> pending.forEach(p -> p.op().cancel()), () -> Ops.result(listener.closeAsync()),
                () -> Sockets.closeQuietly(fillers));
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
