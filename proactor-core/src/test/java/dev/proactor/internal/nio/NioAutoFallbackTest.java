package dev.proactor.internal.nio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.uring.UringSupport;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AUTO without io_uring: the portable backend and the reason; the choice is logged at DEBUG, so the
 * default logging configuration prints nothing, and one asking for FINE gets exactly one
 * line about it.
 */
class NioAutoFallbackTest {

    @Test
    void autoFallsBackToThePortableBackendAndLogsTheChoiceAtDebugOnly(@TempDir Path dir) throws Exception {
        Child quiet = runChild();
        assertThat(quiet.out).contains("backend=portable");
        assertThat(quiet.out).contains("reason=auto: io_uring unavailable (disabled by system property "
                + UringSupport.DISABLE_PROPERTY + "=true), using the portable backend");
        assertThat(quiet.out).doesNotContain("portable backend is off");
        assertThat(quiet.records()).as("log records of the child under the JDK's default configuration").isEmpty();

        // The README's way to see the choice: System.Logger DEBUG is java.util.logging's FINE.
        Path config = dir.resolve("logging.properties");
        Files.writeString(config, """
                handlers = java.util.logging.ConsoleHandler
                java.util.logging.ConsoleHandler.level = FINE
                dev.proactor.level = FINE
                """);
        Child verbose = runChild("-Djava.util.logging.config.file=" + config);
        // Other DEBUG records may come too (the portable backend's note on registered buffers).
        assertThat(verbose.records()).as("log records of the child with dev.proactor at FINE")
                .filteredOn(r -> r.contains("backend portable")).containsExactly(
                "FINE: fallback: backend portable (auto: io_uring unavailable (disabled by system property "
                        + UringSupport.DISABLE_PROPERTY + "=true), using the portable backend)");
    }

    private record Child(String out, String err) {
        /** java.util.logging's default format: a date line, then "LEVEL: message". */
        List<String> records() {
            return err.lines().filter(l -> l.matches("^(SEVERE|WARNING|INFO|CONFIG|FINE\\w*): .*")).toList();
        }
    }

    private static Child runChild(String... jvmOptions) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-D" + UringSupport.DISABLE_PROPERTY + "=true",
                "--enable-native-access=ALL-UNNAMED"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), AutoFallbackMain.class.getName()));
        Process child = new ProcessBuilder(command).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(child.getErrorStream()));
        String out = drain(child.getInputStream());
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String log = err.get(10, TimeUnit.SECONDS);
        assertThat(child.exitValue()).as("stdout %s%nstderr %s", out, log).isZero();
        return new Child(out, log);
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
