package dev.proactor.internal.nio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.uring.UringSupport;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** AUTO without io_uring: the portable backend, the reason, and exactly one log line. */
class NioAutoFallbackTest {

    @Test
    void autoFallsBackToThePortableBackendWithOneLogLine() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-D" + UringSupport.DISABLE_PROPERTY + "=true",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                AutoFallbackMain.class.getName()).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(child.getErrorStream()));
        String out = drain(child.getInputStream());
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String log = err.get(10, TimeUnit.SECONDS);
        assertThat(child.exitValue()).as("stdout %s%nstderr %s", out, log).isZero();

        assertThat(out).contains("backend=portable");
        assertThat(out).contains("reason=auto: io_uring unavailable (disabled by system property "
                + UringSupport.DISABLE_PROPERTY + "=true), using the portable backend");
        assertThat(out).doesNotContain("portable backend is off");
        // java.util.logging's default format: a date line, then "LEVEL: message".
        List<String> records = log.lines().filter(l -> l.matches("^(SEVERE|WARNING|INFO|CONFIG|FINE\\w*): .*")).toList();
        assertThat(records).as("log records of the child").containsExactly(
                "INFO: fallback: backend portable (auto: io_uring unavailable (disabled by system property "
                        + UringSupport.DISABLE_PROPERTY + "=true), using the portable backend)");
    }

    private static String drain(java.io.InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
