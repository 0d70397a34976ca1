package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.AcceptLoop;
import dev.proactor.test.BackendPair;
import dev.proactor.test.CancelRaces;
import dev.proactor.test.EachBackendPair;
import dev.proactor.test.Ops;
import dev.proactor.test.Reports;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestReporter;

/**
 * Cancels of {@link OperationStream}s racing their items, run through {@link CancelRaces}: every
 * stream ends exactly once and its cancel's answer agrees with its end. What a lost race must not
 * cost: a connection accepted by a stream after its cancel is closed by the proactor (every client
 * end sees its server end close, also those still queued when the races stop, which a last accept
 * loop takes), and a cancelled receive stream loses no byte (per connection, the chunks of its
 * successive streams are exactly the bytes sent, in order).
 */
class StreamCancelRaceContractTest {

    private static final int RACES = 2_000;
    private static final int STRESS_RACES = 40_000;

    @EachBackendPair
    void acceptEachVersusCancel(BackendPair pair, TestReporter report) throws Exception {
        acceptRaces(pair, RACES, report);
    }

    @Tag("stress")
    @EachBackendPair
    void acceptEachVersusCancelNightly(BackendPair pair, TestReporter report) throws Exception {
        acceptRaces(pair, STRESS_RACES, report);
    }

    @EachBackendPair
    void receiveEachVersusCancel(BackendPair pair, TestReporter report) throws Exception {
        receiveRaces(pair, RACES, report);
    }

    @Tag("stress")
    @EachBackendPair
    void receiveEachVersusCancelNightly(BackendPair pair, TestReporter report) throws Exception {
        receiveRaces(pair, STRESS_RACES, report);
    }

    private static void acceptRaces(BackendPair pair, int races, TestReporter report) throws Exception {
        Proactor server = pair.server();
        Proactor client = pair.client();
        AsyncServerSocket listener = Sockets.listen(server, SocketOptions.defaults().withBacklog(4096));
        AtomicInteger ended = new AtomicInteger();
        AtomicInteger handed = new AtomicInteger();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AsyncServerSocket drainer = listener.withTimeout(Duration.ofMillis(50));
        java.util.Map<Operation<?>, AtomicInteger> handedBy = new java.util.concurrent.ConcurrentHashMap<>();
        long start = System.nanoTime();
        CancelRaces.Tally t = CancelRaces.run(races, new SplittableRandom(31), i -> {
            client.connect(listener.localAddress()).onComplete((s, failure) -> {
                if (failure != null) {
                    failures.add("connect: " + failure);
                    ended.incrementAndGet();
                    return;
                }
                // The client end waits for its server end to close, itself through a receive stream.
                s.receiveEach(chunk -> {
                    failures.add("unexpected data on " + s);
                    chunk.release();
                }).onComplete((n, f) -> {
                    if (f != null && !(f instanceof OperationFailedException e && e.errnoName().equals("ECONNRESET"))) {
                        failures.add("client end of " + s + ": " + f);
                    }
                    s.closeAsync();
                    ended.incrementAndGet();
                });
            });
            AtomicInteger mine = new AtomicInteger();
            OperationStream stream = listener.acceptEach(s -> {
                handed.incrementAndGet();
                mine.incrementAndGet();
                s.closeAsync();
            });
            handedBy.put(stream, mine);
            return stream;
        }, 200_000, window -> {
            // A stream cancelled before it took its race's connection leaves it queued: drain
            // accepts (with a deadline, since the proactor may have taken and closed it) keep the
            // backlog, and the client ends waiting on it, from piling up over the races.
            List<Operation<AsyncSocket>> drains = new ArrayList<>();
            for (CancelRaces.Race r : window) {
                if (handedBy.remove(r.op()).get() == 0) {
                    drains.add(drainer.accept());
                }
            }
            for (Operation<AsyncSocket> d : drains) {
                d.onComplete((s, f) -> {
                    if (f == null) {
                        s.closeAsync();
                    }
                });
            }
            for (Operation<AsyncSocket> d : drains) {
                Waits.until(Duration.ofSeconds(10), d::isDone, () -> "drain accept " + d);
            }
        });
        long took = System.nanoTime() - start;
        try (AcceptLoop rest = AcceptLoop.start(listener, 8, AsyncSocket::closeAsync)) {
            Waits.until(Duration.ofSeconds(30), () -> ended.get() == races,
                    () -> ended.get() + " of " + races + " client ends saw their server end close");
            assertThat(rest.failures()).isEmpty();
        }
        assertThat(failures).isEmpty();
        assertThat(t.count(OperationState.CANCELLED)).isPositive();
        Reports.publish(report, "cancel-race", pair + ": ACCEPT_EACH " + races + " races in " + took / 1_000_000
                + " ms; " + t + "; handed to handlers " + handed);
    }

    private static void receiveRaces(BackendPair pair, int races, TestReporter report) throws Exception {
        Proactor server = pair.server();
        AsyncServerSocket listener = Sockets.listen(server);
        int lanes = CancelRaces.WINDOW;
        List<Sockets.Connection> conns = Sockets.connectMany(listener, pair.client(), SocketOptions.defaults(), lanes,
                lanes);
        List<ByteArrayOutputStream> got = new ArrayList<>();
        List<ByteArrayOutputStream> sent = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            got.add(new ByteArrayOutputStream());
            sent.add(new ByteArrayOutputStream());
        }
        List<Operation<Long>> writes = new ArrayList<>();
        SplittableRandom data = new SplittableRandom(41);
        long start = System.nanoTime();
        CancelRaces.Tally t = CancelRaces.run(races, new SplittableRandom(42), i -> {
            int lane = i % lanes;
            ByteArrayOutputStream sink = got.get(lane);
            OperationStream stream = conns.get(lane).server().receiveEach(chunk -> {
                byte[] b = chunk.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                chunk.release();
                synchronized (sink) {
                    sink.writeBytes(b);
                }
            });
            byte[] b = new byte[1 + data.nextInt(2000)];
            data.nextBytes(b);
            sent.get(lane).writeBytes(b);
            writes.add(conns.get(lane).client().writeAll(ByteBuffer.wrap(b)));
            return stream;
        }, 100_000, window -> { });
        long took = System.nanoTime() - start;
        for (Operation<Long> w : writes) {
            Ops.result(w);
        }
        List<OperationStream> last = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            Ops.result(conns.get(lane).client().shutdownOutput());
            ByteArrayOutputStream sink = got.get(lane);
            last.add(conns.get(lane).server().receiveEach(chunk -> {
                byte[] b = chunk.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                chunk.release();
                synchronized (sink) {
                    sink.writeBytes(b);
                }
            }));
        }
        for (int lane = 0; lane < lanes; lane++) {
            Ops.result(last.get(lane));
            synchronized (got.get(lane)) {
                assertThat(got.get(lane).toByteArray()).as("lane %d", lane).isEqualTo(sent.get(lane).toByteArray());
            }
        }
        assertThat(t.count(OperationState.CANCELLED)).isPositive();
        Sockets.closeAll(conns);
        Ops.result(listener.closeAsync());
        Reports.publish(report, "cancel-race", pair + ": RECEIVE_EACH " + races + " races in " + took / 1_000_000
                + " ms; " + t);
    }
}
