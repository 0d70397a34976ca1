package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.ResourceSnapshot;
import dev.proactor.test.TestFiles;
import dev.proactor.test.Waits;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/** Vectored I/O, flushes, stat, size, open errors and use after close. */
class FileOperationsContractTest {

    @EachBackend
    void writevThenReadvRoundTrips(ProactorFixture fixture) throws Exception {
        Path file = fixture.tempDir().resolve("vec.bin");
        Proactor p = fixture.proactor();
        AsyncFile f = Ops.result(p.openFile(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW));
        int[] sizes = {100, 4096, 7, 65536 + 3};
        Random random = new Random(42);
        byte[][] data = new byte[sizes.length][];
        ByteBuffer[] srcs = new ByteBuffer[sizes.length];
        long total = 0;
        for (int i = 0; i < sizes.length; i++) {
            data[i] = new byte[sizes[i]];
            random.nextBytes(data[i]);
            // Mix heap and direct buffers in one vector.
            srcs[i] = (i % 2 == 0 ? ByteBuffer.allocateDirect(sizes[i]) : ByteBuffer.allocate(sizes[i]));
            srcs[i].put(data[i]).flip();
            total += sizes[i];
        }
        long base = 1000;
        assertThat(Ops.result(f.write(base, srcs))).as("writev total").isEqualTo(total);
        for (ByteBuffer b : srcs) {
            assertThat(b.hasRemaining()).as("writev advanced every buffer").isFalse();
        }

        ByteBuffer[] dsts = new ByteBuffer[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            dsts[i] = (i % 2 == 1 ? ByteBuffer.allocateDirect(sizes[i]) : ByteBuffer.allocate(sizes[i]));
        }
        assertThat(Ops.result(f.read(base, dsts))).as("readv total").isEqualTo(total);
        for (int i = 0; i < sizes.length; i++) {
            assertThat(dsts[i].position()).as("readv advanced buffer " + i).isEqualTo(sizes[i]);
            byte[] got = new byte[sizes[i]];
            dsts[i].flip().get(got);
            assertThat(got).as("buffer " + i).isEqualTo(data[i]);
        }
        // The hole before base reads back as zeros; the file holds the concatenation after it.
        byte[] onDisk = Files.readAllBytes(file);
        assertThat(onDisk).hasSize((int) (base + total));
        assertThat(Arrays.copyOf(onDisk, (int) base)).containsOnly(0);
        int at = (int) base;
        for (byte[] d : data) {
            assertThat(Arrays.copyOfRange(onDisk, at, at + d.length)).isEqualTo(d);
            at += d.length;
        }
        ByteBuffer[] past = {ByteBuffer.allocate(10), ByteBuffer.allocate(10)};
        assertThat(Ops.result(f.read(base + total, past))).as("readv at end of file").isEqualTo(-1L);
        Ops.result(f.closeAsync());
    }

    @EachBackend
    void fsyncFdatasyncStatAndSize(ProactorFixture fixture) throws Exception {
        Path file = fixture.tempDir().resolve("meta.bin");
        Instant before = Instant.now().minus(2, ChronoUnit.SECONDS);
        Proactor p = fixture.proactor();
        AsyncFile f = Ops.result(p.openFile(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE));
        assertThat(f.isOpen()).isTrue();
        assertThat(f.path()).isEqualTo(file);
        assertThat(Ops.result(f.writeAll(0, ByteBuffer.wrap(new byte[12345])))).isEqualTo(12345L);

        Operation<Void> fsync = f.fsync();
        assertThat(Ops.result(fsync)).isNull();
        assertThat(fsync.state()).isEqualTo(OperationState.COMPLETED);
        assertThat(fsync.kind()).isEqualTo(OperationKind.FSYNC);
        Operation<Void> fdatasync = f.fdatasync();
        assertThat(Ops.result(fdatasync)).isNull();
        assertThat(fdatasync.state()).isEqualTo(OperationState.COMPLETED);

        FileStat stat = Ops.result(f.stat());
        assertThat(stat.size()).isEqualTo(12345);
        assertThat(stat.isRegularFile()).isTrue();
        assertThat(stat.isDirectory()).isFalse();
        assertThat(stat.links()).isEqualTo(1);
        assertThat(stat.inode()).isEqualTo(Files.getAttribute(file, "unix:ino"));
        assertThat(stat.mode() & 0777).isEqualTo((Integer) Files.getAttribute(file, "unix:mode") & 0777);
        assertThat(stat.lastModified()).isAfter(before).isBefore(Instant.now().plusSeconds(2));
        assertThat(Ops.result(f.size())).isEqualTo(12345L);

        assertThat(Ops.result(f.write(20000, ByteBuffer.wrap(new byte[] {1})))).isEqualTo(1);
        assertThat(Ops.result(f.size())).as("size after writing past the end").isEqualTo(20001L);
        assertThat(Ops.result(f.stat()).size()).isEqualTo(20001L);
        Ops.result(f.closeAsync());
        assertThat(Files.size(file)).isEqualTo(20001L);
    }

