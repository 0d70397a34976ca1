package dev.proactor.cli.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.OperationKind;
import dev.proactor.ProactorException;
import dev.proactor.Proactor;
import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The accept loop on every variant of the core harness ({@link EachBackend}): a burst with room
 * is taken by one accept stream; a burst beyond the limit is handed over no more than the limit at
 * a time (the limit's one extra only while the owner could reclaim), the rest following as
 * connections are released; the stop closes what it accepted and did not hand over.
 */
class AcceptLoopTest {
    static final Duration WAIT = Duration.ofSeconds(20); // only stops a hung run

    /** An owner that keeps what it is handed and records the most it held at once. */
    static class Owner {
        final ConcurrentLinkedQueue<AsyncSocket> open = new ConcurrentLinkedQueue<>();
        final List<InetSocketAddress> remotes = new CopyOnWriteArrayList<>();
        final AtomicInteger most = new AtomicInteger();
        final List<String> reports = new CopyOnWriteArrayList<>();
        AcceptLoop loop;
        Proactor proactor;

        void accepted(AsyncSocket s) {
            open.add(s);
            remotes.add((InetSocketAddress) s.remoteAddress());
            most.accumulateAndGet(loop.active(), Math::max);
        }

        /** Closes the oldest connection handed over and releases its slot. */
        void releaseOldest() {
            AsyncSocket s = open.poll();
            s.closeAsync().onComplete((v, f) -> loop.released());
        }

        void closeAll() throws ProactorException {
            for (AsyncSocket s; (s = open.poll()) != null; ) {
                s.close();
            }
        }
    }

    private static List<Socket> connect(AsyncServerSocket listener, int n) throws IOException {
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket c = new Socket("127.0.0.1", port);
            c.setSoTimeout((int) WAIT.toMillis());
            clients.add(c);
        }
        return clients;
    }

    private static void closeAll(List<Socket> clients) throws IOException {
        for (Socket c : clients) {
            c.close();
        }
    }

    private static Set<Integer> ports(List<Socket> clients) {
        Set<Integer> ports = new HashSet<>();
        for (Socket c : clients) {
            ports.add(c.getLocalPort());
        }
        return ports;
    }

    private static Set<Integer> ports(Owner o) {
        Set<Integer> ports = new HashSet<>();
        for (InetSocketAddress a : o.remotes) {
            ports.add(a.getPort());
        }
        return ports;
    }

    /** What a test does with the loop running and its clients connected. */
    interface Body {
        void run(Owner o, List<Socket> clients) throws Exception;
    }

    /**
     * Starts a loop with {@code limit} for {@code o} on the variant's proactor, connects {@code n}
     * clients at once, runs {@code body}, then stops the loop, closes every socket and checks that
     * no accept failed.
     */
    private static void burst(ProactorFixture variant, Owner o, int limit, BooleanSupplier reclaimable, int n,
            Body body) throws Exception {
        Proactor p = variant.proactor();
        AsyncServerSocket listener = Sockets.listen(p);
        o.proactor = p;
        o.loop = new AcceptLoop(p, listener, limit, o::accepted, o.reports::add, reclaimable);
        o.loop.start();
        List<Socket> clients = connect(listener, n);
        try {
            body.run(o, clients);
        } finally {
            o.loop.stop();
            o.closeAll();
            closeAll(clients);
        }
        assertThat(o.reports).isEmpty();
    }

    /** A burst well below the limit: every connection comes from the one accept stream. */
    @EachBackend
    void aBurstWithRoomIsTakenByOneAcceptOperation(ProactorFixture variant) throws Exception {
        burst(variant, new Owner(), 64, () -> false, 16, (o, clients) -> {
            Waits.until(WAIT, () -> o.remotes.size() == 16, () -> o.remotes.size() + " of 16 handed over");
            assertThat(ports(o)).isEqualTo(ports(clients));
            // One stream for all sixteen; a chain of single accepts would have initiated seventeen.
            assertThat(o.proactor.metrics().kinds().get(OperationKind.ACCEPT).initiated()).isEqualTo(1);
            assertThat(o.loop.accepted()).isEqualTo(16);
        });
    }

    /**
     * A burst of three times the limit at once, with nothing reclaimable: never more than the limit
     * handed over, and each release lets exactly the next one in, until all were handed over.
     */
    @EachBackend
    void aBurstBeyondTheLimitIsHandedOverAsSlotsAreReleased(ProactorFixture variant) throws Exception {
        int limit = 4;
        int burst = 3 * limit;
        burst(variant, new Owner(), limit, () -> false, burst, (o, clients) -> {
            for (int handed = limit; ; handed++) {
                int expected = handed;
                Waits.until(WAIT, () -> o.remotes.size() == expected, () -> o.remotes.size() + " handed over, expected "
                        + expected);
                assertThat(o.loop.active()).isEqualTo(limit);
                if (handed == burst) {
                    break;
                }
                o.releaseOldest();
            }
            assertThat(o.most.get()).as("most handed over at once").isEqualTo(limit);
            assertThat(o.loop.held()).isZero();
            assertThat(ports(o)).isEqualTo(ports(clients));
        });
    }

    /**
     * With a reclaimable connection the limit admits one extra, never two: the owner, over the
     * limit, ends its oldest connection for the newcomer (as {@code proactor serve} does).
     */
    @EachBackend
    void aReclaimingOwnerGetsTheLimitsOneExtraAtATime(ProactorFixture variant) throws Exception {
        int limit = 4;
        int burst = 3 * limit;
        Owner reclaiming = new Owner() {
            @Override
            void accepted(AsyncSocket s) {
                super.accepted(s);
                if (loop.overLimit()) {
                    releaseOldest();
                }
            }
        };
        burst(variant, reclaiming, limit, () -> true, burst, (o, clients) -> {
            Waits.until(WAIT, () -> o.remotes.size() == burst, () -> o.remotes.size() + " of " + burst + " handed over");
            assertThat(o.most.get()).as("most handed over at once").isLessThanOrEqualTo(limit + 1);
            assertThat(ports(o)).isEqualTo(ports(clients));
            Waits.until(WAIT, () -> o.loop.active() == limit, () -> o.loop.active() + " active");
        });
    }

    /**
     * The stop closes every connection accepted and not handed over: each client beyond the limit
     * meets end of stream or a reset, none is left hanging. One the stream delivered as the stop
     * began is still handed over, and the owner closes it, as {@code proactor serve} does.
     */
    @EachBackend
    void theStopClosesWhatWasAcceptedAndNotHandedOver(ProactorFixture variant) throws Exception {
        Owner closingAfterStop = new Owner() {
            @Override
            void accepted(AsyncSocket s) {
                super.accepted(s);
                if (loop.isStopped()) {
                    open.remove(s);
                    s.closeAsync().onComplete((v, f) -> loop.released());
                }
            }
        };
        burst(variant, closingAfterStop, 1, () -> false, 6, (o, clients) -> {
            Waits.until(WAIT, () -> o.remotes.size() == 1, () -> o.remotes.size() + " handed over");
            o.loop.stop();
            int served = o.remotes.get(0).getPort();
            for (Socket c : clients) {
                if (c.getLocalPort() == served) {
                    continue;
                }
                InputStream in = c.getInputStream();
                int r;
                try {
                    r = in.read();
                } catch (IOException reset) {
                    r = -1;
                }
                assertThat(r).as("client %d after the stop", c.getLocalPort()).isEqualTo(-1);
            }
            assertThat(o.loop.held()).isZero();
        });
    }
}
