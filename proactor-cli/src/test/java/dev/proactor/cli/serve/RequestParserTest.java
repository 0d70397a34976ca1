package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The request parser, range resolution, entity-tag matching and listing encoding, unit by unit. */
class RequestParserTest {
    static final int LINE = 8192;
    static final int HEAD = 16384;

    static RequestParser.Result parse(String s) {
        return parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static RequestParser.Result parse(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(HEAD);
        b.put(0, bytes, 0, Math.min(bytes.length, HEAD));
        return RequestParser.parse(b, Math.min(bytes.length, HEAD), LINE, HEAD);
    }

    static HttpRequest parsed(String s) {
        RequestParser.Result r = parse(s);
        assertThat(r).as(s).isInstanceOf(RequestParser.Parsed.class);
        return ((RequestParser.Parsed) r).request();
    }

    static int status(String s) {
        RequestParser.Result r = parse(s);
        assertThat(r).as(s).isInstanceOf(RequestParser.Rejected.class);
        return ((RequestParser.Rejected) r).status();
    }

    @Test
    void aPipelinedHeadTakesOnlyItsOwnBytes() {
        String first = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
        RequestParser.Result r = parse(first + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(r).isEqualTo(new RequestParser.Parsed(((RequestParser.Parsed) parse(first)).request(), first.length()));
    }

    @Test
    void incompleteHeadsAskForMore() {
        String full = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
        for (int i = 0; i < full.length(); i++) {
            assertThat(parse(full.substring(0, i))).as("prefix %d", i).isInstanceOf(RequestParser.Incomplete.class);
        }
    }

    @Test
    void bareLineFeedsAndLeadingEmptyLinesAreAccepted() {
        assertThat(parsed("\r\n\nGET /a HTTP/1.1\nHost: x\n\n").target().segments()).containsExactly("a");
        assertThat(status("\r\n".repeat(RequestParser.MAX_LEADING_EMPTY_LINES + 1) + "GET / HTTP/1.1\r\n\r\n"))
                .isEqualTo(400);
    }

    @Test
    void keepAliveFollowsTheVersionAndConnectionHeader() {
        assertThat(parsed("GET / HTTP/1.1\r\nHost: x\r\n\r\n").keepAlive()).isTrue();
        assertThat(parsed("GET / HTTP/1.1\r\nHost: x\r\nConnection: Keep-Alive, CLOSE\r\n\r\n").keepAlive()).isFalse();
        assertThat(parsed("GET / HTTP/1.0\r\n\r\n").keepAlive()).isFalse();
        assertThat(parsed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keepAlive()).isTrue();
        assertThat(parsed("GET / HTTP/1.9\r\nHost: x\r\n\r\n").minorVersion()).isEqualTo(1);
    }

    @Test
    void targetsAreDecodedSegmentBySegment() {
        HttpRequest.Target t = parsed("GET /a%20b//%C3%BC/?q=%2f HTTP/1.1\r\nHost: x\r\n\r\n").target();
        assertThat(t.segments()).containsExactly("a b", "ü");
        assertThat(t.trailingSlash()).isTrue();
        // The redirect is rebuilt from the segments: one slash each, re-encoded, the query kept.
        assertThat(t.directoryLocation()).isEqualTo("/a%20b/%C3%BC/?q=%2f");
        assertThat(parsed("GET //evil.example HTTP/1.1\r\nHost: x\r\n\r\n").target().directoryLocation())
                .isEqualTo("/evil.example/");
        assertThat(t.rawQuery()).isEqualTo("q=%2f");
        assertThat(t.decodedPath()).isEqualTo("/a b/ü/");
        // ASCII takes the short way, anything else the strict decoder: malformed UTF-8 names no file.
        assertThat(parsed("GET /plain-ascii~1 HTTP/1.1\r\nHost: x\r\n\r\n").target().segments())
                .containsExactly("plain-ascii~1");
        assertThat(parsed("GET /%E2%82%AC HTTP/1.1\r\nHost: x\r\n\r\n").target().segments()).containsExactly("€");
        assertThat(status("GET /%FF HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(404);
        assertThat(status("GET /a%C3%28 HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(404);
        assertThat(status("GET /%C0%AE%C0%AE HTTP/1.1\r\nHost: x\r\n\r\n")).as("overlong dots").isEqualTo(404);
        assertThat(parsed("GET http://example.com/x/y HTTP/1.1\r\nHost: x\r\n\r\n").target().segments())
                .containsExactly("x", "y");
        assertThat(parsed("GET http://example.com HTTP/1.1\r\nHost: x\r\n\r\n").target().segments()).isEmpty();
    }

    /**
     * The parser reads the target in place and makes strings only of the headers it acts on: the
     * same answers for every shape those shortcuts take (plain and escaped segments, absolute form
     * in any case, header names in any case, optional whitespace around values, skipped headers).
     */
    @Test
    void targetsAndHeadersReadInPlaceGiveTheSameAnswers() {
        HttpRequest.Target t = parsed("GET /a/bb/c.txt HTTP/1.1\r\nHost: x\r\n\r\n").target();
        assertThat(t.segments()).containsExactly("a", "bb", "c.txt");
        assertThat(t.trailingSlash()).isFalse();
        assertThat(t.rawQuery()).isNull();
        HttpRequest.Target root = parsed("GET / HTTP/1.1\r\nHost: x\r\n\r\n").target();
        assertThat(root.segments()).isEmpty();
        assertThat(root.trailingSlash()).isTrue();
        assertThat(parsed("GET /one HTTP/1.1\r\nHost: x\r\n\r\n").target().segments()).containsExactly("one");
        assertThat(status("GET /a\\b HTTP/1.1\r\nHost: x\r\n\r\n")).as("a plain backslash").isEqualTo(403);
        assertThat(status("GET /a%5Cb HTTP/1.1\r\nHost: x\r\n\r\n")).as("an escaped backslash").isEqualTo(403);
        assertThat(status("GET /a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n")).as("an escaped slash").isEqualTo(403);
        assertThat(status("GET /a/../b HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(403);
        assertThat(status("GET /a/%2e%2E/b HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(403);
        assertThat(status("GET /a%0Ab HTTP/1.1\r\nHost: x\r\n\r\n")).as("an escaped control").isEqualTo(403);
        assertThat(status("GET /a%2 HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET /a#f HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET a/b HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(400);
        HttpRequest.Target abs = parsed("GET HTTPS://Example.COM/x/?q=1 HTTP/1.1\r\nHost: x\r\n\r\n").target();
        assertThat(abs.segments()).containsExactly("x");
        assertThat(abs.trailingSlash()).isTrue();
        assertThat(abs.rawQuery()).isEqualTo("q=1");
        assertThat(parsed("GET http://example.com?q HTTP/1.1\r\nHost: x\r\n\r\n").target().segments()).isEmpty();

        HttpRequest r = parsed("HEAD /f HTTP/1.1\r\nX-Skipped: a\r\nhOsT: \t x:80 \t\r\n"
                + "IF-NONE-MATCH:\"e\"\r\nCONNECTION:  Close \r\n\r\n");
        assertThat(r.method()).isEqualTo("HEAD");
        assertThat(r.isHead()).isTrue();
        assertThat(r.ifNoneMatch()).isEqualTo("\"e\"");
        assertThat(r.keepAlive()).isFalse();
        assertThat(r.requestLine()).isEqualTo("HEAD /f HTTP/1.1");
        assertThat(status("GET /f HTTP/1.1\r\nHost: x\r\nHOST: y\r\n\r\n")).as("two Hosts in two cases").isEqualTo(400);
        assertThat(status("GET /f HTTP/1.1\r\nHost: a b\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET /f HTTP/1.1\r\nHost: x\r\nContent-LENGTH: 5\r\n\r\n")).isEqualTo(413);
        assertThat(parsed("GET /f HTTP/1.1\r\nHost: x\r\nContent-Length:  0 \r\n\r\n").keepAlive()).isTrue();
        assertThat(status("GETX /f HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(501);
        assertThat(status("POST /f HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(405);
        assertThat(status("GET /f HTTP/1.1 \r\nHost: x\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET /f HTTP/2.0\r\nHost: x\r\n\r\n")).isEqualTo(505);
        assertThat(parsed("GET /f HTTP/1.0\r\n\r\n").minorVersion()).isZero();
    }

    @Test
    void limitsGive414And431AtTheirBoundaries() {
        String okLine = "GET /" + "a".repeat(LINE - "GET / HTTP/1.1".length()) + " HTTP/1.1";
        assertThat(okLine).hasSize(LINE);
        assertThat(parse(okLine + "\r\nHost: x\r\n\r\n")).isInstanceOf(RequestParser.Parsed.class);
        assertThat(status("GET /a" + okLine.substring(5) + "\r\nHost: x\r\n\r\n")).isEqualTo(414);
        // An unterminated request line is judged as soon as it is too long, without waiting for more.
        assertThat(status("GET /" + "a".repeat(LINE))).isEqualTo(414);

        String head = "GET / HTTP/1.1\r\nHost: x\r\n";
        String filler = "X: " + "f".repeat(HEAD - head.length() - 2 - 5) + "\r\n";
        assertThat(parse(head + filler + "\r\n")).isInstanceOf(RequestParser.Parsed.class);
        assertThat(status(head + filler + "X\r\n\r\n")).isEqualTo(431);
    }

    /** RFC 9112 section 3.2 and RFC 3986 section 3.2.2, form by form. */
    @Test
    void hostValues() {
        for (String valid : List.of("a", "example.com", "example.com:80", "example.com:", "1.2.3.4",
                "256.1.1.1", "a%2Fb", "!$&'()*+,;=-._~", "[::]", "[::1]:443", "[1::]", "[1:2:3:4:5:6:7:8]",
                "[1:2:3:4:5:6:7::]", "[::2:3:4:5:6:7:8]", "[::ffff:10.0.0.1]", "[1:2:3:4:5:6:1.2.3.4]", "[v7.a:b]",
                "[V1A.x]")) {
            assertThat(HostSyntax.isValid(valid)).as(valid).isTrue();
        }
        for (String invalid : List.of("", ":80", "a b", "a/b", "a\\b", "a@b", "a?b", "a#b", "a:b", "a:80:80",
                "a%", "a%2", "a%zz", "\u00e9", "[", "[]", "[::1", "::1", "[::1]80", "[::1]:x", "[:::]", "[1::2::3]",
                "[1:2:3:4:5:6:7:8:9]", "[1:2:3:4:5:6:7]", "[12345::]", "[g::]", "[:1::]", "[1.2.3.4::]",
                "[::1.2.3]", "[::1.2.3.256]", "[::01.2.3.4]", "[1:2:3:4:5:6:7:1.2.3.4]", "[::1%25eth0]",
                "[v.x]", "[v1.]", "[v1x]", "[vg.x]", "[v1.a/b]")) {
            assertThat(HostSyntax.isValid(invalid)).as(invalid).isFalse();
        }
        assertThat(status("GET / HTTP/1.1\r\nHost: a b/c\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET / HTTP/1.1\r\nHost:\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n")).isEqualTo(400);
        assertThat(parsed("GET / HTTP/1.0\r\n\r\n").minorVersion()).isZero();
        assertThat(parsed("GET / HTTP/1.1\r\nHost:  [::1]:8080 \t\r\n\r\n").minorVersion()).isEqualTo(1);
    }

    @Test
    void ranges() {
        assertThat(ByteRange.resolve(null, 10)).isInstanceOf(ByteRange.Whole.class);
        assertThat(ByteRange.resolve("bytes=0-0", 10)).isEqualTo(new ByteRange.Part(new ByteRange(0, 0)));
        assertThat(ByteRange.resolve("bytes=5-", 10)).isEqualTo(new ByteRange.Part(new ByteRange(5, 9)));
        assertThat(ByteRange.resolve("bytes=-20", 10)).isEqualTo(new ByteRange.Part(new ByteRange(0, 9)));
        assertThat(ByteRange.resolve("bytes=10-", 10)).isInstanceOf(ByteRange.Unsatisfiable.class);
        assertThat(ByteRange.resolve("bytes=-1", 0)).isInstanceOf(ByteRange.Unsatisfiable.class);
        for (String ignored : List.of("bytes=5-2", "bytes=a-b", "bytes=-", "items=1-2", "bytes=0-1,2-3",
                "bytes=99999999999999999999-")) {
            assertThat(ByteRange.resolve(ignored, 10)).as(ignored).isInstanceOf(ByteRange.Whole.class);
        }
    }

    @Test
    void entityTags() {
        assertThat(EntityTags.weakMatch("W/\"a\"", "\"a\"")).isTrue();
        assertThat(EntityTags.weakMatch("\"b\", \"a\"", "\"a\"")).isTrue();
        assertThat(EntityTags.weakMatch("\"b\"", "\"a\"")).isFalse();
        Instant t = Instant.ofEpochSecond(1_700_000_000);
        long s = t.getEpochSecond();
        assertThat(EntityTags.ifRangeAllows("\"a\"", "\"a\"", s, false)).isTrue();
        assertThat(EntityTags.ifRangeAllows("W/\"a\"", "\"a\"", s, true)).isFalse();
        assertThat(EntityTags.ifRangeAllows(HttpDates.format(t), "\"a\"", s, true)).isTrue();
        assertThat(EntityTags.ifRangeAllows(HttpDates.format(t), "\"a\"", s, false)).isFalse();
        assertThat(EntityTags.ifRangeAllows(HttpDates.format(t.minusSeconds(1)), "\"a\"", s, true)).isFalse();
    }

    /** RFC 9110 section 8.8.2.1: a modification time after the Date is sent, and judged, as the Date. */
    @Test
    void aFutureModificationTimeBecomesTheDate() {
        long date = 1_700_000_000L;
        Validators future = Validators.of(5, Instant.ofEpochSecond(date + 86_400, 7), date);
        assertThat(future.lastModified()).isEqualTo(date);
        assertThat(future.lastModifiedText()).isEqualTo(HttpDates.format(Instant.ofEpochSecond(date)));
        assertThat(future.etag()).isEqualTo("\"5-" + Long.toHexString(date + 86_400) + ".7\"");
        Validators past = Validators.of(5, Instant.ofEpochSecond(date - 10), date);
        assertThat(past.lastModified()).isEqualTo(date - 10);
        assertThat(past.lastModifiedText()).isEqualTo(HttpDates.format(Instant.ofEpochSecond(date - 10)));
    }

    @Test
    void httpDatesInAllThreeForms() {
        long s = 784111777L; // RFC 9110's example: Sun, 06 Nov 1994 08:49:37 GMT
        assertThat(HttpDates.format(Instant.ofEpochSecond(s))).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
        assertThat(HttpDates.parseSeconds("Sun, 06 Nov 1994 08:49:37 GMT")).isEqualTo(s);
        assertThat(HttpDates.parseSeconds("Sunday, 06-Nov-94 08:49:37 GMT")).isEqualTo(s);
        assertThat(HttpDates.parseSeconds("Sun Nov  6 08:49:37 1994")).isEqualTo(s);
        assertThat(HttpDates.parseSeconds("yesterday")).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void listingNamesAreEscapedAndEncoded() {
        assertThat(DirectoryListing.escapeHtml("<a href='x'>&\"")).isEqualTo("&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
        assertThat(DirectoryListing.encodePathSegment("a b?#%/")).isEqualTo("a%20b%3F%23%25/");
        assertThat(DirectoryListing.encodePathSegment("ü:x")).isEqualTo("%C3%BC%3Ax");
    }

    @Test
    void contentTypes() {
        assertThat(ContentTypes.of("index.HTML")).isEqualTo("text/html; charset=utf-8");
        assertThat(ContentTypes.of("photo.jpeg")).isEqualTo("image/jpeg");
        assertThat(ContentTypes.of("archive.tar.gz")).isEqualTo("application/gzip");
        assertThat(ContentTypes.of("README")).isEqualTo(ContentTypes.DEFAULT);
        assertThat(ContentTypes.of("trailing.")).isEqualTo(ContentTypes.DEFAULT);
    }
}