    @EachBackend
    void openingAMissingFileFailsWithEnoent(ProactorFixture fixture) {
        Path missing = fixture.tempDir().resolve("no-such-file");
        Operation<AsyncFile> op = fixture.proactor().openFile(missing, StandardOpenOption.READ);
        ProactorException e = Ops.failure(op);
        assertThat(e).isInstanceOf(OperationFailedException.class);
        OperationFailedException failed = (OperationFailedException) e;
        assertThat(failed.errnoName()).isEqualTo("ENOENT");
        assertThat(failed.errno()).isEqualTo(2);
        assertThat(failed.kind()).isEqualTo(OperationKind.OPEN);
        assertThat(failed.resource()).contains("no-such-file");
        assertThat(op.state()).isEqualTo(OperationState.FAILED);
        assertThat(op.kind()).isEqualTo(OperationKind.OPEN);

        ProactorException exists = Ops.failure(fixture.proactor().openFile(fixture.tempDir(),
                StandardOpenOption.WRITE));
        assertThat(exists).isInstanceOf(OperationFailedException.class);
        assertThat(((OperationFailedException) exists).errnoName()).isEqualTo("EISDIR");
    }

    /** Each failure names the errno the kernel gives for it, whichever backend made the call. */
    @EachBackend
    void failedOpensReadsAndWritesCarryTheKernelsErrno(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Path dir = fixture.tempDir();
        Path existing = Files.writeString(dir.resolve("there"), "x");
        assertThat(errnoOf(p.openFile(existing, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)))
                .isEqualTo("EEXIST");
        assertThat(errnoOf(p.openFile(existing.resolve("below")))).isEqualTo("ENOTDIR");
        // A directory opens read-only, as with open(2); reading it is EISDIR.
        try (AsyncFile d = Ops.result(p.openFile(dir))) {
            assertThat(errnoOf(d.read(0, ByteBuffer.allocate(8)))).isEqualTo("EISDIR");
        }
        try (AsyncFile ro = Ops.result(p.openFile(existing, StandardOpenOption.READ))) {
            assertThat(errnoOf(ro.write(0, ByteBuffer.wrap(new byte[] {1})))).as("write on a read-only file")
                    .isEqualTo("EBADF");
        }
    }

    private static String errnoOf(Operation<?> op) {
        ProactorException e = Ops.failure(op);
        assertThat(e).isInstanceOf(OperationFailedException.class);
        return ((OperationFailedException) e).errnoName();
    }

