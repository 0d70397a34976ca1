package dev.proactor.nio2;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.nio2.AsynchronousFileChannelContractFileTest.Impl;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Locks as another process sees them, on the JDK's channel and on ours: a lock another process
 * holds keeps {@code lock} pending until the channel closes, and, because POSIX record locks belong
 * to the process, closing any channel of the file drops the locks every channel of this JVM holds
 * on it (the behaviour {@link ProactorFileChannel} documents and {@link FileLock} warns of).
 */
class FileLockAcrossProcessesFileTest {

    @TempDir
    Path dir;

    private static Process child(String mode, Path file) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LockHolderFileChild.class.getName(), mode, file.toString()).redirectErrorStream(true).start();
    }

    private static String firstLine(Process p) throws IOException {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aLockPendingOnAnotherProcessesLockFailsWithAsynchronousCloseExceptionOnClose(Impl impl) throws Exception {
        Path file = Files.write(dir.resolve("locked"), new byte[100]);
        Process holder = child("hold", file);
        try {
            assertThat(firstLine(holder)).isEqualTo("locked");
            AsynchronousFileChannel ch = impl.open(file, READ, WRITE);
            assertThat(ch.tryLock()).as("the other process holds it").isNull();
            Future<FileLock> pending = ch.lock();
            assertThat(pending.isDone()).as("cannot be granted while the other process holds the lock").isFalse();
            ch.close();
            assertThatThrownBy(pending::get).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(AsynchronousCloseException.class);
        } finally {
            holder.getOutputStream().close();
            assertThat(holder.waitFor()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void closingAnyChannelOfTheFileDropsTheLocksOfTheWholeProcess(Impl impl) throws Exception {
        Path file = Files.write(dir.resolve("shared"), new byte[100]);
        try (AsynchronousFileChannel holder = impl.open(file, READ, WRITE)) {
            FileLock lock = holder.lock().get();
            assertThat(probe(file)).isEqualTo("held");
            impl.open(file, READ).close();
            assertThat(probe(file)).as("the kernel dropped the lock with the other channel's descriptor").isEqualTo("free");
            assertThat(lock.isValid()).as("while the JVM still counts it as held").isTrue();
        }
    }

    private static String probe(Path file) throws Exception {
        Process p = child("probe", file);
        String line = firstLine(p);
        assertThat(p.waitFor()).isZero();
        return line;
    }
}
