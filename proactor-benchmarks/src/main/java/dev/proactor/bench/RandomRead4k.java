package dev.proactor.bench;

import dev.proactor.AsyncFile;
import dev.proactor.BackendChoice;
import dev.proactor.BufferLease;
import dev.proactor.FileOpenOption;
import dev.proactor.ResultHandler;
import dev.proactor.nio2.ProactorFileSystemProvider;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.ProactorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * 4 KiB reads at random 4 KiB-aligned offsets of a 1 GiB file held in the page cache, in reads per
 * second (IOPS). Each fork writes the file once (random bytes), reads it through once so every page
 * is cached, and deletes it at the end. The file lives under {@code -Dproactor.bench.dir} (default
 * {@code java.io.tmpdir}); put it on the filesystem you mean to measure.
 *
 * <p>Queue depth ({@code depth}) is the number of reads kept in flight: when one ends, the next is
 * initiated in its buffer, so the depth stays constant rather than draining to zero between
 * batches (as fio's {@code --iodepth} does). Every invocation initiates {@value #READS} reads.
 *
 * <ul>
 *   <li>{@code proactor}: {@link AsyncFile#read} on the io_uring backend, into a direct
 *       {@link ByteBuffer} ({@code buffer=direct}) or a registered {@link BufferLease}
 *       ({@code buffer=lease}); handlers on the worker pool or inline.</li>
 *   <li>{@code proactorDirect}: the same with the file opened {@code O_DIRECT}, so every read goes
 *       to the device; its peer is fio with {@code --direct=1}.</li>
 *   <li>{@code asyncFileChannel}: {@link AsynchronousFileChannel} on its default thread pool, with
 *       the same depth: the JDK's ({@code provider=jdk}; on Linux, blocking {@code pread} calls on
 *       pool threads) or proactor-nio2's ({@code provider=proactor}; io_uring reads).</li>
 *   <li>{@code fileChannel}: {@link FileChannel#read(ByteBuffer, long)} on one thread, which is
 *       queue depth 1 whatever {@code depth} says; it has no {@code depth} parameter.</li>
 *   <li>{@code fileChannel2Threads}: the same on two benchmark threads (the machine's core count),
 *       each at queue depth 1: two blocking reads in flight, not 32. It is what a blocking program
 *       gets from this machine, reported beside the depth-32 figures.</li>
 * </ul>
 * Completions reach the benchmark thread through a {@link CompletionMailbox} for both asynchronous
 * contenders, so they pay the same wake-up.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RandomRead4k extends BenchmarkBase {

    static final int BLOCK = 4096;
    static final long FILE_SIZE = 1L << 30;
    /** Reads per invocation: the largest depth, so a depth-32 invocation is one window's worth. */
    static final int READS = 32;
    /** Precomputed offsets, cycled; 1 Mi of them keeps the sequence from fitting a cache. */
    static final int OFFSETS = 1 << 20;

    /** The 1 GiB file and the random offsets into it, shared by every thread of one fork. */
    @State(Scope.Benchmark)
    public static class TestFile {
        Path dir;
        Path path;
        long[] offsets;

        @Setup(Level.Trial)
        public void create() throws IOException {
            Path base = Path.of(System.getProperty("proactor.bench.dir", System.getProperty("java.io.tmpdir")));
            Files.createDirectories(base);
            dir = Files.createTempDirectory(base, "proactor-randread-");
            path = dir.resolve("data-1g.bin");
            SplittableRandom random = new SplittableRandom(42);
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (long written = 0; written < FILE_SIZE; written += chunk.capacity()) {
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                        chunk.putLong(random.nextLong());
                    }
                    chunk.flip();
                    while (chunk.hasRemaining()) {
                        ch.write(chunk);
                    }
                }
                ch.force(false);
            }
            // Read it through once: every page is then in the page cache (the machine has room).
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                for (long pos = 0; pos < FILE_SIZE; ) {
                    chunk.clear();
                    int n = ch.read(chunk, pos);
                    if (n <= 0) {
                        break;
                    }
                    pos += n;
                }
            }
            long blocks = FILE_SIZE / BLOCK;
            offsets = new long[OFFSETS];
            for (int i = 0; i < OFFSETS; i++) {
                offsets[i] = random.nextLong(blocks) * BLOCK;
            }
        }

        @TearDown(Level.Trial)
        public void delete() throws IOException {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    /** The next offsets for one thread. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup(Level.Trial)
        public void start() {
            next = (int) (Thread.currentThread().threadId() * 7919) & (OFFSETS - 1);
        }

        long nextOffset(long[] offsets) {
            long off = offsets[next];
            next = (next + 1) & (OFFSETS - 1);
            return off;
        }
    }

    /**
     * What both asynchronous contenders share: {@code depth} buffers and the window of reads in
     * flight, carried from one invocation to the next and drained after each iteration.
     */
    @State(Scope.Thread)
    public abstract static class Window {

        /** Reads kept in flight. */
        @Param({"1", "32"})
        public int depth;

        final CompletionMailbox mailbox = new CompletionMailbox(READS);
        ByteBuffer[] buffers;
        int inFlight;
        int started;
        volatile Throwable failure;

        void allocate() {
            if (depth < 1 || depth > READS) {
                throw new IllegalArgumentException("depth must be in [1, " + READS + "]: " + depth);
            }
            buffers = new ByteBuffer[depth];
            for (int i = 0; i < depth; i++) {
                // Block-aligned for every contender, so an O_DIRECT read may use it as it is.
                buffers[i] = ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK).slice(0, BLOCK);
            }
        }

        /** Called from a completion handler on any thread. */
        void finished(int slot, int bytes, Throwable failed) {
            if (failed != null) {
                failure = failed;
            } else if (bytes != BLOCK) {
                failure = new IllegalStateException("short read: " + bytes);
            }
            mailbox.post(slot);
        }

        /** A slot whose buffer is free: a fresh one while the window fills, else the next to end. */
        int freeSlot() {
            int slot;
            if (started < depth) {
                slot = started++;
            } else {
                slot = mailbox.take();
                inFlight--;
            }
            Throwable f = failure;
            if (f != null) {
                throw new IllegalStateException("a read failed; the numbers would be meaningless", f);
            }
            return slot;
        }

        abstract void initiate(int slot, long position);

        /** Keeps the window full for {@value #READS} more reads. */
        int run(TestFile file, Cursor cursor) {
            for (int i = 0; i < READS; i++) {
                int slot = freeSlot();
                inFlight++;
                initiate(slot, cursor.nextOffset(file.offsets));
            }
            return inFlight;
        }

        /** Waits for the reads still in flight, so that no iteration leaves work to the next. */
        @TearDown(Level.Iteration)
        public void drain() {
            while (inFlight > 0) {
                mailbox.take();
                inFlight--;
            }
            started = 0;
            mailbox.reset();
        }
    }

    /** Proactor on io_uring, one fork per (depth, handlers, buffer). */
    @State(Scope.Thread)
    public static class ProactorWindow extends Window {

        /** Where handlers run: {@code worker} (the default configuration) or {@code inline}. */
        @Param({"worker", "inline"})
        public String handlers;

        /** {@code direct}: a direct ByteBuffer per slot; {@code lease}: a registered pool slab. */
        @Param({"direct"})
        public String buffer;

        /**
         * {@link ProactorConfig#dispatcherSpin()} in microseconds, or {@code default}: lets a run
         * compare spin bounds side by side ({@code -p spin=0,20,50,200}).
         */
        @Param({"default"})
        public String spin;

        Proactor proactor;
        AsyncFile file;
        BufferLease[] leases;
        ResultHandler<Integer>[] handlersBySlot;

        @Setup(Level.Trial)
        @SuppressWarnings("unchecked")
        public void open(TestFile testFile) throws Exception {
            allocate();
            ProactorConfig.Builder b = ProactorConfig.builder()
                    .name("bench-read")
                    .backend(BackendChoice.IO_URING)
                    .bufferSize(BLOCK)
                    .bufferCount(READS);
            if (handlers.equals("inline")) {
                b.inlineHandlers(true);
            } else if (!handlers.equals("worker")) {
                throw new IllegalArgumentException("handlers must be worker or inline: " + handlers);
            }
            if (!spin.equals("default")) {
                b.dispatcherSpin(Duration.ofNanos(Long.parseLong(spin) * 1000));
            }
            proactor = Proactor.open(b.build());
            file = (direct() ? proactor.openFile(testFile.path, StandardOpenOption.READ, FileOpenOption.DIRECT)
                    : proactor.openFile(testFile.path, StandardOpenOption.READ)).await();
            if (buffer.equals("lease")) {
                leases = new BufferLease[depth];
                for (int i = 0; i < depth; i++) {
                    leases[i] = proactor.buffers().lease(Duration.ofSeconds(5));
                }
            } else if (!buffer.equals("direct")) {
                throw new IllegalArgumentException("buffer must be direct or lease: " + buffer);
            }
            handlersBySlot = (ResultHandler<Integer>[]) new ResultHandler<?>[depth];
            for (int i = 0; i < depth; i++) {
                int slot = i;
                handlersBySlot[i] = (n, failed) -> finished(slot, n == null ? -1 : n, failed);
            }
        }

        /** Whether the file is opened with {@code O_DIRECT}, bypassing the page cache. */
        boolean direct() {
            return false;
        }

        @Override
        void initiate(int slot, long position) {
            if (leases != null) {
                file.read(position, leases[slot], BLOCK).onComplete(handlersBySlot[slot]);
            } else {
                ByteBuffer buf = buffers[slot];
                buf.clear();
                file.read(position, buf).onComplete(handlersBySlot[slot]);
            }
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            file.closeAsync().await();
            if (leases != null) {
                for (BufferLease lease : leases) {
                    lease.release();
                }
            }
            proactor.close();
        }
    }

    /**
     * Proactor with the file opened {@code O_DIRECT}: every read goes to the device, whatever the
     * page cache holds, so the peer is fio's io_uring engine with {@code --direct=1} on the same
     * filesystem; the ratio is how much of the device's random-read rate the engine passes on.
     */
    @State(Scope.Thread)
    public static class ProactorDirectWindow extends ProactorWindow {
        @Override
        boolean direct() {
            return true;
        }
    }

    /**
     * {@link AsynchronousFileChannel}, from the JDK's provider ({@code provider=jdk}: blocking
     * {@code pread} calls on its default thread pool) or from proactor-nio2's
     * ({@code provider=proactor}: io_uring reads, as the one flag
     * {@code -Djava.nio.file.spi.DefaultFileSystemProvider} gives an unchanged program), run side by side.
     */
    @State(Scope.Thread)
    public static class AfcWindow extends Window {
        /** Whose channel: {@code jdk} or {@code proactor}. */
        @Param({"jdk", "proactor"})
        public String provider;

        AsynchronousFileChannel channel;
        final java.nio.channels.CompletionHandler<Integer, Integer> handler =
                new java.nio.channels.CompletionHandler<>() {
                    @Override
                    public void completed(Integer n, Integer slot) {
                        finished(slot, n, null);
                    }

                    @Override
                    public void failed(Throwable exc, Integer slot) {
                        finished(slot, -1, exc);
                    }
                };

        @Setup(Level.Trial)
        public void open(TestFile testFile) throws IOException {
            allocate();
            channel = switch (provider) {
                case "jdk" -> AsynchronousFileChannel.open(testFile.path, StandardOpenOption.READ);
                case "proactor" -> ProactorFileSystemProvider.openAsynchronousFileChannel(
                        testFile.path, java.util.Set.of(StandardOpenOption.READ), null);
                default -> throw new IllegalArgumentException("provider=" + provider + ": expected jdk or proactor");
            };
        }

        @Override
        void initiate(int slot, long position) {
            ByteBuffer buf = buffers[slot];
            buf.clear();
            // Integer.valueOf(slot) is from the small-integer cache: slot < 32.
            channel.read(buf, position, slot, handler);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            channel.close();
        }
    }

    /** A blocking channel and one direct buffer per thread. */
    @State(Scope.Thread)
    public static class Blocking {
        FileChannel channel;
        ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);

        @Setup(Level.Trial)
        public void open(TestFile testFile) throws IOException {
            channel = FileChannel.open(testFile.path, StandardOpenOption.READ);
        }

        int read(long position) {
            buf.clear();
            try {
                int n = channel.read(buf, position);
                if (n != BLOCK) {
                    throw new IllegalStateException("short read: " + n);
                }
                return n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            channel.close();
        }
    }

    /** Proactor, {@code depth} reads in flight. */
    @Benchmark
    @OperationsPerInvocation(READS)
    public int proactor(TestFile file, Cursor cursor, ProactorWindow w) {
        return w.run(file, cursor);
    }

    /** Proactor, {@code depth} reads in flight, O_DIRECT. */
    @Benchmark
    @OperationsPerInvocation(READS)
    public int proactorDirect(TestFile file, Cursor cursor, ProactorDirectWindow w) {
        return w.run(file, cursor);
    }

    /** AsynchronousFileChannel, {@code depth} reads in flight. */
    @Benchmark
    @OperationsPerInvocation(READS)
    public int asyncFileChannel(TestFile file, Cursor cursor, AfcWindow w) {
        return w.run(file, cursor);
    }

    /** FileChannel positional reads on one thread: queue depth 1. */
    @Benchmark
    public int fileChannel(TestFile file, Cursor cursor, Blocking b) {
        return b.read(cursor.nextOffset(file.offsets));
    }

    /** FileChannel positional reads on two threads, each at queue depth 1. */
    @Benchmark
    @Threads(2)
    public int fileChannel2Threads(TestFile file, Cursor cursor, Blocking b) {
        return b.read(cursor.nextOffset(file.offsets));
    }
}
