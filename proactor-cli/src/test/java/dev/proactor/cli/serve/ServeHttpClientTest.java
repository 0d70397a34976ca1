package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as the JDK's HTTP client sees it: GET, HEAD, conditional requests, ranges,
 * directories and errors, each on every variant of the core harness ({@link EachBackend}: io_uring,
 * portable, io_uring-fallback).
 */
class ServeHttpClientTest {
    static final String HELLO = "hello, world\n";

    @TempDir
    Path root;

    byte[] big;

    @BeforeEach
    void tree() throws Exception {
        Files.writeString(root.resolve("hello.txt"), HELLO);
        big = new byte[5 << 20 | 12345]; // over one transfer piece, and not a multiple of a page
        new Random(11).nextBytes(big);
        Files.write(root.resolve("big.bin"), big);
        Files.writeString(root.resolve("style.css"), "p{}");
        Files.writeString(root.resolve("data.json"), "{}");
        Files.writeString(root.resolve("noext"), "x");
        Files.createDirectories(root.resolve("site"));
        Files.writeString(root.resolve("site/index.html"), "<h1>site</h1>");
        Path plain = Files.createDirectories(root.resolve("plain"));
        Files.writeString(plain.resolve("a&b <c>.txt"), "amp");
        Files.writeString(plain.resolve("\"quoted\" 'x'.txt"), "quotes");
        Files.writeString(plain.resolve("ü ñ #?%.txt"), "unicode");
        Files.createDirectories(plain.resolve("sub dir"));
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private static HttpResponse<byte[]> get(HttpClient c, URI uri, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return c.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<byte[]> send(HttpClient c, String method, URI uri,
            HttpRequest.BodyPublisher body) throws Exception {
        return c.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).method(method, body).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @EachBackend
    void getServesTheFileWithItsHeaders(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant); HttpClient c = client()) {
            HttpResponse<byte[]> r = get(c, f.uri("/hello.txt"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(text(r)).isEqualTo(HELLO);
            assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
            assertThat(r.headers().firstValueAsLong("content-length")).hasValue(HELLO.length());
            assertThat(r.headers().firstValue("accept-ranges")).hasValue("bytes");
            assertThat(r.headers().firstValue("etag")).hasValueSatisfying(e -> assertThat(e).matches("\"[0-9a-f.-]+\""));
            assertThat(HttpDates.parseSeconds(r.headers().firstValue("last-modified").orElseThrow()))
                    .isEqualTo(Files.getLastModifiedTime(root.resolve("hello.txt")).toInstant().getEpochSecond());
            assertThat(HttpDates.parseSeconds(r.headers().firstValue("date").orElseThrow()))
                    .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));

            assertThat(get(c, f.uri("/style.css")).headers().firstValue("content-type")).hasValue("text/css; charset=utf-8");
            assertThat(get(c, f.uri("/data.json")).headers().firstValue("content-type"))
                    .hasValue("application/json; charset=utf-8");
            assertThat(get(c, f.uri("/noext")).headers().firstValue("content-type")).hasValue("application/octet-stream");
        }
    }

