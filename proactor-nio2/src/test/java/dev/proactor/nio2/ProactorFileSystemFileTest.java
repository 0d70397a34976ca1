package dev.proactor.nio2;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wrapped default file system, used without the system-wide flag: whatever hands out a path
 * hands out one of ours, so {@code AsynchronousFileChannel.open} on it reaches this provider, and
 * every delegated call answers as the platform's.
 */
class ProactorFileSystemFileTest {

    @TempDir
    Path platformDir;

    private final ProactorFileSystemProvider provider = new ProactorFileSystemProvider(FileSystems.getDefault().provider());
    private final FileSystem fs = provider.getFileSystem(URI.create("file:///"));

    @Test
    void pathsLeadBackToThisProviderAndAnswerAsThePlatformsDo() throws Exception {
        Path dir = fs.getPath(platformDir.toString());
        Path file = dir.resolve("a.txt");
        assertThat(file.getFileSystem().provider()).isSameAs(provider);
        assertThat(file.getParent()).isEqualTo(dir);
        assertThat(dir.relativize(file).toString()).isEqualTo("a.txt");
        assertThat(file.startsWith(dir)).isTrue();
        assertThat(file.toUri()).isEqualTo(platformDir.resolve("a.txt").toUri());
        assertThat(provider.getPath(file.toUri())).isEqualTo(file);
        assertThat(fs.getPathMatcher("glob:*.txt").matches(file.getFileName())).isTrue();
        Files.writeString(file, "x");
        assertThat(Files.readString(platformDir.resolve("a.txt"))).isEqualTo("x");
        try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(file, StandardOpenOption.READ)) {
            assertThat(ch).isInstanceOf(ProactorFileChannel.class);
            assertThat(ch.size()).isEqualTo(1);
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.txt")) {
            List<Path> all = new ArrayList<>();
            entries.forEach(all::add);
            assertThat(all).containsExactly(file);
            assertThat(all.get(0).getFileSystem()).isSameAs(fs);
        }
    }

    @Test
    void watchKeysAndTheirEventsCarryWrappedPaths() throws Exception {
        Path dir = fs.getPath(platformDir.toString());
        try (WatchService watcher = fs.newWatchService()) {
            WatchKey registered = dir.register(watcher, ENTRY_CREATE);
            Files.createFile(dir.resolve("new"));
            WatchKey taken = watcher.take();
            assertThat(taken).isEqualTo(registered).hasSameHashCodeAs(registered);
            assertThat(taken.watchable()).isEqualTo(dir);
            List<WatchEvent<?>> events = taken.pollEvents();
            assertThat(events).isNotEmpty();
            assertThat(events.get(0).context()).isEqualTo(fs.getPath("new"));
        }
    }

    @Test
    void theStaticHelperOpensAProactorChannelOnAPlatformPath() throws Exception {
        Path file = Files.writeString(platformDir.resolve("b"), "abc");
        try (AsynchronousFileChannel ch = ProactorFileSystemProvider.openAsynchronousFileChannel(
                file, Set.of(StandardOpenOption.READ), null)) {
            assertThat(ch).isInstanceOf(ProactorFileChannel.class);
            assertThat(ch.size()).isEqualTo(3);
        }
        try (AsynchronousFileChannel ch = ProactorFileSystemProvider.openAsynchronousFileChannel(
                fs.getPath(file.toString()), Set.of(StandardOpenOption.READ), null)) {
            assertThat(ch.size()).as("a wrapped path is unwrapped for the platform").isEqualTo(3);
        }
    }
}
