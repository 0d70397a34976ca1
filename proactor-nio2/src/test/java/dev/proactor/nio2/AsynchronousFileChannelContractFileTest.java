package dev.proactor.nio2;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.DELETE_ON_CLOSE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.BackendChoice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@link AsynchronousFileChannel} javadoc, checked on the JDK's own channel and on
 * {@link ProactorFileChannel} over io_uring and over the portable backend: a test that fails on one
 * side only is a difference in behaviour.
 */
class AsynchronousFileChannelContractFileTest {

    enum Impl {
        JDK, IO_URING, PORTABLE;

        AsynchronousFileChannel open(Path path, ExecutorService executor, OpenOption... options) throws IOException {
            return open(path, executor, Set.of(options));
        }

        AsynchronousFileChannel open(Path path, ExecutorService executor, Set<OpenOption> options,
                FileAttribute<?>... attrs) throws IOException {
            return switch (this) {
                case JDK -> AsynchronousFileChannel.open(path, options, executor, attrs);
                case IO_URING -> ProactorFileChannel.open(FileSystems.getDefault().provider(), path, options, executor,
                        BackendChoice.IO_URING, attrs);
                case PORTABLE -> ProactorFileChannel.open(FileSystems.getDefault().provider(), path, options, executor,
                        BackendChoice.PORTABLE, attrs);
            };
        }

        AsynchronousFileChannel open(Path path, OpenOption... options) throws IOException {
            return open(path, null, options);
        }
    }

    @TempDir
    Path dir;

