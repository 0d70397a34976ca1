package dev.proactor.internal.select;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The portable backend, chosen by name, needs nothing but the JDK: in a JVM that denies native
 * access and was granted none, it opens and works, the JDK prints no native-access warning, and not
 * one class of the io_uring backend or its FFM glue is loaded (no probe, no downcall linked).
 */
class PortableWithoutFfmTest {

    @Test
    void thePortableBackendChosenByNameLoadsNoUringOrFfmClass() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "--illegal-native-access=deny", "-Xlog:class+load=info",
                "-cp", System.getProperty("java.class.path"), PortableWithoutFfmChild.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("child output:%n%s", out).isZero();
        List<String> lines = Arrays.asList(out.split("\n"));

        assertThat(lines).as("child output:%n%s", out).contains("PORTABLE=ok", "FILE=file", "SOCKET=sock");
        assertThat(lines).filteredOn(l -> l.startsWith("REPORT=")).singleElement().asString()
                .startsWith("REPORT=portable | ").contains("not checked");
        assertThat(lines).as("classes of the io_uring backend loaded")
                .filteredOn(l -> l.contains("dev.proactor.internal.uring")).isEmpty();
        assertThat(out).doesNotContainIgnoringCase("restricted method").doesNotContain("native access");
    }
}
