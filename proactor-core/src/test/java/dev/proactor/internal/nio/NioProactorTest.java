package dev.proactor.internal.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.AsyncFile;
import dev.proactor.BackendChoice;
import dev.proactor.CancelResult;
import dev.proactor.CloseReport;
import dev.proactor.FileStat;
import dev.proactor.MetricsSnapshot;
import dev.proactor.Operation;
import dev.proactor.OperationCancelledException;
import dev.proactor.OperationFailedException;
import dev.proactor.OperationKind;
import dev.proactor.OperationState;
import dev.proactor.OperationTimeoutException;
import dev.proactor.Proactor;
import dev.proactor.ProactorClosedException;
import dev.proactor.ProactorConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every operation the portable backend performs, end to end through the public API, with the
 * outcomes io_uring gives. Each test runs its own proactor, and ends by closing it and checking the
 * exactly-once ledger and that none of its threads is left.
 */
class NioProactorTest {
    @TempDir
    Path dir;

    private String name;
    private Proactor p;

    private Proactor open(TestInfo info) {
        name = "nio-" + info.getTestMethod().orElseThrow().getName();
        p = Proactor.open(ProactorConfig.builder().name(name).backend(BackendChoice.PORTABLE).build());
        return p;
    }

    @AfterEach
    void closeAndCheck() {
        if (p == null) {
            return;
        }
        CloseReport report = p.close(p.config().closeTimeout());
        assertThat(report.clean()).as("close report %s", report).isTrue();
        MetricsSnapshot.Ledger ledger = p.metrics().ledger();
        assertThat(ledger.terminal()).as("ledger %s", ledger).isEqualTo(ledger.initiated());
        assertThat(ledger.duplicates()).isZero();
        assertThat(ledger.strays()).isZero();
        assertThat(threadsNamed(name + "-")).as("threads left after close").isEmpty();
    }

