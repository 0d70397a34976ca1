package dev.proactor.nio2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With {@code -Djava.nio.file.spi.DefaultFileSystemProvider} naming this provider, unchanged code's
 * {@code AsynchronousFileChannel.open(Path.of(...))} gets a {@link ProactorFileChannel} on the
 * backend {@code dev.proactor.nio2.backend} names, and ordinary {@code Files} calls still work
 * through the wrapped file system. Each case is a child JVM, since the default provider is chosen
 * once per JVM.
 */
class DefaultFileSystemProviderFlagFileTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "portable"})
    void plainNio2CodeGetsThisProvidersChannelAndFilesStillWork(String backend) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-Djava.nio.file.spi.DefaultFileSystemProvider=" + ProactorFileSystemProvider.class.getName(),
                "-D" + FileProactors.BACKEND_PROPERTY + "=" + backend,
                "-cp", System.getProperty("java.class.path"), DefaultProviderFileChild.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        List<String> lines = output(child);
        assertThat(child.waitFor()).as(String.join("\n", lines)).isZero();
        assertThat(lines).contains(
                "provider=" + ProactorFileSystemProvider.class.getName(),
                "channel=" + ProactorFileChannel.class.getName(),
                "backend=" + backend,
                "async=hello, ring",
                "read=hello, ring",
                "list=[async.bin, sub]",
                "walk=[, async.bin, sub, sub/deeper, sub/deeper/note.txt]",
                "toFile=true",
                "left=0");
    }

    private static List<String> output(Process child) throws IOException {
        return new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
}