    private Path fileOf(int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return Files.write(dir.resolve("data-" + size), bytes);
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void readAtOrPastTheEndReturnsMinusOneAndAShortReadNearIt(Impl impl) throws Exception {
        Path path = fileOf(100);
        try (AsynchronousFileChannel ch = impl.open(path, READ)) {
            assertThat(ch.read(ByteBuffer.allocate(10), 100).get()).isEqualTo(-1);
            assertThat(ch.read(ByteBuffer.allocate(10), 1_000).get()).isEqualTo(-1);
            ByteBuffer buf = ByteBuffer.allocate(50);
            assertThat(ch.read(buf, 90).get()).isEqualTo(10);
            assertThat(buf.position()).isEqualTo(10);
            assertThat(ch.read(ByteBuffer.allocate(0), 0).get()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void negativePositionsAndReadOnlyBuffersAreIllegalArguments(Impl impl) throws Exception {
        Path path = fileOf(10);
        try (AsynchronousFileChannel ch = impl.open(path, READ, WRITE)) {
            assertThatThrownBy(() -> ch.read(ByteBuffer.allocate(1), -1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ch.write(ByteBuffer.allocate(1), -1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ch.read(ByteBuffer.allocate(1).asReadOnlyBuffer(), 0))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ch.lock(-1, 1, false)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ch.truncate(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void theOpenOptionsDecideWhatTheChannelMayDo(Impl impl) throws Exception {
        Path path = fileOf(10);
        try (AsynchronousFileChannel ch = impl.open(path)) {
            assertThat(ch.read(ByteBuffer.allocate(10), 0).get()).isEqualTo(10);
            assertThatThrownBy(() -> ch.write(ByteBuffer.allocate(1), 0)).isInstanceOf(NonWritableChannelException.class);
            assertThatThrownBy(() -> ch.truncate(0)).isInstanceOf(NonWritableChannelException.class);
            assertThatThrownBy(() -> ch.lock(0, 1, false)).isInstanceOf(NonWritableChannelException.class);
        }
        try (AsynchronousFileChannel ch = impl.open(path, WRITE)) {
            assertThatThrownBy(() -> ch.read(ByteBuffer.allocate(1), 0)).isInstanceOf(NonReadableChannelException.class);
            assertThatThrownBy(() -> ch.tryLock(0, 1, true)).isInstanceOf(NonReadableChannelException.class);
        }
        assertThatThrownBy(() -> impl.open(path, WRITE, APPEND)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> impl.open(path, WRITE, CREATE_NEW)).isInstanceOf(FileAlreadyExistsException.class);
        assertThatThrownBy(() -> impl.open(dir.resolve("missing"), WRITE)).isInstanceOf(NoSuchFileException.class);
        Path temp = dir.resolve("temp");
        try (AsynchronousFileChannel ch = impl.open(temp, READ, WRITE, CREATE_NEW, DELETE_ON_CLOSE)) {
            assertThat(ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0).get()).isEqualTo(3);
            assertThat(ch.read(ByteBuffer.allocate(3), 0).get()).isEqualTo(3);
        }
        assertThat(temp).doesNotExist();
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void fileAttributesApplyToTheCreatedFileAndSyncOptionsAreAccepted(Impl impl) throws Exception {
        Path created = dir.resolve("private");
        try (AsynchronousFileChannel ch = impl.open(created, null,
                Set.of(WRITE, CREATE_NEW, StandardOpenOption.SYNC),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            assertThat(ch.write(ByteBuffer.wrap(new byte[] {9}), 0).get()).isEqualTo(1);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created))).isEqualTo("rw-------");
        try (AsynchronousFileChannel ch = impl.open(created, READ, WRITE, StandardOpenOption.DSYNC)) {
            assertThat(ch.write(ByteBuffer.wrap(new byte[] {7}), 1).get()).isEqualTo(1);
            assertThat(ch.size()).isEqualTo(2);
        }
        assertThatThrownBy(() -> impl.open(created, null, Set.of(WRITE, CREATE_NEW, APPEND)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> impl.open(dir.resolve("never"), null, Set.of(WRITE, CREATE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")),
                new FileAttribute<String>() {
                    @Override public String name() { return "unknown:attribute"; }
                    @Override public String value() { return "x"; }
                })).isInstanceOf(UnsupportedOperationException.class);
        assertThat(dir.resolve("never")).doesNotExist();
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void closedAndFailedOpensLeaveNoDescriptorBehind(Impl impl) throws Exception {
        Path path = fileOf(10);
        impl.open(path, READ).close(); // the first open of a backend opens its proactor, for good
        long before = openDescriptors();
        for (int i = 0; i < 50; i++) {
            try (AsynchronousFileChannel ch = impl.open(path, READ, WRITE)) {
                ch.lock().get();
                assertThat(ch.read(ByteBuffer.allocate(10), 0).get()).isEqualTo(10);
            }
            assertThatThrownBy(() -> impl.open(dir.resolve("missing"), READ)).isInstanceOf(NoSuchFileException.class);
        }
        assertThat(openDescriptors()).isEqualTo(before);
    }

    private static long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /**
     * A read and a write truly pending when the channel closes. A regular file gives none: its
     * reads and writes never wait for anything a test can hold (the page cache answers, and
     * stalling the disk needs FUSE or device-mapper, which a test run does not have). A FIFO does:
     * an empty one keeps a read waiting for a writer, a full one (65536 bytes, Linux's default
     * pipe capacity) keeps a write waiting for a reader; one FIFO cannot be both at once, so each
     * has its own channel. The JDK's channel makes positional pread/pwrite calls, which a FIFO
     * refuses at once (ESPIPE, "Illegal seek"): it has nothing pending to close, and the test
     * pins that difference. This provider reads and writes a FIFO as the stream it is, so its
     * operations wait, and closing the channel fails them with AsynchronousCloseException.
     * Either way no descriptor is left behind.
     */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void closingWithAReadAndAWritePendingOnFifosFailsThemAndLeaksNoDescriptor(Impl impl) throws Exception {
        Path empty = fifo("empty");
        Path full = fifo("full");
        impl.open(fileOf(1), READ).close(); // the first open of a backend opens its proactor, for good
        long before = openDescriptors();
        // READ and WRITE: opening a FIFO so does not wait for a peer.
        AsynchronousFileChannel reader = impl.open(empty, READ, WRITE);
        AsynchronousFileChannel writer = impl.open(full, READ, WRITE);
        Future<Integer> read = reader.read(ByteBuffer.allocate(16), 0);
        Future<Integer> write;
        if (impl == Impl.JDK) {
            write = writer.write(ByteBuffer.allocate(1), 0);
            assertThatThrownBy(read::get).cause().isInstanceOf(IOException.class).hasMessageContaining("Illegal seek");
            assertThatThrownBy(write::get).cause().isInstanceOf(IOException.class).hasMessageContaining("Illegal seek");
        } else {
            assertThat(writer.write(ByteBuffer.allocate(PIPE_CAPACITY), 0).get()).isEqualTo(PIPE_CAPACITY);
            write = writer.write(ByteBuffer.allocate(1), 0);
            // Nothing was written to the empty FIFO and nothing read from the full one: neither can end yet.
            assertThat(read.isDone()).isFalse();
            assertThat(write.isDone()).isFalse();
        }
        reader.close();
        writer.close();
        if (impl != Impl.JDK) {
            assertFailsWith(read, AsynchronousCloseException.class);
            assertFailsWith(write, AsynchronousCloseException.class);
        }
        assertThat(openDescriptors()).isEqualTo(before);
    }

    /** Linux's default pipe capacity (16 pages), which a fresh FIFO has. */
    private static final int PIPE_CAPACITY = 65536;

    private Path fifo(String name) throws Exception {
        Path path = dir.resolve(name);
        Process p = new ProcessBuilder("mkfifo", "-m", "600", path.toString()).inheritIO().start();
        assertThat(p.waitFor()).as("mkfifo (coreutils) exit code").isZero();
        return path;
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void afterCloseEveryOperationFailsWithClosedChannelException(Impl impl) throws Exception {
        Path path = fileOf(10);
        AsynchronousFileChannel ch = impl.open(path, READ, WRITE);
        ch.close();
        assertThat(ch.isOpen()).isFalse();
        assertFailsWith(ch.read(ByteBuffer.allocate(1), 0), ClosedChannelException.class);
        assertFailsWith(ch.write(ByteBuffer.allocate(1), 0), ClosedChannelException.class);
        assertFailsWith(ch.lock(), ClosedChannelException.class);
        CompletableFuture<Throwable> viaHandler = new CompletableFuture<>();
        ch.read(ByteBuffer.allocate(1), 0, null, failureTo(viaHandler));
        assertThat(viaHandler.get()).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(ch::size).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> ch.truncate(0)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> ch.force(true)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> ch.tryLock()).isInstanceOf(ClosedChannelException.class);
        ch.close();
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void sixteenMebibytesInRandomOrderPiecesWrittenConcurrentlyReadBackByteExact(Impl impl) throws Exception {
        int piece = 64 * 1024;
        int pieces = 256;
        byte[] expected = new byte[piece * pieces];
        new Random(7).nextBytes(expected);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < pieces; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(11));
        try (AsynchronousFileChannel ch = impl.open(dir.resolve("big"), READ, WRITE, CREATE_NEW)) {
            List<Future<Integer>> writes = new ArrayList<>();
            for (int i : order) {
                writes.add(ch.write(ByteBuffer.wrap(expected, i * piece, piece), (long) i * piece));
            }
            for (Future<Integer> w : writes) {
                assertThat(w.get()).isEqualTo(piece);
            }
            ch.force(false);
            assertThat(ch.size()).isEqualTo(expected.length);
            Collections.shuffle(order, new Random(13));
            ByteBuffer[] back = new ByteBuffer[pieces];
            List<Future<Integer>> reads = new ArrayList<>();
            for (int i : order) {
                back[i] = ByteBuffer.allocateDirect(piece);
                reads.add(ch.read(back[i], (long) i * piece));
            }
            for (Future<Integer> r : reads) {
                assertThat(r.get()).isEqualTo(piece);
            }
            byte[] actual = new byte[expected.length];
            for (int i = 0; i < pieces; i++) {
                back[i].flip().get(actual, i * piece, piece);
            }
            assertThat(actual).isEqualTo(expected);
            assertThat(Files.readAllBytes(dir.resolve("big"))).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void sizeTruncateAndForce(Impl impl) throws Exception {
        Path path = fileOf(1000);
        try (AsynchronousFileChannel ch = impl.open(path, READ, WRITE)) {
            assertThat(ch.size()).isEqualTo(1000);
            assertThat(ch.truncate(2000)).isSameAs(ch);
            assertThat(ch.size()).as("truncate never grows a file").isEqualTo(1000);
            ch.truncate(10);
            assertThat(ch.size()).isEqualTo(10);
            ch.force(true);
            assertThat(Files.size(path)).isEqualTo(10);
            assertThat(ch.read(ByteBuffer.allocate(5), 10).get()).isEqualTo(-1);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void lockRules(Impl impl) throws Exception {
        Path path = fileOf(100);
        try (AsynchronousFileChannel ch = impl.open(path, READ, WRITE);
                AsynchronousFileChannel other = impl.open(path, READ, WRITE)) {
            FileLock lock = ch.lock(0, 50, false).get();
            assertThat(lock.acquiredBy()).isSameAs(ch);
            assertThat(lock.isShared()).isFalse();
            assertThat(lock.isValid()).isTrue();
            assertThatThrownBy(() -> ch.tryLock(10, 10, false)).isInstanceOf(OverlappingFileLockException.class);
            assertThatThrownBy(() -> ch.lock(49, 10, true)).isInstanceOf(OverlappingFileLockException.class);
            assertThatThrownBy(() -> other.tryLock(0, 1, true))
                    .as("the JVM's lock table spans channels").isInstanceOf(OverlappingFileLockException.class);
            FileLock shared = ch.tryLock(50, 50, true);
            assertThat(shared.isShared()).isTrue();
            lock.release();
            assertThat(lock.isValid()).isFalse();
            FileLock again = other.tryLock(0, 50, false);
            assertThat(again.acquiredBy()).isSameAs(other);
            again.close();
            ch.close();
            assertThat(shared.isValid()).as("closing a channel releases its locks").isFalse();
            assertThat(other.tryLock(0, 100, false)).isNotNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void handlersRunOnTheChannelsExecutor(Impl impl) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> new Thread(r, "channel-executor"));
        try (AsynchronousFileChannel ch = impl.open(fileOf(10), executor, READ, WRITE)) {
            List<CompletableFuture<String>> threads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                CompletableFuture<String> thread = new CompletableFuture<>();
                threads.add(thread);
                CompletionHandler<Integer, Void> handler = new CompletionHandler<>() {
                    @Override
                    public void completed(Integer n, Void a) {
                        thread.complete(Thread.currentThread().getName() + ":" + n);
                    }

                    @Override
                    public void failed(Throwable t, Void a) {
                        thread.completeExceptionally(t);
                    }
                };
                if (i % 2 == 0) {
                    ch.read(ByteBuffer.allocate(10), 0, null, handler);
                } else {
                    ch.write(ByteBuffer.allocate(4), 20, null, handler);
                }
            }
            for (int i = 0; i < threads.size(); i++) {
                assertThat(threads.get(i).get()).isEqualTo("channel-executor:" + (i % 2 == 0 ? 10 : 4));
            }
        } finally {
            executor.shutdown();
        }
    }

    private static CompletionHandler<Integer, Object> failureTo(CompletableFuture<Throwable> sink) {
        return new CompletionHandler<>() {
            @Override
            public void completed(Integer n, Object a) {
                sink.completeExceptionally(new AssertionError("completed with " + n));
            }

            @Override
            public void failed(Throwable t, Object a) {
                sink.complete(t);
            }
        };
    }

    private static void assertFailsWith(Future<?> future, Class<? extends Throwable> type) {
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).cause().isInstanceOf(type);
    }
}
