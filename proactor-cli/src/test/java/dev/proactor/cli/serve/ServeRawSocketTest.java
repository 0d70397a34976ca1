package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a browser never sends: pipelined requests, HTTP/1.0, malformed and oversized heads, bodies,
 * path traversal, links out of the tree and slow clients (more clients than allowed:
 * {@link ServeConnectionFloodTest}). Each runs on
 * every variant of the core harness ({@link EachBackend}: io_uring, portable, io_uring-fallback).
 */
class ServeRawSocketTest {
    static final String HOST = "Host: test\r\n";

    @TempDir
    Path tmp;

    Path root;

    @BeforeEach
    void tree() throws Exception {
        root = tree(tmp);
    }

    /**
     * The served tree {@code tmp/www}, returned: a.txt, b.txt, sub/c.txt; and tmp/secret.txt
     * outside it, for links that lead out.
     */
    static Path tree(Path tmp) throws java.io.IOException {
        Path root = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(root.resolve("a.txt"), "alpha\n");
        Files.writeString(root.resolve("b.txt"), "bravo bravo\n");
        Files.writeString(tmp.resolve("secret.txt"), "TOP SECRET\n");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/c.txt"), "charlie\n");
        return root;
    }

    @EachBackend
    void pipelinedRequestsAreAnsweredInOrder(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant); RawHttp c = new RawHttp(f.port())) {
            c.send("GET /a.txt HTTP/1.1\r\n" + HOST + "\r\n"
                    + "HEAD /b.txt HTTP/1.1\r\n" + HOST + "\r\n"
                    + "GET /missing HTTP/1.1\r\n" + HOST + "\r\n"
                    + "GET /b.txt HTTP/1.1\r\n" + HOST + "\r\n"
                    + "GET /sub/c.txt HTTP/1.1\r\n" + HOST + "Connection: close\r\n\r\n");
            assertThat(c.read().text()).isEqualTo("alpha\n");
            RawHttp.Response head = c.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo("12");
            assertThat(c.read().status()).isEqualTo(404);
            assertThat(c.read().text()).isEqualTo("bravo bravo\n");
            RawHttp.Response last = c.read();
            assertThat(last.text()).isEqualTo("charlie\n");
            assertThat(last.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
            assertThat(f.stop().requests()).isEqualTo(5);
        }
    }

    @EachBackend
    void aRequestSplitIntoManyPiecesIsStillOneRequest(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant); RawHttp c = new RawHttp(f.port())) {
            for (char ch : ("GET /a.txt HTTP/1.1\r\n" + HOST + "\r\n").toCharArray()) {
                c.send(String.valueOf(ch));
            }
            assertThat(c.read().text()).isEqualTo("alpha\n");
        }
    }

    @EachBackend
    void http10ClosesUnlessAskedToKeepAlive(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant)) {
            try (RawHttp c = new RawHttp(f.port())) {
                RawHttp.Response r = c.send("GET /a.txt HTTP/1.0\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.statusLine()).startsWith("HTTP/1.1 200");
                assertThat(r.header("connection")).isEqualTo("close");
                assertThat(c.closedByServer()).isTrue();
            }
            try (RawHttp c = new RawHttp(f.port())) {
                RawHttp.Response r = c.send("GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
                assertThat(r.header("connection")).isEqualTo("keep-alive");
                assertThat(c.send("GET /b.txt HTTP/1.0\r\n\r\n").read().text()).isEqualTo("bravo bravo\n");
                assertThat(c.closedByServer()).isTrue();
            }
            try (RawHttp c = new RawHttp(f.port())) {
                RawHttp.Response r = c.send("GET /a.txt HTTP/1.1\r\n" + HOST + "Connection: close\r\n\r\n").read();
                assertThat(r.header("connection")).isEqualTo("close");
                assertThat(c.closedByServer()).isTrue();
            }
            assertThat(f.stop().connections()).isEqualTo(3);
        }
    }

    /** A request the server must refuse, and the status it must refuse it with. */
    record BadRequest(String request, int status) {}

    static final List<BadRequest> BAD_REQUESTS = badRequests();

    private static List<BadRequest> badRequests() {
        String longPath = "/" + "x".repeat(9000);
        String bigHeaders = "X-Filler: " + "y".repeat(1000) + "\r\n";
        return List.of(
                new BadRequest("GARBAGE\r\n\r\n", 400),
                new BadRequest("GET /\r\n\r\n", 400),
                new BadRequest("GET  / HTTP/1.1\r\n" + HOST + "\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\nHost: a b/c\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\nHost:\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\nHost: \t \r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\nHost: a:b\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\nHost: a:80:80\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\nHost: [::g]\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\nHost: ::1\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\nHost: a%2\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\nHost: \u00e9.example\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.0\r\nHost: a b\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\n" + HOST + " folded\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\n" + HOST + "X: a\u0001b\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\n" + HOST + "X: a\rb\r\n\r\n", 400),
                new BadRequest("GET /%zz HTTP/1.1\r\n" + HOST + "\r\n", 400),
                new BadRequest("GET relative HTTP/1.1\r\n" + HOST + "\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\n" + HOST + "Content-Length: abc\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\n" + HOST + "Content-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\n" + HOST + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
                new BadRequest("GET / HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\n\r\nhello", 413),
                new BadRequest("GET / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 413),
                new BadRequest("GET / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: gzip\r\n\r\n", 501),
                new BadRequest("BREW / HTTP/1.1\r\n" + HOST + "\r\n", 501),
                new BadRequest("DELETE /a.txt HTTP/1.1\r\n" + HOST + "\r\n", 405),
                new BadRequest("POST /a.txt HTTP/1.1\r\n" + HOST + "Content-Length: 2\r\n\r\nhi", 405),
                new BadRequest("GET / HTTP/2.0\r\n" + HOST + "\r\n", 505),
                new BadRequest("GET / HTTP/0.9\r\n\r\n", 505),
                new BadRequest("GET / HTTP/1\r\n" + HOST + "\r\n", 400),
                new BadRequest("GET " + longPath + " HTTP/1.1\r\n" + HOST + "\r\n", 414),
                new BadRequest("GET / HTTP/1.1\r\n" + HOST + bigHeaders.repeat(20) + "\r\n", 431));
    }

    /**
     * Every bad request, each on a connection of its own to one server: a clear status, and the
     * server closes. Soft assertions, so that a failure lists every request answered wrongly.
     */
    @EachBackend
    void badRequestsGetAClearStatusAndTheConnectionCloses(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant)) {
            SoftAssertions soft = new SoftAssertions();
            for (BadRequest bad : BAD_REQUESTS) {
                String shown = bad.request().replace("\r", "\\r").replace("\n", "\\n");
                String what = shown.length() > 80 ? shown.substring(0, 80) + "..." : shown;
                try (RawHttp c = new RawHttp(f.port())) {
                    RawHttp.Response r = c.send(bad.request()).read();
                    soft.assertThat(r.status()).as(what + " -> " + r.statusLine() + " " + r.text())
                            .isEqualTo(bad.status());
                    soft.assertThat(r.header("connection")).as(what).isEqualTo("close");
                    soft.assertThat(r.text()).as(what).startsWith(bad.status() + " ");
                    if (bad.status() == 405) {
                        soft.assertThat(r.header("allow")).as(what).isEqualTo("GET, HEAD");
                    }
                    soft.assertThat(c.closedByServer()).as(what + ": closed by the server").isTrue();
                }
            }
            soft.assertAll();
            assertThat(f.stop().connections()).isEqualTo(BAD_REQUESTS.size());
        }
    }

    static final List<String> TRAVERSALS = List.of(
            "/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
            "/%2e%2e%2fsecret.txt", "/..%2fsecret.txt", "/sub%2f..%2f..%2fsecret.txt", "/..%5csecret.txt",
            "/..\\secret.txt", "/a.txt%00.html", "/%00", "/./a.txt", "/sub/./../../secret.txt",
            "http://test/../secret.txt", "/%c0%ae%c0%ae/secret.txt", "/%252e%252e/secret.txt",
            "/" + "..%2f".repeat(10) + "secret.txt");

    /** Every traversal, each on a connection of its own to one server, is refused and shows nothing outside. */
    @EachBackend
    void nothingOutsideTheDirectoryIsServed(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant)) {
            SoftAssertions soft = new SoftAssertions();
            for (String target : TRAVERSALS) {
                try (RawHttp c = new RawHttp(f.port())) {
                    RawHttp.Response r = c.send("GET " + target + " HTTP/1.1\r\n" + HOST + "\r\n").read();
                    soft.assertThat(r.status()).as(target).isIn(403, 404);
                    soft.assertThat(r.text()).as(target).doesNotContain("SECRET").doesNotContain(tmp.toString())
                            .doesNotContain("/www");
                }
            }
            soft.assertAll();
        }
    }

    /**
     * RFC 9112 section 3.2: Host is uri-host [":" port], uri-host being RFC 3986's reg-name,
     * IPv4address or IP-literal. Every valid form is served, on one kept-alive connection.
     */
    @EachBackend
    void everyValidHostIsServed(ProactorFixture variant) throws Exception {
        List<String> hosts = List.of("example.com", "EXAMPLE.com:8080", "example.com:", "127.0.0.1", "127.0.0.1:80",
                "999.1.1.1", "[::1]", "[::1]:8080", "[2001:db8::7]", "[1:2:3:4:5:6:7:8]", "[::ffff:192.0.2.1]",
                "[v1.fe80::a+b]", "xn--bcher-kva.example", "a%20b", "a-b_c~d!$&'()*+,;=", "localhost");
        try (ServerFixture f = new ServerFixture(root, variant); RawHttp c = new RawHttp(f.port())) {
            for (String host : hosts) {
                RawHttp.Response r = c.send("GET /a.txt HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read();
                assertThat(r.status()).as(host).isEqualTo(200);
                assertThat(r.text()).as(host).isEqualTo("alpha\n");
            }
            // HTTP/1.0 may leave Host out.
            assertThat(c.send("GET /a.txt HTTP/1.0\r\n\r\n").read().text()).isEqualTo("alpha\n");
            assertThat(f.stop().requests()).isEqualTo(hosts.size() + 1);
        }
    }

    /**
     * A directory asked for without its slash is redirected to the normalised path: one leading
     * slash, the segments re-encoded, so no Location can read as a network-path reference
     * ("//host/") or carry a scheme, whatever slashes or encodings the request used. Dot segments,
     * encoded slashes and backslashes never get as far as a redirect.
     */
    @EachBackend
    void aRedirectNamesOnlyAPathOnThisServer(ProactorFixture variant) throws Exception {
        Files.createDirectories(root.resolve("example.com"));
        Files.createDirectories(root.resolve("sub/evil.example"));
        List<String[]> redirects = List.of(
                new String[] {"//example.com", "/example.com/"},
                new String[] {"///example.com", "/example.com/"},
                new String[] {"//example.com?x=1", "/example.com/?x=1"},
                new String[] {"/%65xample.com", "/example.com/"},
                new String[] {"http://test//example.com", "/example.com/"},
                new String[] {"//sub//evil.example", "/sub/evil.example/"},
                new String[] {"//sub", "/sub/"});
        List<String> refused = List.of("/./example.com", "/sub/../example.com", "/%2Fexample.com",
                "/%2fexample.com", "/%5Cexample.com", "/\\example.com", "/\\/example.com", "/.%2Fexample.com",
                "/%2e/example.com");
        try (ServerFixture f = new ServerFixture(root, variant); RawHttp c = new RawHttp(f.port())) {
            SoftAssertions soft = new SoftAssertions();
            for (String[] redirect : redirects) {
                RawHttp.Response r = c.send("GET " + redirect[0] + " HTTP/1.1\r\n" + HOST + "\r\n").read();
                soft.assertThat(r.status()).as(redirect[0]).isEqualTo(301);
                soft.assertThat(r.header("location")).as(redirect[0]).isEqualTo(redirect[1]);
                soft.assertThat(r.text()).as(redirect[0]).doesNotContain("//");
            }
            for (String target : refused) {
                try (RawHttp one = new RawHttp(f.port())) {
                    RawHttp.Response r = one.send("GET " + target + " HTTP/1.1\r\n" + HOST + "\r\n").read();
                    soft.assertThat(r.status()).as(target).isEqualTo(403);
                    soft.assertThat(r.header("location")).as(target).isNull();
                }
            }
            soft.assertAll();
        }
    }

    /**
     * A slash after a regular file's name asks for a directory that is not there: 404, as nginx
     * (and open(2), ENOTDIR) answers, never the file. A dot segment after it is refused like any
     * dot segment.
     */
    @EachBackend
    void aFileNameWithATrailingSlashIsNotFound(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant); RawHttp c = new RawHttp(f.port())) {
            for (String target : new String[] {"/a.txt/", "/a.txt//", "//a.txt/", "/sub/c.txt/", "/a.txt/?x=1",
                "/a%2Etxt/"}) {
                RawHttp.Response r = c.send("GET " + target + " HTTP/1.1\r\n" + HOST + "\r\n").read();
                assertThat(r.status()).as(target).isEqualTo(404);
                assertThat(r.text()).as(target).doesNotContain("alpha").doesNotContain("charlie");
            }
            for (String target : new String[] {"/a.txt/.", "/a.txt/%2e", "/sub/c.txt/./"}) {
                try (RawHttp one = new RawHttp(f.port())) {
                    RawHttp.Response r = one.send("GET " + target + " HTTP/1.1\r\n" + HOST + "\r\n").read();
                    assertThat(r.status()).as(target).isEqualTo(403);
                    assertThat(r.text()).as(target).doesNotContain("alpha").doesNotContain("charlie");
                }
            }
            // The file itself, and a directory with its slash, are still served.
            assertThat(c.send("GET /a.txt HTTP/1.1\r\n" + HOST + "\r\n").read().text()).isEqualTo("alpha\n");
            assertThat(c.send("GET /sub/ HTTP/1.1\r\n" + HOST + "\r\n").read().text()).contains("c.txt");
        }
    }

    @EachBackend
    void symbolicLinksThatLeadOutAreNotFound(ProactorFixture variant) throws Exception {
        Files.createSymbolicLink(root.resolve("link-out"), tmp.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("dir-out"), tmp);
        Files.createSymbolicLink(root.resolve("link-in"), root.resolve("a.txt"));
        Files.createSymbolicLink(root.resolve("sub/rel-out"), Path.of("../../secret.txt"));
        try (ServerFixture f = new ServerFixture(root, variant); RawHttp c = new RawHttp(f.port())) {
            for (String target : new String[] {"/link-out", "/dir-out/secret.txt", "/dir-out/", "/dir-out",
                "/sub/rel-out"}) {
                RawHttp.Response r = c.send("GET " + target + " HTTP/1.1\r\n" + HOST + "\r\n").read();
                assertThat(r.status()).as(target).isEqualTo(404);
                assertThat(r.text()).doesNotContain("SECRET").doesNotContain(tmp.toString());
            }
            // A link that stays inside is followed.
            assertThat(c.send("GET /link-in HTTP/1.1\r\n" + HOST + "\r\n").read().text()).isEqualTo("alpha\n");
            // The listing shows the links, never what they point to.
            String listing = c.send("GET / HTTP/1.1\r\n" + HOST + "\r\n").read().text();
            assertThat(listing).contains("link-out").doesNotContain(tmp.toString());
        }
    }

    /** Slow loris: a head that never completes is answered 408 and closed at the header deadline. */
    @EachBackend
    void aHeadThatNeverEndsIsCutAtTheHeaderTimeout(ProactorFixture variant) throws Exception {
        ServeOptions o = ServerFixture.options(root, variant).headerTimeout(Duration.ofMillis(300)).build();
        try (ServerFixture f = new ServerFixture(o, variant)) {
            // Timed from before the connect: the server's deadline may run from the accept (a
            // connection that sends nothing is timed out like a slow head), never from earlier.
            long start = System.nanoTime();
            try (RawHttp c = new RawHttp(f.port())) {
                c.send("GET /a.txt HTTP/1.1\r\n" + HOST + "X-Slow: ");
                RawHttp.Response r = c.read();
                assertThat(r.status()).isEqualTo(408);
                assertThat(r.header("connection")).isEqualTo("close");
                assertThat(c.closedByServer()).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            }
        }
    }

    /** Bytes trickling in do not extend the header deadline: it runs from the head's first byte. */
    @EachBackend
    void tricklingBytesDoNotExtendTheHeaderTimeout(ProactorFixture variant) throws Exception {
        ServeOptions o = ServerFixture.options(root, variant).headerTimeout(Duration.ofMillis(300)).build();
        try (ServerFixture f = new ServerFixture(o, variant); RawHttp c = new RawHttp(f.port())) {
            c.send("GET /a.txt HTTP/1.1\r\n" + HOST);
            // A header line every 50 ms, paced by waiting for the server's answer on the socket,
            // until the answer comes: each line is progress, yet the deadline holds.
            java.io.PushbackInputStream in = new java.io.PushbackInputStream(c.socket.getInputStream());
            c.socket.setSoTimeout(50);
            int lines = 0;
            while (true) {
                try {
                    int b = in.read();
                    assertThat(b).isEqualTo('H');
                    break;
                } catch (SocketTimeoutException e) {
                    c.send("X-" + lines++ + ": y\r\n");
                }
                assertThat(lines).as("no answer after %d lines", lines).isLessThan(400);
            }
            c.socket.setSoTimeout(20_000);
            // At least one line trickled in after the head began; a deadline that each line put off
            // would never have answered, and the bound of 400 lines (20 s of trickle) fails that.
            assertThat(lines).isPositive();
            byte[] rest = in.readAllBytes(); // the server closes after its answer
            assertThat(new String(rest, java.nio.charset.StandardCharsets.ISO_8859_1)).startsWith("TTP/1.1 408 ");
        }
    }

    @EachBackend
    void anIdleConnectionIsClosedAtTheIdleTimeout(ProactorFixture variant) throws Exception {
        ServeOptions o = ServerFixture.options(root, variant).idleTimeout(Duration.ofMillis(300)).build();
        try (ServerFixture f = new ServerFixture(o, variant); RawHttp c = new RawHttp(f.port())) {
            assertThat(c.send("GET /a.txt HTTP/1.1\r\n" + HOST + "\r\n").read().status()).isEqualTo(200);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /** The access log file gets one Common Log Format line per exchange, written asynchronously. */
    @EachBackend
    void theAccessLogFileHasOneLinePerExchange(ProactorFixture variant) throws Exception {
        Path log = tmp.resolve("access.log");
        Files.writeString(log, "earlier line\n"); // appended to, never truncated
        ServeOptions o = ServerFixture.options(root, variant).accessLog(log.toString()).build();
        try (ServerFixture f = new ServerFixture(o, variant); RawHttp c = new RawHttp(f.port())) {
            c.send("GET /a.txt HTTP/1.1\r\n" + HOST + "\r\n"
                    + "HEAD /b.txt HTTP/1.1\r\n" + HOST + "\r\n"
                    + "GET /\"quoted\" HTTP/1.1\r\n" + HOST + "\r\n"
                    + "BREW / HTTP/1.1\r\n" + HOST + "\r\n");
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.read(true).status()).isEqualTo(200);
            assertThat(c.read().status()).isEqualTo(404);
            assertThat(c.read().status()).isEqualTo(501);
            assertThat(c.closedByServer()).isTrue();
            f.stop(); // flushes the log
        }
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo("earlier line");
        String clf = "127\\.0\\.0\\.1 - - \\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\\] ";
        assertThat(lines.get(1)).matches(clf + "\"GET /a\\.txt HTTP/1\\.1\" 200 6");
        assertThat(lines.get(2)).matches(clf + "\"HEAD /b\\.txt HTTP/1\\.1\" 200 -");
        assertThat(lines.get(3)).matches(clf + "\"GET /\\\\\"quoted\\\\\" HTTP/1\\.1\" 404 14");
        assertThat(lines.get(4)).matches(clf + "\"BREW / HTTP/1\\.1\" 501 \\d+");
    }
}
