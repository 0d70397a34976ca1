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
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestReporter;

/**
 * Cancel-versus-complete races on sockets (reliability target R2), {@value #RACES} of each kind per
 * backend pair: accept (server backend), connect, recv and send (client backend). Every operation
 * ends exactly once and the cancellation's answer agrees with its final state ({@link CancelRaces}).
 * Beyond that, each kind checks what a lost race must not cost: a connection accepted or connected
 * after its cancel won is closed by the proactor (its peer sees end of stream, and the fixtures find
 * no descriptor left), a cancelled recv consumes no byte (the bytes the completed recvs got, in
 * initiation order, followed by what is read afterwards, are exactly the bytes sent), and a
 * cancelled send sends no byte (the peer receives exactly the completed sends' bytes, in order).
 */
class SocketCancelRaceContractTest {

    private static final int RACES = 10_000;
    private static final int STRESS_RACES = 100_000;
    private static final SocketOptions SMALL_BUFFERS = SocketOptions.defaults().withBufferSizes(4096, 4096);

    @EachBackendPair
    void acceptVersusCancel(BackendPair pair, TestReporter report) throws Exception {
        acceptRaces(pair, RACES, report);
    }

    @Tag("stress")
    @EachBackendPair
    void acceptVersusCancelNightly(BackendPair pair, TestReporter report) throws Exception {
        acceptRaces(pair, STRESS_RACES, report);
    }

    @EachBackendPair
    void connectVersusCancel(BackendPair pair, TestReporter report) throws Exception {
        connectRaces(pair, RACES, report);
    }

    @Tag("stress")
    @EachBackendPair
    void connectVersusCancelNightly(BackendPair pair, TestReporter report) throws Exception {
        connectRaces(pair, STRESS_RACES, report);
    }

    @EachBackendPair
    void recvVersusCancel(BackendPair pair, TestReporter report) throws Exception {
        recvRaces(pair, RACES, report);
    }

    @Tag("stress")
    @EachBackendPair
    void recvVersusCancelNightly(BackendPair pair, TestReporter report) throws Exception {
        recvRaces(pair, STRESS_RACES, report);
    }

    @EachBackendPair
    void sendVersusCancel(BackendPair pair, TestReporter report) throws Exception {
        sendRaces(pair, RACES, report);
    }

    @Tag("stress")
    @EachBackendPair
    void sendVersusCancelNightly(BackendPair pair, TestReporter report) throws Exception {
        sendRaces(pair, STRESS_RACES, report);
    }

    /**
     * Each race connects a client, then races an accept against its cancel. Connections left in
     * the queue by won cancels are taken by drain accepts after each window (with a deadline, since
     * a connection the proactor took and closed for a cancelled accept is no longer queued). Every
     * client connection reads until its server end closes: all of them must see that, which they
     * cannot if an accepted-after-cancel socket leaked.
     */
    private static void acceptRaces(BackendPair pair, int races, TestReporter report) throws Exception {
        Proactor server = pair.server();
        Proactor client = pair.client();
        AsyncServerSocket listener = Sockets.listen(server, SocketOptions.defaults().withBacklog(4096));
        AsyncServerSocket drainer = listener.withTimeout(Duration.ofMillis(50));
        ClientEnds clients = new ClientEnds();
        AtomicInteger drained = new AtomicInteger();
        AtomicInteger drainTimeouts = new AtomicInteger();
        long start = System.nanoTime();
        CancelRaces.Tally t = CancelRaces.run(races, new SplittableRandom(21), i -> {
            clients.connect(client, listener.localAddress());
            Operation<AsyncSocket> accept = listener.accept();
            accept.onComplete((s, failure) -> {
                if (failure == null) {
                    s.closeAsync();
                }
            });
            return accept;
        }, 200_000, window -> {
            List<Operation<AsyncSocket>> drains = new ArrayList<>();
            for (CancelRaces.Race r : window) {
                if (r.op().state() == OperationState.CANCELLED) {
                    drains.add(drainer.accept());
                }
            }
            for (Operation<AsyncSocket> d : drains) {
                try {
                    Ops.result(d);
                    drained.incrementAndGet();
                    Ops.result(d.resultNow().closeAsync());
                } catch (AssertionError e) {
                    assertThat(d.state()).as("drain accept %d: %s", d.id(), e).isEqualTo(OperationState.TIMED_OUT);
                    drainTimeouts.incrementAndGet();
                }
            }
        });
        long took = System.nanoTime() - start;
        // Whatever is still queued: accept and close until every client has seen its end.
        try (AcceptLoop rest = AcceptLoop.start(listener, 8, AsyncSocket::closeAsync)) {
            clients.awaitAllEnded(races);
            assertThat(rest.failures()).isEmpty();
        }
        publish(report, pair, "ACCEPT (server " + shortName(pair.serverBackend()) + ")", t, took,
                "drained " + drained + ", drain deadlines " + drainTimeouts);
        t.assertBothSides();
    }

