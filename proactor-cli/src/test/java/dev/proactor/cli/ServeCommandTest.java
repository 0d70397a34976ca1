package dev.proactor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.EachBackendExtension;
import dev.proactor.test.ProactorFixture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code proactor serve} as a command: its help, its usage errors, and a real process stopped by
 * SIGTERM or SIGINT, which must shut down gracefully and exit 0. What needs a backend runs on every
 * variant of the core harness ({@link EachBackend}); a child JVM gets the variant's JVM options.
 */
class ServeCommandTest {
    private static final Pattern SERVING = Pattern.compile("serving (.+) at http://127\\.0\\.0\\.1:(\\d+)/");

    @TempDir
    Path dir;

    @Test
    void helpDocumentsTheExitCodesAndTheDefaults() {
        CommandRun run = CommandRun.of("serve", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Exit codes:").contains("0   stopped by SIGINT or SIGTERM")
                .contains("--port=PORT").contains("default: 8080").contains("default: 127.0.0.1")
                .contains("--access-log").contains("--max-connections").contains("--header-timeout")
                .contains("--max-requests-per-connection").contains("default: 1000")
                .contains("--shutdown-timeout").contains("--backend")
                .contains("--file-cache=N").contains("--file-cache-descriptors=N").contains("default: 256")
                .contains("--file-cache-validity=TIME").contains("default: 1s")
                .contains("--dispatchers=N").contains("up to one per CPU");
    }

    @Test
    void aMissingDirectoryIsBadUsage() {
        CommandRun run = CommandRun.of("serve", dir.resolve("nope").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("DIR is not a directory");
        assertThat(CommandRun.of("serve", "--idle-timeout", "soon", dir.toString()).exitCode()).isEqualTo(2);
        assertThat(CommandRun.of("serve", "--max-request-line", "32k", "--max-header-size", "16k", dir.toString())
                .exitCode()).isEqualTo(2);
        CommandRun cache = CommandRun.of("serve", "--file-cache", "-1", dir.toString());
        assertThat(cache.exitCode()).isEqualTo(2);
        assertThat(cache.err()).contains("file cache entries must be in [0, 1048576]: -1");
        assertThat(CommandRun.of("serve", "--file-cache-descriptors", "-1", dir.toString()).exitCode()).isEqualTo(2);
        assertThat(CommandRun.of("serve", "--file-cache-validity", "0s", dir.toString()).exitCode()).isEqualTo(2);
    }

    @EachBackend
    void aPortInUseFailsWithExitCodeOne(ProactorFixture variant) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CommandRun run = CommandRun.of(variant, "serve", "--port", String.valueOf(taken.getLocalPort()),
                    dir.toString());
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).startsWith("proactor serve: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    /**
     * The command in a child JVM, once stopped by SIGTERM and once by SIGINT: it prints where it
     * serves and which backend and why, answers a request (logged to standard output), and on the
     * signal stops accepting, closes the idle keep-alive connection, closes the proactor and exits 0,
     * saying so.
     */
    @EachBackend
    void aSignalStopsTheServerGracefullyWithExitCodeZero(ProactorFixture variant) throws Exception {
        Files.writeString(dir.resolve("hello.txt"), "hello\n");
        for (String signal : List.of("TERM", "INT")) {
            serveInAChildUntil(variant, signal);
        }
    }

    private void serveInAChildUntil(ProactorFixture variant, String signal) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // A command started in the background by a shell without job control (as CI may be) has
        // SIGINT ignored, and a JVM whose SIGINT is ignored at start keeps ignoring it: the child
        // would never see the signal. env(1) from coreutils gives the child the default disposition.
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", java,
                "--enable-native-access=ALL-UNNAMED"));
        command.addAll(variant.jvmOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(CommandRun.withBackend(variant, "serve", "--port", "0", "--access-log", "-",
                "--shutdown-timeout", "3s", dir.toString())));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    lines.add(l);
                }
            } catch (java.io.IOException e) {
                lines.add("<read failed: " + e + ">");
            }
            lines.add("<end>");
        });
        List<String> seen = new ArrayList<>();
        try {
            Matcher m = null;
            while (m == null) {
                String l = lines.poll(30, TimeUnit.SECONDS);
                assertThat(l).as("no 'serving' line: %s", seen).isNotNull().isNotEqualTo("<end>");
                seen.add(l);
                Matcher candidate = SERVING.matcher(l);
                if (candidate.find()) {
                    m = candidate;
                }
            }
            assertThat(m.group(1)).isEqualTo(dir.toRealPath().toString());
            String backendLine = lines.poll(30, TimeUnit.SECONDS);
            seen.add(backendLine);
            assertThat(backendLine).as("SIG%s", signal).matches("proactor serve: backend "
                    + EachBackendExtension.shortName(variant.backend()) + " \\(.+\\), handlers on the dispatcher, .*");

            try (HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.group(2)
                        + "/hello.txt")).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("hello\n");
                if (variant.uringMask() != null) {
                    // The mask reached the child: with OPENAT masked the file was opened on the
                    // ring's fallback threads, which stay until the proactor closes. Linux keeps 15
                    // bytes of a thread's name.
                    assertThat(threadNames(p.pid())).as("the child's threads").contains("serve-uring-fal");
                }

                // The client's keep-alive connection is still open when the signal comes.
                // kill(2) rather than Process.destroy(), which sends SIGTERM too but also closes
                // our end of the child's output, so its last lines could not be read.
                kill(p.pid(), signal);
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
            }
            reader.join(10_000);
            lines.drainTo(seen);
            assertThat(p.exitValue()).as(String.join("\n", seen)).isZero();
            assertThat(seen).anyMatch(l -> l.matches("127\\.0\\.0\\.1 - - \\[.+\\] \"GET /hello.txt HTTP/1.1\" 200 6"));
            assertThat(seen).contains("proactor serve: stopping: no new connections; responses in flight get 3000 ms");
            assertThat(seen).contains("proactor serve: stopped after 1 connection, 1 request");
        } finally {
            p.destroyForcibly();
        }
    }

    /** The names of process {@code pid}'s threads, as Linux keeps them ({@code /proc/<pid>/task/<tid>/comm}). */
    private static List<String> threadNames(long pid) throws java.io.IOException {
        List<String> names = new ArrayList<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    names.add(Files.readString(task.resolve("comm")).strip());
                } catch (java.nio.file.NoSuchFileException ended) {
                    // the thread ended while listed
                }
            }
        }
        return names;
    }

    /**
     * Sends SIGTERM or SIGINT to {@code pid} with kill(2) through FFM: the kill command comes with
     * procps, which a minimal Debian lacks.
     */
    @SuppressWarnings("restricted")
    private static void kill(long pid, String signal) {
        int number = switch (signal) {
            case "TERM" -> 15;
            case "INT" -> 2;
            default -> throw new IllegalArgumentException(signal);
        };
        java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
        java.lang.invoke.MethodHandle kill = linker.downcallHandle(linker.defaultLookup().find("kill").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT,
                        java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT));
        int rc;
        try {
            rc = (int) kill.invokeExact((int) pid, number);
        } catch (Throwable t) {
            throw new AssertionError("kill(2) could not be called", t);
        }
        assertThat(rc).as("kill(%d, SIG%s)", pid, signal).isZero();
    }
}
