package dev.proactor.internal.select;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * io_uring refused the way container runtimes refuse it: a seccomp filter answering EPERM or
 * ENOSYS. A child JVM under that filter must report the cause and never crash.
 */
class RefusedUringTest {
    @TempDir
    static Path dir;

    static Path wrapper;

    @BeforeAll
    static void buildWrapper() throws Exception {
        Path source = dir.resolve("deny-io-uring.c");
        try (InputStream in = RefusedUringTest.class.getResourceAsStream("/seccomp/deny-io-uring.c")) {
            Files.copy(in, source);
        }
        wrapper = dir.resolve("deny-io-uring");
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O2", "-o", wrapper.toString(), source.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            // Not a skip: without the wrapper the fallback under a refusing seccomp profile goes untested.
            throw new AssertionError("gcc is needed to build the seccomp wrapper and is not installed (" + e.getMessage()
                    + "); .ci/run installs it when run as root, or: apt-get install gcc libc6-dev", e);
        }
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as("gcc failed (the C library and kernel headers come with libc6-dev and"
                + " linux-libc-dev): %s", out).isZero();
    }

    static Map<String, String> runChild(String errno) throws Exception {
        return runChild(errno, RefusedUringChild.class);
    }

    static Map<String, String> runChild(String errno, Class<?> main) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(wrapper.toString(), errno, java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), main.getName()))
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("child output:%n%s", out).isZero();
        Map<String, String> lines = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                lines.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return lines;
    }

    @ParameterizedTest
    @ValueSource(strings = {"EPERM", "ENOSYS"})
    void refusedUringIsReportedWithItsCause(String errno) throws Exception {
        Map<String, String> r = runChild(errno);
        assertThat(r.get("available")).isEqualTo("false");
        assertThat(r.get("cause")).contains(errno);
        assertThat(r.get("IO_URING")).startsWith("refused").contains(errno);
        String auto = r.get("AUTO");
        if (Backends.available(dev.proactor.BackendChoice.PORTABLE).isEmpty()) {
            assertThat(auto).startsWith("opened portable").contains("io_uring unavailable").contains(errno);
        } else {
            assertThat(auto).startsWith("refused").contains(errno);
        }
    }

    /**
     * The fallback is not only chosen but works: the contract suite's quick subset runs in the
     * child on the portable backend (its io_uring invocations skip, with the reason) and passes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"EPERM", "ENOSYS"})
    void theFallbackPassesTheContractSuitesQuickSubset(String errno) throws Exception {
        Map<String, String> r = runChild(errno, RefusedUringContractChild.class);
        assertThat(r.get("auto")).startsWith("portable").contains("io_uring unavailable").contains(errno);
        assertThat(Integer.parseInt(r.get("failed"))).isZero();
        assertThat(Integer.parseInt(r.get("succeeded"))).isGreaterThan(10);
        // Every io_uring invocation of the subset skipped, with its reason, rather than passing.
        assertThat(Integer.parseInt(r.get("skipped"))).isGreaterThan(0);
    }
}
