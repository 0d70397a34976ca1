package dev.proactor.internal.select;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Native access denied, as {@code --illegal-native-access=deny} (the JDK's coming default) does to
 * a library that was not enabled: AUTO falls back saying in one line what happened and which flag
 * to add, and IO_URING refuses with the same line and the JDK's exception kept as the cause.
 */
class DeniedNativeAccessTest {

    @Test
    void autoFallsBackNamingTheFlagAndIoUringKeepsTheCause() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The backend choice is logged at DEBUG (java.util.logging's FINE): ask for it, the README's way.
        Path config = Files.createTempFile("denied-native-access", ".properties");
        Files.writeString(config, """
                handlers = java.util.logging.ConsoleHandler
                java.util.logging.ConsoleHandler.level = FINE
                dev.proactor.level = FINE
                """);
        Process child = new ProcessBuilder(List.of(java, "--illegal-native-access=deny",
                "-Djava.util.logging.config.file=" + config, "-cp", System.getProperty("java.class.path"), DeniedNativeAccessChild.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
        Files.delete(config);
        assertThat(child.exitValue()).as("child output:%n%s", out).isZero();
        Map<String, String> r = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("INFO") && !line.startsWith("WARNING")
                    && !line.startsWith("FINE")) {
                r.putIfAbsent(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String flag = "add --enable-native-access=ALL-UNNAMED";
        assertThat(r.get("AUTO")).as("child output:%n%s", out).startsWith("portable")
                .contains("native access is denied").contains(flag).doesNotContain("ExceptionInInitializerError");
        assertThat(r.get("IO_URING")).as("child output:%n%s", out).startsWith("refused")
                .contains("native access is denied").contains(flag);
        assertThat(r.get("IO_URING.cause")).isEqualTo(IllegalCallerException.class.getName());
        // The proactor's log line that names the backend says it too, on one line.
        assertThat(Arrays.stream(out.split("\n")).filter(l -> l.contains("backend portable (auto:")))
                .singleElement().asString().contains("native access is denied").contains(flag);
    }
}
