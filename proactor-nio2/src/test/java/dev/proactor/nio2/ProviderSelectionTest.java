package dev.proactor.nio2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plain NIO.2 code ({@link PlainNio2Program}: {@code AsynchronousSocketChannel.open()} and
 * friends, nothing of Proactor's) runs in a child JVM on this provider when the system property
 * names it, and when this module's classes with their service file are on the class path; without
 * either it runs on the JDK's. The child prints the provider class and the backend, then echoes
 * bytes through it.
 */
class ProviderSelectionTest {

    private static final String PROPERTY = "java.nio.channels.spi.AsynchronousChannelProvider";

    @Test
    void theServiceFileOnTheClassPathSelectsThisProvider() throws Exception {
        List<String> out = run(System.getProperty("java.class.path"), List.of());
        assertThat(out).contains("provider " + ProactorChannelProvider.class.getName(), "echo ok");
    }

    @Test
    void theSystemPropertySelectsThisProviderAndTheBackendPropertyForcesOne(@TempDir Path dir) throws Exception {
        String classPath = withoutServiceFile(dir);
        List<String> out = run(classPath, List.of("-D" + PROPERTY + "=" + ProactorChannelProvider.class.getName(),
                "-D" + ProactorChannelProvider.BACKEND_PROPERTY + "=portable"));
        assertThat(out).contains("provider " + ProactorChannelProvider.class.getName(), "backend portable", "echo ok");
    }

    @Test
    void withNeitherTheJdksProviderServes(@TempDir Path dir) throws Exception {
        List<String> out = run(withoutServiceFile(dir), List.of());
        assertThat(out).contains("echo ok").noneMatch(l -> l.contains(ProactorChannelProvider.class.getName()));
    }

    /** The test class path with this module's classes copied, minus META-INF/services. */
    private static String withoutServiceFile(Path dir) throws IOException {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isDirectory(p) && Files.exists(p.resolve("META-INF/services/" + PROPERTY))) {
                Path copy = dir.resolve("classes-" + entries.size());
                try (Stream<Path> files = Files.walk(p)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        if (!p.relativize(f).toString().startsWith("META-INF")) {
                            Path to = copy.resolve(p.relativize(f).toString());
                            Files.createDirectories(to.getParent());
                            Files.copy(f, to);
                        }
                    }
                }
                entries.add(copy.toString());
            } else {
                entries.add(e);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static List<String> run(String classPath, List<String> options) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(options);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(PlainNio2Program.class.getName());
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output;
        try (var in = child.getInputStream()) {
            output = new String(in.readAllBytes());
        }
        assertThat(child.waitFor(Nio2Fixture.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        return output.lines().collect(Collectors.toList());
    }
}