    /**
     * Races connects against their cancels; the server accepts every connection that reaches it and
     * reads it to its end. A connect whose cancel won after the connection was made must have been
     * closed by the proactor: the server sees every accepted connection end.
     */
    private static void connectRaces(BackendPair pair, int races, TestReporter report) throws Exception {
        Proactor server = pair.server();
        Proactor client = pair.client();
        AtomicInteger serverEnded = new AtomicInteger();
        Queue<String> serverFailures = new ConcurrentLinkedQueue<>();
        AsyncServerSocket listener = Sockets.listen(server, SocketOptions.defaults().withBacklog(4096));
        long start = System.nanoTime();
        CancelRaces.Tally t;
        try (AcceptLoop accepts = AcceptLoop.start(listener, 32, s -> readToEnd(s, serverEnded, serverFailures))) {
            t = CancelRaces.run(races, new SplittableRandom(22), i -> {
                Operation<AsyncSocket> connect = client.connect(listener.localAddress());
                connect.onComplete((s, failure) -> {
                    if (failure == null) {
                        s.closeAsync();
                    }
                });
                return connect;
            }, 200_000, window -> { });
            int connected = t.count(OperationState.COMPLETED);
            Waits.until(Duration.ofSeconds(20), () -> accepts.accepted() >= connected
                            && serverEnded.get() == accepts.accepted(),
                    () -> "server accepted " + accepts.accepted() + " (connects completed: " + connected + "), "
                            + serverEnded.get() + " of them ended: a connection whose connect was cancelled was not closed");
            assertThat(accepts.failures()).isEmpty();
        }
        assertThat(serverFailures).isEmpty();
        publish(report, pair, "CONNECT (client " + shortName(pair.clientBackend()) + ")", t, System.nanoTime() - start,
                "server accepted and saw end of " + serverEnded);
        t.assertBothSides();
    }