    static List<String> threadsNamed(String prefix) {
        List<String> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && t.isAlive()) {
                out.add(t.getName());
            }
        }
        return out;
    }

    @Test
    void isThePortableBackend(TestInfo info) {
        open(info);
        assertThat(p.backendName()).isEqualTo("portable");
        assertThat(p.capabilities().notes()).noneMatch(n -> n.contains("portable backend is off"));
        assertThat(p.capabilities().operations().get(OperationKind.READ)).startsWith("portable");
        assertThat(p.capabilities().operations().get(OperationKind.ACCEPT)).startsWith("portable (selector)");
    }

    @Test
    void nopCompletes(TestInfo info) throws Exception {
        open(info);
        Operation<Void> nop = p.nop();
        assertThat(nop.await()).isNull();
        assertThat(nop.state()).isEqualTo(OperationState.COMPLETED);
    }

    @Test
    void timerNeverFiresEarly(TestInfo info) throws Exception {
        open(info);
        List<Operation<Void>> timers = new ArrayList<>();
        List<Long> started = new ArrayList<>();
        List<Long> ended = new ArrayList<>();
        long[] delaysMs = {25, 1, 40, 0, 10};
        for (long d : delaysMs) {
            long t0 = System.nanoTime();
            Operation<Void> t = p.timer(Duration.ofMillis(d));
            started.add(t0);
            int i = timers.size();
            ended.add(0L);
            t.onComplete((v, e) -> {
                synchronized (ended) {
                    ended.set(i, System.nanoTime());
                }
            });
            timers.add(t);
        }
        for (Operation<Void> t : timers) {
            t.await();
        }
        synchronized (ended) {
            for (int i = 0; i < delaysMs.length; i++) {
                assertThat(ended.get(i) - started.get(i)).as("timer %d ms", delaysMs[i])
                        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(delaysMs[i]));
            }
        }
    }

    @Test
    void fileOperationsRoundTrip(TestInfo info) throws Exception {
        open(info);
        Path f = dir.resolve("a.txt");
        AsyncFile file = p.openFile(f, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.READ), 0640).await();
        assertThat(file.isOpen()).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-r-----");

        byte[] hello = "hello, proactor".getBytes(StandardCharsets.UTF_8);
        assertThat(file.write(0, ByteBuffer.wrap(hello)).await()).isEqualTo(hello.length);
        assertThat(file.writeAll(hello.length, ByteBuffer.wrap(" and more".getBytes(StandardCharsets.UTF_8))).await())
                .isEqualTo(9L);
        long n = file.write(24, ByteBuffer.wrap("[".getBytes(StandardCharsets.UTF_8)),
                ByteBuffer.allocateDirect(3).put("abc".getBytes(StandardCharsets.UTF_8)).flip(),
                ByteBuffer.wrap("]".getBytes(StandardCharsets.UTF_8))).await();
        assertThat(n).isEqualTo(5);
        file.fsync().await();
        file.fdatasync().await();
        assertThat(Files.readString(f)).isEqualTo("hello, proactor and more[abc]");

        ByteBuffer dst = ByteBuffer.allocate(64);
        assertThat(file.read(0, dst).await()).isEqualTo(29);
        assertThat(new String(dst.array(), 0, dst.position(), StandardCharsets.UTF_8))
                .isEqualTo("hello, proactor and more[abc]");
        assertThat(file.read(29, ByteBuffer.allocate(4)).await()).as("end of file").isEqualTo(-1);

        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(5);
            assertThat(file.readFully(7, seg).await()).isEqualTo(5L);
            assertThat(new String(seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8))
                    .isEqualTo("proac");
        }
        assertThatThrownBy(() -> file.readFully(20, ByteBuffer.allocate(20)).await())
                .isInstanceOf(dev.proactor.EndOfFileException.class);

        ByteBuffer a = ByteBuffer.allocate(5);
        ByteBuffer b = ByteBuffer.allocateDirect(4);
        assertThat(file.read(0, a, b).await()).isEqualTo(9L);
        assertThat(new String(a.array(), StandardCharsets.UTF_8)).isEqualTo("hello");
        byte[] rest = new byte[4];
        b.flip().get(rest);
        assertThat(new String(rest, StandardCharsets.UTF_8)).isEqualTo(", pr");
        assertThat(file.read(29, ByteBuffer.allocate(3)).await()).as("readv at end of file").isEqualTo(-1L);

        FileStat st = file.stat().await();
        assertThat(st.size()).isEqualTo(29);
        assertThat(st.isRegularFile()).isTrue();
        assertThat(st.mode() & 0777).isEqualTo(0640);
        assertThat(st.inode()).isEqualTo(((Number) Files.getAttribute(f, "unix:ino")).longValue());
        assertThat(st.links()).isEqualTo(1);
        assertThat(st.blockSize()).isPositive();
        assertThat(st.lastModified()).isEqualTo(Files.getLastModifiedTime(f).toInstant());
        assertThat(file.size().await()).isEqualTo(29L);

        file.closeAsync().await();
        assertThat(file.isOpen()).isFalse();
        assertThatThrownBy(() -> file.read(0, ByteBuffer.allocate(1)).await())
                .isInstanceOf(ProactorClosedException.class);
    }

    @Test
    void pooledBuffersGoUnregistered(TestInfo info) throws Exception {
        open(info);
        Path f = dir.resolve("lease.bin");
        Files.write(f, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        AsyncFile file = p.openFile(f).await();
        try (dev.proactor.BufferLease lease = p.buffers().tryLease()) {
            assertThat(file.read(2, lease, 4).await()).isEqualTo(4);
            assertThat(lease.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 3);
        }
        file.closeAsync().await();
    }

    @Test
    void errorsCarryTheErrnoIoUringWouldReport(TestInfo info) throws Exception {
        open(info);
        assertThatThrownBy(() -> p.openFile(dir.resolve("missing")).await())
                .isInstanceOfSatisfying(OperationFailedException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("ENOENT");
                    assertThat(e.errno()).isEqualTo(2);
                    assertThat(e.kind()).isEqualTo(OperationKind.OPEN);
                });
        Path existing = Files.writeString(dir.resolve("there"), "x");
        assertThatThrownBy(() -> p.openFile(existing, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).await())
                .isInstanceOfSatisfying(OperationFailedException.class, e -> assertThat(e.errnoName()).isEqualTo("EEXIST"));
        assertThatThrownBy(() -> p.openFile(dir, StandardOpenOption.WRITE).await())
                .isInstanceOfSatisfying(OperationFailedException.class, e -> assertThat(e.errnoName()).isEqualTo("EISDIR"));
        assertThatThrownBy(() -> p.openFile(existing.resolve("below")).await())
                .isInstanceOfSatisfying(OperationFailedException.class, e -> assertThat(e.errnoName()).isEqualTo("ENOTDIR"));

        // A directory opens read-only, as with open(2); reading it is EISDIR.
        AsyncFile d = p.openFile(dir).await();
        assertThatThrownBy(() -> d.read(0, ByteBuffer.allocate(8)).await())
                .isInstanceOfSatisfying(OperationFailedException.class, e -> assertThat(e.errnoName()).isEqualTo("EISDIR"));
        d.closeAsync().await();

        // Writing a file opened read-only is EBADF.
        AsyncFile ro = p.openFile(existing, StandardOpenOption.READ).await();
        assertThatThrownBy(() -> ro.write(0, ByteBuffer.wrap(new byte[] {1})).await())
                .isInstanceOfSatisfying(OperationFailedException.class, e -> assertThat(e.errnoName()).isEqualTo("EBADF"));
        ro.closeAsync().await();
    }

    @Test
    void deadlineShorterThanTimerTimesOut(TestInfo info) throws Exception {
        open(info);
        long t0 = System.nanoTime();
        Operation<Void> t = p.withTimeout(Duration.ofMillis(30)).timer(Duration.ofSeconds(30));
        assertThatThrownBy(t::await).isInstanceOf(OperationTimeoutException.class);
        assertThat(t.state()).isEqualTo(OperationState.TIMED_OUT);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
    }

    @Test
    void deadlineLongerThanTimerCompletes(TestInfo info) throws Exception {
        open(info);
        Operation<Void> t = p.withTimeout(Duration.ofSeconds(30)).timer(Duration.ofMillis(5));
        t.await();
        assertThat(t.state()).isEqualTo(OperationState.COMPLETED);
    }

    @Test
    void cancelOfLongTimerCancels(TestInfo info) throws Exception {
        open(info);
        Operation<Void> t = p.timer(Duration.ofHours(1));
        CancelResult r = t.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(r.kind()).isEqualTo(CancelResult.Kind.CANCELLED);
        assertThat(t.state()).isEqualTo(OperationState.CANCELLED);
        assertThatThrownBy(t::await).isInstanceOf(OperationCancelledException.class);
        CancelResult again = t.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(again.kind()).isEqualTo(CancelResult.Kind.NOT_FOUND);
    }

    @Test
    void closeEndsPendingTimers(TestInfo info) throws Exception {
        open(info);
        List<Operation<Void>> timers = List.of(p.timer(Duration.ofHours(1)), p.timer(Duration.ofHours(2)),
                p.timer(Duration.ofDays(1)));
        // The list reaches the dispatcher after the timers: they are in the backend's heap by then.
        assertThat(p.operations()).hasSize(3);
        CloseReport report = p.close(Duration.ofMillis(50));
        assertThat(report.cancelled()).isEqualTo(3);
        for (Operation<Void> t : timers) {
            assertThat(t.state()).isEqualTo(OperationState.CANCELLED);
        }
    }

    @Test
    void closeClosesFilesLeftOpen(TestInfo info) throws Exception {
        open(info);
        Path f = Files.writeString(dir.resolve("left-open"), "data");
        p.openFile(f).await();
        p.openFile(f).await();
        CloseReport report = p.close(p.config().closeTimeout());
        assertThat(report.filesClosed()).isEqualTo(2);
        assertThat(NioBackendTest.descriptorsUnder(dir)).as("descriptors left on files under the test directory").isZero();
    }

    @Test
    void autoFallsBackOrUsesIoUring() {
        Proactor auto = Proactor.open(ProactorConfig.builder().name("nio-auto").build());
        try {
            if (dev.proactor.internal.uring.UringSupport.isAvailable()) {
                assertThat(auto.backendName()).isEqualTo("io_uring");
            } else {
                assertThat(auto.backendName()).isEqualTo("portable");
                assertThat(auto.capabilities().reason()).startsWith("auto: io_uring unavailable (")
                        .endsWith("), using the portable backend");
            }
        } finally {
            auto.close();
        }
        assertThat(threadsNamed("nio-auto-")).isEmpty();
    }
}