    @EachBackend
    void aLargeFileArrivesByteExact(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant); HttpClient c = client()) {
            HttpResponse<byte[]> r = get(c, f.uri("/big.bin"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValue("application/octet-stream");
            assertThat(Arrays.equals(r.body(), big)).as("body equals the file").isTrue();
        }
    }

    @EachBackend
    void headHasTheHeadersOfGetAndNoBody(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant); HttpClient c = client()) {
            HttpResponse<byte[]> got = get(c, f.uri("/big.bin"));
            HttpResponse<byte[]> head = send(c, "HEAD", f.uri("/big.bin"), HttpRequest.BodyPublishers.noBody());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            for (String h : new String[] {"content-length", "content-type", "etag", "last-modified"}) {
                assertThat(head.headers().firstValue(h)).as(h).isEqualTo(got.headers().firstValue(h));
            }
            // The connection stayed usable after a HEAD: nothing was sent beyond the head.
            assertThat(text(get(c, f.uri("/hello.txt")))).isEqualTo(HELLO);
            assertThat(f.stop().connections()).isEqualTo(1);
        }
    }

    @EachBackend
    void ifModifiedSinceAnswers304UntilTheFileChanges(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant); HttpClient c = client()) {
            String lastModified = get(c, f.uri("/hello.txt")).headers().firstValue("last-modified").orElseThrow();

            HttpResponse<byte[]> same = get(c, f.uri("/hello.txt"), "If-Modified-Since", lastModified);
            assertThat(same.statusCode()).isEqualTo(304);
            assertThat(same.body()).isEmpty();
            assertThat(same.headers().firstValue("etag")).isPresent();

            String before = HttpDates.format(java.time.Instant.ofEpochSecond(HttpDates.parseSeconds(lastModified) - 1));
            assertThat(get(c, f.uri("/hello.txt"), "If-Modified-Since", before).statusCode()).isEqualTo(200);
            assertThat(get(c, f.uri("/hello.txt"), "If-Modified-Since", "not a date").statusCode()).isEqualTo(200);
        }
    }

    @EachBackend
    void ifNoneMatchAnswers304AndTakesPrecedenceOverIfModifiedSince(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant); HttpClient c = client()) {
            HttpResponse<byte[]> first = get(c, f.uri("/hello.txt"));
            String etag = first.headers().firstValue("etag").orElseThrow();
            String lastModified = first.headers().firstValue("last-modified").orElseThrow();

            assertThat(get(c, f.uri("/hello.txt"), "If-None-Match", etag).statusCode()).isEqualTo(304);
            assertThat(get(c, f.uri("/hello.txt"), "If-None-Match", "\"other\", W/" + etag).statusCode()).isEqualTo(304);
            assertThat(get(c, f.uri("/hello.txt"), "If-None-Match", "*").statusCode()).isEqualTo(304);
            // A tag that does not match wins over a date that would have said "not modified".
            HttpResponse<byte[]> r = get(c, f.uri("/hello.txt"), "If-None-Match", "\"other\"",
                    "If-Modified-Since", lastModified);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(text(r)).isEqualTo(HELLO);
        }
    }

    /**
     * RFC 9110 section 8.8.2.1: a modification time later than the response's Date is replaced by
     * the Date, and the conditional headers are judged against that value, the one sent: a date at
     * or after it is "not modified", while If-Range refuses a date no earlier than the Date (section
     * 8.8.2.2: such a date is not a strong validator). The entity tag, from the file's own time,
     * still validates.
     */
    @EachBackend
    void aModificationTimeInTheFutureIsSentAsTheDate(ProactorFixture variant) throws Exception {
        Path future = root.resolve("future.txt");
        Files.writeString(future, HELLO);
        java.time.Instant mtime = java.time.Instant.now().plus(Duration.ofDays(2));
        Files.setLastModifiedTime(future, java.nio.file.attribute.FileTime.from(mtime));
        Path past = root.resolve("past.txt");
        Files.writeString(past, HELLO);
        Files.setLastModifiedTime(past, java.nio.file.attribute.FileTime.from(mtime.minus(Duration.ofDays(4))));
        try (ServerFixture f = new ServerFixture(root, variant); HttpClient c = client()) {
            HttpResponse<byte[]> r = get(c, f.uri("/future.txt"));
            assertThat(r.statusCode()).isEqualTo(200);
            String date = r.headers().firstValue("date").orElseThrow();
            String lastModified = r.headers().firstValue("last-modified").orElseThrow();
            assertThat(lastModified).isEqualTo(date);
            String etag = r.headers().firstValue("etag").orElseThrow();

            // Judged against the date sent, not the file's: an hour after it is "not modified"
            // (the file's own time lies a day past that), an hour before it is modified.
            long sent = HttpDates.parseSeconds(lastModified);
            String hourAfter = HttpDates.format(java.time.Instant.ofEpochSecond(sent + 3600));
            HttpResponse<byte[]> notModified = get(c, f.uri("/future.txt"), "If-Modified-Since", hourAfter);
            assertThat(notModified.statusCode()).isEqualTo(304);
            assertThat(HttpDates.parseSeconds(notModified.headers().firstValue("last-modified").orElseThrow()))
                    .isEqualTo(HttpDates.parseSeconds(notModified.headers().firstValue("date").orElseThrow()));
            String hourBefore = HttpDates.format(java.time.Instant.ofEpochSecond(sent - 3600));
            assertThat(get(c, f.uri("/future.txt"), "If-Modified-Since", hourBefore).statusCode()).isEqualTo(200);
            assertThat(get(c, f.uri("/future.txt"), "If-None-Match", etag).statusCode()).isEqualTo(304);

            // If-Range: the date sent is the Date, so it is no strong validator: the whole file.
            HttpResponse<byte[]> whole = get(c, f.uri("/future.txt"), "Range", "bytes=2-5", "If-Range", lastModified);
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(text(whole)).isEqualTo(HELLO);
            assertThat(get(c, f.uri("/future.txt"), "Range", "bytes=2-5", "If-Range", etag).statusCode())
                    .isEqualTo(206);

            // A time in the past is sent as it is, and its date allows a range.
            HttpResponse<byte[]> old = get(c, f.uri("/past.txt"));
            String oldModified = old.headers().firstValue("last-modified").orElseThrow();
            assertThat(HttpDates.parseSeconds(oldModified)).isEqualTo(Files.getLastModifiedTime(past).toInstant().getEpochSecond());
            HttpResponse<byte[]> part = get(c, f.uri("/past.txt"), "Range", "bytes=2-5", "If-Range", oldModified);
            assertThat(part.statusCode()).isEqualTo(206);
            assertThat(text(part)).isEqualTo(HELLO.substring(2, 6));
        }
    }

    @EachBackend
    void singleRangesGet206AndUnsatisfiableOnes416(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant); HttpClient c = client()) {
            HttpResponse<byte[]> r = get(c, f.uri("/hello.txt"), "Range", "bytes=2-5");
            assertThat(r.statusCode()).isEqualTo(206);
            assertThat(text(r)).isEqualTo(HELLO.substring(2, 6));
            assertThat(r.headers().firstValue("content-range")).hasValue("bytes 2-5/" + HELLO.length());

            assertThat(text(get(c, f.uri("/hello.txt"), "Range", "bytes=-3"))).isEqualTo(HELLO.substring(HELLO.length() - 3));
            assertThat(text(get(c, f.uri("/hello.txt"), "Range", "bytes=7-"))).isEqualTo(HELLO.substring(7));
            assertThat(text(get(c, f.uri("/hello.txt"), "Range", "bytes=7-1000"))).isEqualTo(HELLO.substring(7));

            HttpResponse<byte[]> bigPart = get(c, f.uri("/big.bin"), "Range", "bytes=4194000-4194999");
            assertThat(bigPart.body()).isEqualTo(Arrays.copyOfRange(big, 4194000, 4195000));

            HttpResponse<byte[]> none = get(c, f.uri("/hello.txt"), "Range", "bytes=" + HELLO.length() + "-");
            assertThat(none.statusCode()).isEqualTo(416);
            assertThat(none.headers().firstValue("content-range")).hasValue("bytes */" + HELLO.length());
            assertThat(get(c, f.uri("/hello.txt"), "Range", "bytes=-0").statusCode()).isEqualTo(416);

            // Several ranges, or a syntax we do not take: the whole file with 200.
            HttpResponse<byte[]> multi = get(c, f.uri("/hello.txt"), "Range", "bytes=0-1,3-4");
            assertThat(multi.statusCode()).isEqualTo(200);
            assertThat(text(multi)).isEqualTo(HELLO);
            assertThat(get(c, f.uri("/hello.txt"), "Range", "lines=1-2").statusCode()).isEqualTo(200);

            // If-Range: the range applies only while the validator still matches.
            String etag = r.headers().firstValue("etag").orElseThrow();
            assertThat(get(c, f.uri("/hello.txt"), "Range", "bytes=2-5", "If-Range", etag).statusCode()).isEqualTo(206);
            assertThat(get(c, f.uri("/hello.txt"), "Range", "bytes=2-5", "If-Range", "\"stale\"").statusCode())
                    .isEqualTo(200);
        }
    }

    @EachBackend
    void aDirectoryServesItsIndexOrAnEscapedListing(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant); HttpClient c = client()) {
            HttpResponse<byte[]> index = get(c, f.uri("/site/"));
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(text(index)).isEqualTo("<h1>site</h1>");
            assertThat(index.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");

            HttpResponse<byte[]> listing = get(c, f.uri("/plain/"));
            assertThat(listing.statusCode()).isEqualTo(200);
            String html = text(listing);
            assertThat(html).contains("<title>Index of /plain/</title>")
                    .contains(">a&amp;b &lt;c&gt;.txt</a>")
                    .contains(">&quot;quoted&quot; &#39;x&#39;.txt</a>")
                    .contains(">ü ñ #?%.txt</a>")
                    .contains("href=\"sub%20dir/\"")
                    .doesNotContain("<c>").doesNotContain(root.toString());
            // Every link leads to its file.
            Matcher m = Pattern.compile("<li><a href=\"([^\"]+)\">").matcher(html);
            int files = 0;
            while (m.find()) {
                String href = m.group(1);
                assertThat(href).doesNotContain(" ").doesNotContain("<").doesNotContain("#").doesNotContain("?");
                HttpResponse<byte[]> linked = get(c, f.uri("/plain/").resolve(href));
                assertThat(linked.statusCode()).as(href).isEqualTo(200);
                if (!href.endsWith("/")) {
                    files++;
                }
            }
            assertThat(files).isEqualTo(3);
        }
    }

    @EachBackend
    void aDirectoryWithoutItsSlashIsRedirected(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant); HttpClient c = client()) {
            HttpResponse<byte[]> r = get(c, f.uri("/site"));
            assertThat(r.statusCode()).isEqualTo(301);
            assertThat(r.headers().firstValue("location")).hasValue("/site/");
            assertThat(get(c, f.uri("/plain/sub%20dir?x=1")).headers().firstValue("location"))
                    .hasValue("/plain/sub%20dir/?x=1");
        }
    }

    @EachBackend
    void errorsHaveClearStatuses(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant); HttpClient c = client()) {
            HttpResponse<byte[]> missing = get(c, f.uri("/nothing-here.txt"));
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(text(missing)).isEqualTo("404 Not Found\n");
            assertThat(get(c, f.uri("/hello.txt/below")).statusCode()).isEqualTo(404);

            HttpResponse<byte[]> post = send(c, "POST", f.uri("/hello.txt"), HttpRequest.BodyPublishers.noBody());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
            assertThat(post.headers().firstValue("connection")).hasValue("close");

            HttpResponse<byte[]> put = send(c, "PUT", f.uri("/new.txt"), HttpRequest.BodyPublishers.ofString("data"));
            assertThat(put.statusCode()).isEqualTo(405);
            assertThat(Files.exists(root.resolve("new.txt"))).isFalse();

            HttpResponse<byte[]> body = send(c, "GET", f.uri("/hello.txt"), HttpRequest.BodyPublishers.ofString("a body"));
            assertThat(body.statusCode()).isEqualTo(413);

            HttpResponse<byte[]> unknown = send(c, "BREW", f.uri("/hello.txt"), HttpRequest.BodyPublishers.noBody());
            assertThat(unknown.statusCode()).isEqualTo(501);
        }
    }

    @EachBackend
    void keepAliveReusesOneConnection(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(root, variant); HttpClient c = client()) {
            for (int i = 0; i < 20; i++) {
                HttpResponse<byte[]> r = get(c, f.uri(i % 2 == 0 ? "/hello.txt" : "/missing"));
                assertThat(r.statusCode()).isEqualTo(i % 2 == 0 ? 200 : 404);
                assertThat(r.headers().firstValue("connection")).isEmpty();
            }
            StaticFileServer.Summary s = f.stop();
            assertThat(s.connections()).isEqualTo(1);
            assertThat(s.requests()).isEqualTo(20);
        }
    }

    /** Two proactors, each with a listener on the same port: every connection is answered, whichever took it. */
    @EachBackend
    void twoDispatchersShareThePort(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(ServerFixture.options(root, variant).dispatchers(2).build(), variant)) {
            assertThat(f.server.dispatchers()).isEqualTo(2);
            for (int i = 0; i < 8; i++) {
                try (HttpClient c = client()) { // a client each: a connection each
                    assertThat(text(get(c, f.uri("/hello.txt")))).isEqualTo(HELLO);
                    assertThat(get(c, f.uri("/big.bin")).body()).isEqualTo(big);
                }
            }
            StaticFileServer.Summary s = f.stop();
            assertThat(s.connections()).isEqualTo(8);
            assertThat(s.requests()).isEqualTo(16);
            assertThat(s.closes()).hasSize(2);
        }
    }

    /**
     * With two dispatchers both listeners take connections and answer them. The kernel's
     * SO_REUSEPORT hash picks a listener by the connection's addresses and ports, so 64 connections
     * from as many source ports all landing on one listener has odds of 2^-63 while both listen; it
     * is certain when one of them does not accept.
     */
    @EachBackend
    void withTwoDispatchersBothListenersServe(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(ServerFixture.options(root, variant).dispatchers(2).build(), variant)) {
            int port = f.server.address().getPort();
            for (int i = 0; i < 64; i++) {
                try (RawHttp c = new RawHttp(port)) {
                    RawHttp.Response r = c.send("GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                            .read();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.text()).isEqualTo(HELLO);
                }
            }
            StaticFileServer.Summary s = f.stop();
            assertThat(s.requests()).isEqualTo(64);
            assertThat(s.acceptedPerDispatcher()).as("connections per listener").hasSize(2)
                    .allSatisfy(n -> assertThat(n).isPositive());
            assertThat(s.acceptedPerDispatcher().get(0) + s.acceptedPerDispatcher().get(1)).isEqualTo(64);
        }
    }
}