    @EachBackend
    void aCreatedFileGetsTheModeAsked(ProactorFixture fixture) throws Exception {
        Path f = fixture.tempDir().resolve("mode.txt");
        try (AsyncFile file = Ops.result(fixture.proactor().openFile(f, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), 0640))) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                    .isEqualTo("rw-r-----");
            assertThat(Ops.result(file.stat()).mode() & 0777).isEqualTo(0640);
        }
    }

    @EachBackend
    void operationsAfterCloseFailWithProactorClosed(ProactorFixture fixture) throws Exception {
        Path file = fixture.tempDir().resolve("closed.bin");
        TestFiles.writeRandom(file, 4096, 1);
        Proactor p = fixture.proactor();
        AsyncFile f = Ops.result(p.openFile(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
        Operation<Void> close = f.closeAsync();
        assertThat(f.isOpen()).isFalse();
        assertThat(f.closeAsync()).as("a second close returns the same operation").isSameAs(close);
        assertThat(Ops.result(close)).isNull();

        List<Operation<?>> after = List.of(
                f.read(0, ByteBuffer.allocate(10)),
                f.write(0, ByteBuffer.allocate(10)),
                f.readFully(0, ByteBuffer.allocateDirect(10)),
                f.writeAll(0, ByteBuffer.allocateDirect(10)),
                f.read(0, ByteBuffer.allocate(10)),
                f.write(0, ByteBuffer.allocate(10)),
                f.fsync(),
                f.fdatasync(),
                f.stat(),
                f.size());
        for (Operation<?> op : after) {
            assertThat(Ops.failure(op)).as(op.kind() + " after file close").isInstanceOf(ProactorClosedException.class);
            assertThat(op.state()).isEqualTo(OperationState.FAILED);
        }
        // The descriptor is really gone: nothing of ours points at the file any more.
        assertThat(ResourceSnapshot.openFds().values()).doesNotContain(file.toString());
    }

    @EachBackend
    void operationsAfterProactorCloseFailWithProactorClosed(ProactorFixture fixture) throws Exception {
        Path file = fixture.tempDir().resolve("p-closed.bin");
        TestFiles.writeRandom(file, 4096, 2);
        Proactor p = fixture.open();
        AsyncFile f = Ops.result(p.openFile(file, StandardOpenOption.READ));
        CloseReport report = p.close(Duration.ofSeconds(5));
        assertThat(report.filesClosed()).as("close closed the file the test left open").isEqualTo(1);
        assertThat(p.close(Duration.ofSeconds(5))).as("later closes return the first report")
                .isEqualTo(report);
        for (Operation<?> op : List.of(p.nop(), p.timer(Duration.ofMillis(1)),
                p.openFile(file, StandardOpenOption.READ), f.read(0, ByteBuffer.allocate(10)))) {
            assertThat(Ops.failure(op)).as(op.kind() + " after proactor close")
                    .isInstanceOf(ProactorClosedException.class);
        }
        assertThat(ResourceSnapshot.openFds().values()).doesNotContain(file.toString());
    }

    /**
     * The proactor's list of open resources (each resource its own node) loses only what was
     * closed: with five files open, closing the oldest, a middle one and the newest, two of them
     * twice, leaves exactly the other two for the proactor's close, which closes them.
     */
    @EachBackend
    void proactorCloseClosesExactlyTheFilesStillOpenAfterClosesInAnyOrder(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        List<Path> paths = new java.util.ArrayList<>();
        List<AsyncFile> files = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Path file = fixture.tempDir().resolve("left-open-" + i + ".bin");
            TestFiles.writeRandom(file, 16, i);
            paths.add(file);
            files.add(Ops.result(p.openFile(file, StandardOpenOption.READ)));
        }
        for (int i : new int[] {0, 2, 4, 0, 4}) {
            assertThat(Ops.result(files.get(i).closeAsync())).isNull();
        }
        CloseReport report = p.close(Duration.ofSeconds(5));
        assertThat(report.filesClosed()).as("the two files the test left open").isEqualTo(2);
        assertThat(ResourceSnapshot.openFds().values()).doesNotContainAnyElementsOf(
                paths.stream().map(Path::toString).toList());
    }

    @EachBackend
    void closingAFileEndsItsPendingOperationsAndTheTableListsThem(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Path fifo = fixture.fifo("pending.fifo");
        // Repeated: whether the outcomes are visible when the close completes is a race in the core.
        for (int round = 0; round < 20; round++) {
            closeWithPendingReads(p, fifo, round == 0);
        }
    }

    private static void closeWithPendingReads(Proactor p, Path fifo, boolean checkTable)
            throws Exception {
        AsyncFile pipe = Ops.result(p.openFile(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
        BufferLease lease = p.buffers().lease(Duration.ofSeconds(5));
        List<Operation<Integer>> reads = List.of(
                pipe.read(0, ByteBuffer.allocate(16)),
                pipe.read(0, ByteBuffer.allocateDirect(16)),
                pipe.read(0, lease, 16));
        AtomicInteger calls = new AtomicInteger();
        reads.forEach(r -> r.onComplete((n, f) -> calls.incrementAndGet()));

        if (checkTable) {
            Waits.until(Duration.ofSeconds(5),
                    () -> p.operations().stream().filter(i -> i.kind() == OperationKind.READ).count() == 3,
                    () -> "operations() = " + p.operations());
            List<OperationInfo> table = p.operations();
            for (Operation<Integer> r : reads) {
                OperationInfo info = table.stream().filter(i -> i.id() == r.id()).findFirst().orElseThrow(
                        () -> new AssertionError("operation " + r.id() + " not listed in " + table));
                assertThat(info.kind()).isEqualTo(OperationKind.READ);
                assertThat(info.resource()).contains("pending.fifo");
                assertThat(info.state()).isIn(OperationState.QUEUED, OperationState.SUBMITTED);
                assertThat(info.age().isNegative()).isFalse();
            }
            assertThat(table).extracting(OperationInfo::id).isSorted();
        }

        assertThat(Ops.result(pipe.closeAsync())).isNull();
        List<OperationState> whenClosed = reads.stream().map(Operation::state).toList();
        for (Operation<Integer> r : reads) {
            Waits.poll(Duration.ofSeconds(5), r::isDone);
            assertThat(r.state()).as("read %d ended by its file's close", r.id()).isEqualTo(OperationState.CANCELLED);
            assertThat(r.failureNow()).isInstanceOf(OperationCancelledException.class);
            assertThat(r.failureNow().kind()).isEqualTo(OperationKind.READ);
        }
        // The close ends the pending operations first, so their outcomes are visible once it completes.
        assertThat(whenClosed).as("states of the pending reads when file.close() completed")
                .containsOnly(OperationState.CANCELLED);
        Waits.until(Duration.ofSeconds(5), () -> calls.get() == 3,
                () -> calls.get() + " of 3 handlers ran");
        lease.release();
        assertThat(p.operations()).isEmpty();
    }
}
