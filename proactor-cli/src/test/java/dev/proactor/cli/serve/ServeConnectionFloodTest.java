package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Waits;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection floods: silent connections and idle keep-alive connections filling
 * {@code --max-connections} give their slots to newcomers, oldest first and idle keep-alive before
 * silent; a connection that sends nothing is cut by the header timeout; a connection answers at
 * most {@code --max-requests-per-connection} requests; input buffers stay bounded by the limit.
 * Each on every variant of the core harness ({@link EachBackend}).
 *
 * <p>The reclaim tests set both timeouts to ten minutes, far beyond the 20 s any read here may
 * wait: a connection that ends within the test was reclaimed, not timed out. A timed-out silent
 * connection would also get a 408 first, where a reclaimed one reads end of stream and nothing else.
 */
class ServeConnectionFloodTest {
    static final String HOST = "Host: test\r\n";
    static final String GET = "GET /a.txt HTTP/1.1\r\n" + HOST + "\r\n";
    static final Duration LONG = Duration.ofMinutes(10);
    static final Duration WAIT = Duration.ofSeconds(20); // only stops a hung run

    @TempDir
    Path root;

    @BeforeEach
    void tree() throws Exception {
        Files.writeString(root.resolve("a.txt"), "alpha\n");
    }

    private static ServeOptions.Builder longTimeouts(Path root, ProactorFixture variant, int limit) {
        return ServerFixture.options(root, variant).maxConnections(limit).headerTimeout(LONG).idleTimeout(LONG);
    }

    /** Waits until the server counts {@code n} connections that only wait for a request. */
    private static void awaitWaiting(ServerFixture f, int n) {
        Waits.until(WAIT, () -> f.server.waitingConnections() == n,
                () -> f.server.waitingConnections() + " waiting connections, expected " + n);
    }

    /** A connection that connects and sends nothing, registered as waiting before the next one connects. */
    private static Socket silent(ServerFixture f, int waitingAfter) throws IOException {
        Socket s = new Socket("127.0.0.1", f.port());
        s.setSoTimeout((int) WAIT.toMillis());
        awaitWaiting(f, waitingAfter);
        return s;
    }

    /** The server closed {@code s} gracefully without sending a byte: end of stream, no reset. */
    private static void assertEndedWithoutAnswer(Socket s, String what) throws IOException {
        InputStream in = s.getInputStream();
        assertThat(in.read()).as(what + ": end of stream, no answer").isEqualTo(-1);
    }

