package dev.proactor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built command as a user starts it, outside the checkout: the packaged jar with {@code java
 * -jar} from another directory, and {@code bin/proactor} through a symbolic link with JAVA_HOME
 * unset. Runs after {@code package} (failsafe), on the jar and script the build just produced.
 */
class LaunchIT {
    private static final Path JAR = Path.of(System.getProperty("proactor.jar"));
    private static final Path SCRIPT = Path.of(System.getProperty("proactor.script"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private record Run(int exitCode, String out, String err) {}

    @Test
    void theJarAloneRunsFromAnotherDirectoryWithNativeAccessFromItsManifest(@TempDir Path dir) throws Exception {
        assertThat(JAR).isRegularFile();
        // Alone in another directory: nothing beside it (no lib/) and nothing from the checkout.
        Path jar = Files.copy(JAR, dir.resolve("proactor.jar"));
        // No --enable-native-access: without the manifest's Enable-Native-Access the JDK warns about
        // the restricted methods on stderr. An empty stderr also means no log line from the library.
        Run probe = run(dir, List.of(JAVA, "-jar", jar.toString(), "probe"), false, Map.of());
        assertThat(probe.exitCode).as("stderr: %s", probe.err).isZero();
        assertThat(probe.out).startsWith("backend:");
        assertThat(probe.err).isEmpty();

        Run version = run(dir, List.of(JAVA, "-jar", jar.toString(), "--version"), false, Map.of());
        assertThat(version.exitCode).isZero();
        assertThat(version.out).startsWith("proactor " + System.getProperty("proactor.version") + " (Java ");
    }

    @Test
    void binProactorRunsThroughASymbolicLinkElsewhereWithoutJavaHome(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path link = Files.createSymbolicLink(bin.resolve("proactor"), SCRIPT.toAbsolutePath());
        // A relative link to that link: the script must follow the chain to the checkout.
        Path chained = Files.createSymbolicLink(dir.resolve("px"), Path.of("bin", "proactor"));
        assertThat(link).isSymbolicLink();

        Run first = run(dir, List.of(chained.toString(), "probe"), true, Map.of());
        assertThat(first.exitCode).as("stderr: %s", first.err).isZero();
        assertThat(first.out).startsWith("backend:");
        // The script found the fresh jar (no rebuild message) and a JDK 25 by itself; at most it made
        // the start-up cache, once per build.
        assertThat(first.err).isIn("", "proactor: preparing the start-up cache (once per build)...\n");

        Run probe = run(dir, List.of(chained.toString(), "probe"), true, Map.of());
        assertThat(probe.exitCode).as("stderr: %s", probe.err).isZero();
        assertThat(probe.out).startsWith("backend:");
        assertThat(probe.err).isEmpty();
    }

    @Test
    void binProactorMakesItsStartUpCacheOnceAndStartsFromIt(@TempDir Path dir) throws Exception {
        // Options of their own, so a cache of their own: made by the first run, used by the second.
        // The class-loading log says where each class came from: the cache is the "shared objects file".
        Map<String, String> env = Map.of("PROACTOR_JAVA_OPTS", "-Xlog:class+load=info:stdout -Dlaunch.it=" + dir);
        Path target = SCRIPT.toAbsolutePath().getParent().getParent().resolve("proactor-cli/target");
        // Another option set's cache and failure mark: the new cache replaces them.
        Path stale = Files.writeString(target.resolve("proactor-0-launch-it-stale.aot"), "");
        Path staleFailed = Files.writeString(target.resolve("proactor-0-launch-it-stale.aot.failed"), "");
        List<Path> before = caches(target);
        try {
            startsFromItsCache(dir, env);
            assertThat(stale).doesNotExist();
            assertThat(staleFailed).doesNotExist();
        } finally {
            Files.deleteIfExists(stale);
            Files.deleteIfExists(staleFailed);
            // This test's options make a cache nobody else uses: take it away again.
            for (Path made : caches(target)) {
                if (!before.contains(made)) {
                    Files.delete(made);
                }
            }
        }
    }

    private static List<Path> caches(Path target) throws IOException {
        try (var files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().matches("proactor-.*\\.aot.*")).toList();
        }
    }

    private static void startsFromItsCache(Path dir, Map<String, String> env) throws Exception {
        Run first = run(dir, List.of(SCRIPT.toAbsolutePath().toString(), "probe"), true, env);
        assertThat(first.exitCode).as("stderr: %s", first.err).isZero();
        assertThat(first.err).isEqualTo("proactor: preparing the start-up cache (once per build)...\n");

        Run second = run(dir, List.of(SCRIPT.toAbsolutePath().toString(), "probe"), true, env);
        assertThat(second.exitCode).as("stderr: %s", second.err).isZero();
        assertThat(second.err).isEmpty();
        assertThat(second.out).contains("dev.proactor.cli.Main source: shared objects file")
                .contains("dev.proactor.Proactor source: shared objects file");
        // picocli too: its own jar's classes (class-file version 49) cannot be in the cache once
        // linked, so the build compiles picocli's sources for this release (proactor-cli/pom.xml).
        assertThat(second.out).contains("picocli.CommandLine source: shared objects file")
                .doesNotContain("picocli.CommandLine source: file:");

        Run without = run(dir, List.of(SCRIPT.toAbsolutePath().toString(), "probe"), true,
                Map.of("PROACTOR_JAVA_OPTS", env.get("PROACTOR_JAVA_OPTS"), "PROACTOR_AOT", "no"));
        assertThat(without.exitCode).as("stderr: %s", without.err).isZero();
        assertThat(without.out).contains("dev.proactor.cli.Main source: file:")
                .doesNotContain("dev.proactor.cli.Main source: shared objects file");
    }

    private static Run run(Path dir, List<String> command, boolean withoutJavaHome, Map<String, String> env)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        if (withoutJavaHome) {
            pb.environment().remove("JAVA_HOME");
        }
        pb.environment().remove("PROACTOR_JAVA_OPTS");
        pb.environment().remove("PROACTOR_AOT");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        String out = drain(p.getInputStream());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s ended", command).isTrue();
        return new Run(p.exitValue(), out, err.get(10, TimeUnit.SECONDS));
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
