package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that are not Java: curl for byte-exact bodies and ranges, wrk for a short load. Neither
 * is part of a fresh Debian machine: {@code .ci/run} installs them; a test whose tool is missing
 * fails, naming the package ({@link #tool}), rather than skipping.
 */
class ExternalClientsTest {
    @TempDir
    Path root;

    record Result(int code, String out, String err) {}

    static Result exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        byte[] out;
        byte[] err;
        // Closed here, not left to the JDK's process reaper: it closes them only after waitFor()
        // may already have returned, and the server fixture counts this process's open pipes.
        try (var stdout = p.getInputStream(); var stderr = p.getErrorStream()) {
            out = stdout.readAllBytes();
            err = stderr.readAllBytes();
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.ISO_8859_1),
                new String(err, StandardCharsets.UTF_8));
    }

    @EachBackend
    void curlGetsTheExactBytesAndARange(ProactorFixture variant) throws Exception {
        byte[] data = new byte[(3 << 20) + 17];
        new Random(3).nextBytes(data);
        Files.write(root.resolve("data.bin"), data);
        Path got = root.resolve("../got-" + variant.variantName() + ".bin").normalize();
        try (ServerFixture f = new ServerFixture(root, variant)) {
            String curl = tool("curl", "curl");
            Result r = exec(List.of(curl, "-sS", "--fail", "-o", got.toString(), "-w", "%{http_code} %{size_download}",
                    f.uri("/data.bin").toString()));
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("200 " + data.length);
            assertThat(Arrays.equals(Files.readAllBytes(got), data)).as("curl's file equals the served one").isTrue();

            Result range = exec(List.of(curl, "-sS", "-i", "-r", "1000-1999", f.uri("/data.bin").toString()));
            assertThat(range.code()).as(range.err()).isZero();
            String text = range.out();
            assertThat(text).startsWith("HTTP/1.1 206 Partial Content\r\n")
                    .contains("\r\nContent-Range: bytes 1000-1999/" + data.length + "\r\n")
                    .contains("\r\nContent-Length: 1000\r\n");
            byte[] body = text.substring(text.indexOf("\r\n\r\n") + 4).getBytes(StandardCharsets.ISO_8859_1);
            assertThat(body).isEqualTo(Arrays.copyOfRange(data, 1000, 2000));
        } finally {
            Files.deleteIfExists(got);
        }
    }

    /** A short wrk load on one proactor, then on two sharing the port (a group, SO_REUSEPORT). */
    @EachBackend
    void wrkRunsWithoutErrorsOrNon2xx(ProactorFixture variant) throws Exception {
        String wrk = tool("wrk", "wrk");
        Files.writeString(root.resolve("index.html"), "<h1>hello from proactor serve</h1>\n".repeat(50));
        for (int dispatchers : new int[] {1, 2}) {
            ServeOptions options = ServerFixture.options(root, variant).dispatchers(dispatchers).build();
            try (ServerFixture f = new ServerFixture(options, variant)) {
                Result r = exec(List.of(wrk, "-t2", "-c16", "-d2s", "--timeout", "5s", f.uri("/").toString()));
                String out = dispatchers + " dispatcher(s): " + r.out();
                assertThat(r.code()).as(out + r.err()).isZero();
                Matcher done = Pattern.compile("(\\d+) requests in").matcher(out);
                assertThat(done.find()).as(out).isTrue();
                assertThat(Long.parseLong(done.group(1))).as(out).isPositive();
                // wrk prints these lines only when they are not zero.
                assertThat(out).as(out).doesNotContain("Socket errors").doesNotContain("Non-2xx");
                StaticFileServer.Summary s = f.stop();
                assertThat(s.requests()).as(out).isGreaterThanOrEqualTo(Long.parseLong(done.group(1)));
            }
        }
    }

    /**
     * The path of {@code command} on the PATH; fails, naming the Debian package, when it is missing.
     * {@code .ci/run} installs every tool the tests need (as root, with apt-get) before the build.
     */
    static String tool(String command, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return Path.of(dir, command).toString();
            }
        }
        return fail(command + " is needed by this test and is not on the PATH; .ci/run installs it when run as"
                + " root, or: apt-get install " + debianPackage);
    }
}