    /**
     * A feeder sends the sequence 0, 1, 2, ... (mod 251) a byte at a time at random moments; recvs
     * race their cancels. The completed recvs' bytes in initiation order, then the rest read after
     * the races, must be that sequence without gap: a cancelled recv consumed nothing.
     */
    private static void recvRaces(BackendPair pair, int races, TestReporter report) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server());
        Sockets.Connection c = Sockets.connect(listener, pair.client());
        Map<Long, byte[]> got = new ConcurrentHashMap<>();
        AtomicInteger recorded = new AtomicInteger();
        AtomicLong consumed = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread feeder = Thread.ofPlatform().name("recv-race-feeder").start(() -> {
            SplittableRandom random = new SplittableRandom(5);
            long n = 0;
            while (!stop.get()) {
                if (n - consumed.get() < 4096) {
                    Ops.result(c.server().write(ByteBuffer.wrap(new byte[] {(byte) (n % 251)})));
                    n++;
                    sent.set(n);
                }
                LockSupport.parkNanos(random.nextLong(100_000));
            }
        });
        long start = System.nanoTime();
        CancelRaces.Tally t;
        try {
            t = CancelRaces.run(races, new SplittableRandom(23), i -> {
                ByteBuffer buf = i % 2 == 0 ? ByteBuffer.allocate(16) : ByteBuffer.allocateDirect(16);
                Operation<Integer> read = c.client().read(buf);
                read.onComplete((n, failure) -> {
                    if (failure == null && n > 0) {
                        byte[] b = new byte[n];
                        buf.flip().get(b);
                        got.put(read.id(), b);
                        consumed.addAndGet(n);
                    }
                    recorded.incrementAndGet();
                });
                return read;
            }, 100_000, window -> { });
        } finally {
            stop.set(true);
            feeder.join(TimeUnit.SECONDS.toMillis(10));
        }
        awaitRecorded(recorded, races);
        assertThat(feeder.isAlive()).isFalse();
        long took = System.nanoTime() - start;
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        got.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> stream.writeBytes(e.getValue()));
        long rest = sent.get() - stream.size();
        assertThat(rest).as("bytes sent %d, received by completed recvs %d", sent.get(), stream.size())
                .isBetween(0L, 4096L);
        ByteBuffer tail = ByteBuffer.allocate((int) rest);
        Ops.result(c.client().readFully(tail));
        stream.writeBytes(tail.array());
        byte[] all = stream.toByteArray();
        for (int i = 0; i < all.length; i++) {
            if (all[i] != (byte) (i % 251)) {
                throw new AssertionError("byte " + i + " of " + all.length + " is " + all[i] + ", expected "
                        + (i % 251) + ": a recv lost or reordered data (" + t + ")");
            }
        }
        c.close();
        Ops.result(listener.closeAsync());
        publish(report, pair, "RECV (client " + shortName(pair.clientBackend()) + ")", t, took,
                sent.get() + " bytes fed, " + (sent.get() - rest) + " by completed recvs");
        t.assertBothSides();
    }

    /**
     * Sends of 512 bytes, each with its own content, race their cancels against a peer that reads
     * slowly through small buffers, so that the send buffer is often full. The peer must receive
     * exactly the completed sends' bytes (each send's count of them), in initiation order.
     */
    private static void sendRaces(BackendPair pair, int races, TestReporter report) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server(), SMALL_BUFFERS);
        Sockets.Connection c = Sockets.connect(listener, pair.client(), SMALL_BUFFERS);
        Map<Long, byte[]> sentBy = new ConcurrentHashMap<>();
        AtomicInteger recorded = new AtomicInteger();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        Thread drainer = Thread.ofPlatform().name("send-race-drainer").start(() -> {
            SplittableRandom random = new SplittableRandom(6);
            ByteBuffer buf = ByteBuffer.allocate(1024);
            while (true) {
                buf.clear();
                int n = Ops.result(c.server().read(buf));
                if (n < 0) {
                    return;
                }
                synchronized (received) {
                    received.write(buf.array(), 0, n);
                }
                LockSupport.parkNanos(random.nextLong(50_000));
            }
        });
        long start = System.nanoTime();
        CancelRaces.Tally t = CancelRaces.run(races, new SplittableRandom(24), i -> {
            byte[] content = new byte[512];
            for (int j = 0; j < content.length; j++) {
                content[j] = (byte) (i * 31 + j);
            }
            ByteBuffer buf = i % 2 == 0 ? ByteBuffer.wrap(content) : ByteBuffer.allocateDirect(512).put(content).flip();
            Operation<Integer> write = c.client().write(buf);
            write.onComplete((n, failure) -> {
                if (failure == null) {
                    sentBy.put(write.id(), java.util.Arrays.copyOf(content, n));
                }
                recorded.incrementAndGet();
            });
            return write;
        }, 100_000, window -> { });
        long took = System.nanoTime() - start;
        awaitRecorded(recorded, races);
        Ops.result(c.client().shutdownOutput());
        drainer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(drainer.isAlive()).as("drainer still reading").isFalse();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        sentBy.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> expected.writeBytes(e.getValue()));
        byte[] want = expected.toByteArray();
        byte[] have;
        synchronized (received) {
            have = received.toByteArray();
        }
        assertThat(have.length).as("bytes received vs bytes the completed sends reported (%s)", t).isEqualTo(want.length);
        assertThat(java.util.Arrays.mismatch(have, want)).as("first differing byte: a cancelled send sent data, or sends reordered")
                .isEqualTo(-1);
        c.close();
        Ops.result(listener.closeAsync());
        publish(report, pair, "SEND (client " + shortName(pair.clientBackend()) + ")", t, took,
                want.length + " bytes by completed sends");
        t.assertBothSides();
    }

    /**
     * Waits until every race's own handler has recorded its bytes. CancelRaces waits for the handler
     * it adds itself, and an operation that completed before that one was added runs it as a late
     * handler, possibly before (and beside) the first: the byte count must not be read before then.
     */
    private static void awaitRecorded(AtomicInteger recorded, int races) {
        Waits.until(Duration.ofSeconds(10), () -> recorded.get() == races,
                () -> recorded.get() + " of " + races + " handlers recorded their bytes");
    }

    private static void readToEnd(AsyncSocket s, AtomicInteger ended, Queue<String> failures) {
        s.read(ByteBuffer.allocate(64)).onComplete((n, failure) -> {
            if (failure == null && n >= 0) {
                if (n > 0) {
                    failures.add("unexpected data on " + s);
                }
                if (n > 0) {
                    readToEnd(s, ended, failures);
                    return;
                }
            } else if (failure != null && !(failure instanceof OperationFailedException f
                    && f.errnoName().equals("ECONNRESET"))) {
                failures.add("read on " + s + ": " + failure);
            }
            s.closeAsync();
            ended.incrementAndGet();
        });
    }

    /** The client ends of the accept races: each reads until its server end closes, then closes. */
    private static final class ClientEnds {
        final AtomicInteger ended = new AtomicInteger();
        final AtomicInteger started = new AtomicInteger();
        final Queue<String> failures = new ConcurrentLinkedQueue<>();

        void connect(Proactor client, java.net.SocketAddress to) {
            started.incrementAndGet();
            client.connect(to).onComplete((s, failure) -> {
                if (failure != null) {
                    failures.add("connect: " + failure);
                    ended.incrementAndGet();
                } else {
                    readToEnd(s, ended, failures);
                }
            });
        }

        void awaitAllEnded(int count) {
            Waits.until(Duration.ofSeconds(20), () -> ended.get() == count,
                    () -> ended.get() + " of " + count + " client connections saw their server end close: "
                            + "a connection accepted after its accept's cancel was not closed");
            assertThat(failures).isEmpty();
        }
    }

    private static String shortName(BackendChoice b) {
        return dev.proactor.test.EachBackendExtension.shortName(b);
    }

    private static void publish(TestReporter report, BackendPair pair, String what, CancelRaces.Tally t, long nanos,
            String extra) {
        int n = t.total();
        Reports.publish(report, "cancel-race", pair + ": " + what + " " + n + " races in "
                + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms: cancelled " + pct(t.count(OperationState.CANCELLED), n)
                + ", completed " + pct(t.count(OperationState.COMPLETED), n) + "; " + t + "; " + extra);
    }

    private static String pct(int k, int n) {
        return k + " (" + (n == 0 ? 0 : 100 * k / n) + "%)";
    }
}
