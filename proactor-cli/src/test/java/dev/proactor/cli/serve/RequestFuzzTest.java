package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random and mutated requests, from a corpus of valid ones: fed to the parser, which must
 * never throw and always decide something coherent, and, for a smaller sample, to a live server,
 * which must answer each within a deadline with what the parser decided, or close when the head
 * was incomplete. The seed is fixed so that a failure repeats; the failing input is in the message.
 */
class RequestFuzzTest {
    static final long SEED = 0x5EEDL;
    static final Set<Integer> REJECTIONS = Set.of(400, 403, 404, 405, 413, 414, 431, 501, 505);
    static final Set<Integer> ANSWERS = Set.of(200, 206, 301, 304, 403, 404, 416);

    static final List<String> CORPUS = List.of(
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /a.txt HTTP/1.1\r\nHost: x\r\nUser-Agent: fuzz\r\nAccept: */*\r\n\r\n",
            "HEAD /dir/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=1-3\r\nIf-Range: \"x\"\r\n\r\n",
            "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"a\", W/\"b\"\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n",
            "GET /dir HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            "GET /%61%2e%74xt?x=1&y=%2f HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET http://x/a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
            "GET /a.txt HTTP/1.1\nHost: x\n\n",
            "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /dir/ HTTP/1.1\r\nHost: x\r\n\r\n");

    private static final byte[] INTERESTING = " \t\r\n:/%.\\\0?#\"-,=".getBytes(StandardCharsets.ISO_8859_1);

    /** One mutation of a corpus entry, or plain random bytes now and then. */
    static byte[] mutate(Random r) {
        if (r.nextInt(20) == 0) {
            byte[] noise = new byte[r.nextInt(200)];
            r.nextBytes(noise);
            return noise;
        }
        byte[] b = CORPUS.get(r.nextInt(CORPUS.size())).getBytes(StandardCharsets.ISO_8859_1);
        int rounds = 1 + r.nextInt(4);
        for (int i = 0; i < rounds && b.length > 0; i++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(7)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> b[at] = INTERESTING[r.nextInt(INTERESTING.length)];
                case 2 -> b = splice(b, at, 1, new byte[0]); // delete
                case 3 -> b = splice(b, at, 0, new byte[] {INTERESTING[r.nextInt(INTERESTING.length)]});
                case 4 -> { // duplicate a run
                    int len = Math.min(b.length - at, 1 + r.nextInt(64));
                    byte[] run = java.util.Arrays.copyOfRange(b, at, at + len);
                    int times = r.nextInt(10) == 0 ? 400 : 1 + r.nextInt(4);
                    for (int t = 0; t < times; t++) {
                        b = splice(b, at, 0, run);
                    }
                }
                case 5 -> b = java.util.Arrays.copyOf(b, at); // truncate
                default -> b = splice(b, at, 0, "%2e%2e/".getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    static String show(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s.toString();
    }

    static RequestParser.Result parse(byte[] bytes, int length, int maxLine, int maxHead) {
        ByteBuffer b = ByteBuffer.allocateDirect(maxHead);
        b.put(0, bytes, 0, length);
        return RequestParser.parse(b, length, maxLine, maxHead);
    }

    @Test
    void theParserAlwaysDecidesCoherently() {
        Random r = new Random(SEED);
        int parsed = 0;
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] input = mutate(r);
            int maxHead = 512 + r.nextInt(4096);
            int maxLine = 64 + r.nextInt(maxHead - 63);
            int length = Math.min(input.length, maxHead);
            String what = "input " + i + ": " + show(java.util.Arrays.copyOf(input, length));
            RequestParser.Result result = parse(input, length, maxLine, maxHead);
            assertThat(parse(input, length, maxLine, maxHead)).as("deterministic, " + what).isEqualTo(result);
            switch (result) {
                case RequestParser.Incomplete inc -> assertThat(length).as(what).isLessThan(maxHead);
                case RequestParser.Rejected x -> {
                    rejected++;
                    assertThat(REJECTIONS).as(what).contains(x.status());
                    assertThat(x.reason()).as(what).isNotBlank();
                }
                case RequestParser.Parsed p -> {
                    parsed++;
                    assertThat(p.length()).as(what).isBetween(1, length);
                    assertThat(p.request().method()).as(what).isIn("GET", "HEAD");
                    assertThat(p.request().target().segments()).as(what)
                            .noneMatch(s -> s.isEmpty() || s.equals("..") || s.equals(".") || s.contains("/")
                                    || s.contains("\\") || s.indexOf('\0') >= 0);
                    // The head ends exactly at its length: one byte less is not yet a request.
                    assertThat(parse(input, p.length() - 1, maxLine, maxHead)).as(what)
                            .isInstanceOf(RequestParser.Incomplete.class);
                }
            }
        }
        // The mutations must exercise both sides, or the test proves little.
        assertThat(parsed).isGreaterThan(2000);
        assertThat(rejected).isGreaterThan(2000);
    }

    @TempDir
    Path root;

    @EachBackend
    void aLiveServerAnswersWhatTheParserDecides(ProactorFixture variant) throws Exception {
        Files.writeString(root.resolve("a.txt"), "alpha\n");
        Files.createDirectories(root.resolve("dir"));
        Files.writeString(root.resolve("dir/index.html"), "<p>index</p>");
        Random r = new Random(SEED + variant.variantName().hashCode());
        ServeOptions options = ServerFixture.options(root, variant).build();
        try (ServerFixture f = new ServerFixture(options, variant)) {
            for (int i = 0; i < 150; i++) {
                byte[] input = mutate(r);
                String what = "input " + i + ": " + show(input);
                byte[] head = java.util.Arrays.copyOf(input, Math.min(input.length, options.maxHeaderSize()));
                RequestParser.Result expected = parse(head, head.length, options.maxRequestLine(),
                        options.maxHeaderSize());
                try (Socket s = new Socket("127.0.0.1", f.port())) {
                    s.setSoTimeout(10_000); // the deadline of each exchange: a hang fails here
                    s.getOutputStream().write(input);
                    s.shutdownOutput();
                    byte[] answer = readUntilClosed(s.getInputStream());
                    String text = new String(answer, StandardCharsets.ISO_8859_1);
                    switch (expected) {
                        case RequestParser.Incomplete inc -> assertThat(text).as(what).isEmpty();
                        case RequestParser.Rejected x -> {
                            assertThat(text).as(what).startsWith("HTTP/1.1 " + x.status() + " ");
                            assertThat(text).as(what).contains("\r\nConnection: close\r\n");
                        }
                        case RequestParser.Parsed p -> {
                            assertThat(text).as(what).startsWith("HTTP/1.1 ");
                            int status = Integer.parseInt(text.substring(9, 12));
                            assertThat(ANSWERS).as(what).contains(status);
                        }
                    }
                }
            }
        }
    }

    /** Everything the server sends until it closes; a reset after a complete answer counts as closed. */
    private static byte[] readUntilClosed(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) != -1) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketException e) {
            if (out.size() == 0) {
                throw e;
            }
        }
        return out.toByteArray();
    }
}