    @EachBackend
    void silentConnectionsAtTheLimitGiveTheirSlotsToANewcomerOldestFirst(ProactorFixture variant) throws Exception {
        int limit = 6;
        int flood = 4; // silent connections beyond the limit
        try (ServerFixture f = new ServerFixture(longTimeouts(root, variant, limit).build(), variant)) {
            List<Socket> silent = new ArrayList<>();
            try {
                for (int i = 1; i <= limit; i++) {
                    silent.add(silent(f, i));
                }
                // The flood: each newcomer, accepted as the limit's one extra, reclaims the oldest.
                for (int i = 0; i < flood; i++) {
                    Socket s = new Socket("127.0.0.1", f.port());
                    s.setSoTimeout((int) WAIT.toMillis());
                    silent.add(s);
                    // Its predecessor in age is gone before the next arrives, so the order is the accept order.
                    assertEndedWithoutAnswer(silent.get(i), "silent connection " + i);
                    awaitWaiting(f, limit);
                }
                try (RawHttp client = new RawHttp(f.port())) {
                    RawHttp.Response r = client.send(GET).read();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.text()).isEqualTo("alpha\n");
                    // The client's slot came from the oldest silent connection left, closed before its answer ended.
                    assertEndedWithoutAnswer(silent.get(flood), "silent connection " + flood);
                }
                // The younger silent connections kept their slots: each is still served.
                for (int i = flood + 1; i < silent.size(); i++) {
                    try (RawHttp later = new RawHttp(silent.get(i))) {
                        assertThat(later.send(GET).read().status()).as("silent connection %d", i).isEqualTo(200);
                    }
                }
            } finally {
                for (Socket s : silent) {
                    s.close();
                }
            }
            StaticFileServer.Summary s = f.stop();
            assertThat(s.reclaimed()).isEqualTo(flood + 1);
            assertThat(s.connections()).isEqualTo(limit + flood + 1);
        }
    }

    @EachBackend
    void idleKeepAliveConnectionsAreReclaimedBeforeSilentOnesLongestIdleFirst(ProactorFixture variant)
            throws Exception {
        int limit = 4;
        try (ServerFixture f = new ServerFixture(longTimeouts(root, variant, limit).build(), variant)) {
            Socket oldestSilent = silent(f, 1);
            List<RawHttp> idle = new ArrayList<>();
            try {
                for (int i = 2; i <= limit; i++) {
                    RawHttp c = new RawHttp(f.port());
                    idle.add(c);
                    assertThat(c.send(GET).read().status()).isEqualTo(200);
                    awaitWaiting(f, i); // idle since its answer, in this order
                }
                // Two newcomers, each staying: each takes the slot of the longest-idle keep-alive
                // connection (the first newcomer, idle after its answer, is younger than the rest),
                // never the older silent one.
                for (int n = 0; n < 2; n++) {
                    RawHttp newcomer = new RawHttp(f.port());
                    idle.add(newcomer);
                    assertThat(newcomer.send(GET).read().status()).isEqualTo(200);
                    assertThat(idle.get(n).closedByServer()).as("idle connection %d", n).isTrue();
                    awaitWaiting(f, limit);
                }
                // The others kept their slots: each is still answered.
                for (int i = 2; i < idle.size(); i++) {
                    assertThat(idle.get(i).send(GET).read().status()).as("connection %d", i).isEqualTo(200);
                }
                try (RawHttp s = new RawHttp(oldestSilent)) {
                    assertThat(s.send(GET).read().status()).isEqualTo(200);
                }
            } finally {
                oldestSilent.close();
                for (RawHttp c : idle) {
                    c.close();
                }
            }
            assertThat(f.stop().reclaimed()).isEqualTo(2);
        }
    }

    /**
     * When every slot is mid-request nothing is reclaimed: the newcomer waits in the listen backlog
     * until a connection can give up its slot, here the busy one once it is answered and idle.
     */
    @EachBackend
    void aConnectionMidRequestKeepsItsSlotAndTheNewcomerWaits(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(longTimeouts(root, variant, 1).build(), variant);
                RawHttp busy = new RawHttp(f.port())) {
            busy.send("GET /a.txt HTTP/1.1\r\n"); // a head begun: mid-request
            Waits.until(WAIT, () -> f.server.openConnections() == 1 && f.server.waitingConnections() == 0,
                    () -> "the first connection is not mid-head");
            try (RawHttp newcomer = new RawHttp(f.port())) {
                newcomer.send(GET);
                newcomer.socket.setSoTimeout(300);
                // Parked (accepted, not read) or in the backlog: either way not answered.
                assertThatThrownBy(newcomer::read).isInstanceOf(SocketTimeoutException.class);

                // The busy connection finishes its head and is answered; once it waits, it is reclaimed.
                assertThat(busy.send(HOST + "\r\n").read().text()).isEqualTo("alpha\n");
                newcomer.socket.setSoTimeout((int) WAIT.toMillis());
                assertThat(newcomer.read().text()).isEqualTo("alpha\n");
                assertThat(busy.closedByServer()).isTrue();
            }
            assertThat(f.stop().reclaimed()).isEqualTo(1);
        }
    }

    /** A connection that sends nothing meets the header timeout from its accept, as a slow head does. */
    @EachBackend
    void aConnectionThatSendsNothingIsCutAtTheHeaderTimeout(ProactorFixture variant) throws Exception {
        ServeOptions o = ServerFixture.options(root, variant).headerTimeout(Duration.ofMillis(300)).idleTimeout(LONG)
                .build();
        try (ServerFixture f = new ServerFixture(o, variant)) {
            // The deadline runs from the server's accept, which may come before the client's connect
            // returns: timing from before the connect keeps the lower bound from being early.
            long start = System.nanoTime();
            try (RawHttp c = new RawHttp(f.port())) {
                RawHttp.Response r = c.read();
                assertThat(r.status()).isEqualTo(408);
                assertThat(r.header("connection")).isEqualTo("close");
                assertThat(c.closedByServer()).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
                assertThat(f.stop().requests()).isEqualTo(1); // the 408, logged
            }
        }
    }

    /** After an answer the idle timeout applies, not the header timeout. */
    @EachBackend
    void aKeepAliveConnectionWaitsTheIdleTimeoutNotTheHeaderTimeout(ProactorFixture variant) throws Exception {
        ServeOptions o = ServerFixture.options(root, variant).headerTimeout(Duration.ofMillis(200))
                .idleTimeout(Duration.ofMillis(600)).build();
        try (ServerFixture f = new ServerFixture(o, variant); RawHttp c = new RawHttp(f.port())) {
            long sent = System.nanoTime(); // the idle wait begins after the answer, later than this
            assertThat(c.send(GET).read().status()).isEqualTo(200);
            assertThat(c.closedByServer()).isTrue(); // end of stream, no 408
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
        }
    }

    @EachBackend
    void requestsPerConnectionAreCappedTheLastAnswerSaysClose(ProactorFixture variant) throws Exception {
        ServeOptions o = ServerFixture.options(root, variant).maxRequestsPerConnection(3).build();
        try (ServerFixture f = new ServerFixture(o, variant); RawHttp c = new RawHttp(f.port())) {
            c.send(GET.repeat(4)); // pipelined: the fourth is in the server's buffer when the third is answered
            for (int i = 1; i <= 2; i++) {
                RawHttp.Response r = c.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("connection")).as("answer %d", i).isNull();
            }
            RawHttp.Response third = c.read();
            assertThat(third.text()).isEqualTo("alpha\n");
            assertThat(third.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).as("no fourth answer").isTrue();
            assertThat(f.stop().requests()).isEqualTo(3);
        }
    }

    /**
     * Three times the limit of connections, each served and gone, a limit's worth at a time: the
     * input buffers allocated stay at the most open at once, reused rather than left to the
     * garbage collector.
     */
    @EachBackend
    void inputBuffersAreReusedAndBoundedByTheLimit(ProactorFixture variant) throws Exception {
        int limit = 5;
        try (ServerFixture f = new ServerFixture(ServerFixture.options(root, variant).maxConnections(limit).build(),
                variant)) {
            for (int round = 0; round < 3; round++) {
                List<RawHttp> open = new ArrayList<>();
                try {
                    for (int i = 0; i < limit; i++) {
                        RawHttp c = new RawHttp(f.port());
                        open.add(c);
                        assertThat(c.send(GET).read().status()).isEqualTo(200);
                    }
                } finally {
                    for (RawHttp c : open) {
                        c.close();
                    }
                }
                Waits.until(WAIT, () -> f.server.openConnections() == 0, () -> "connections still open");
            }
            assertThat(f.server.inputBuffersAllocated()).isEqualTo(limit);
            assertThat(f.stop().connections()).isEqualTo(3L * limit);
        }
    }
}
