package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.spi.Request;
import dev.proactor.test.EachBackend;
import dev.proactor.test.FaultInjectingBackend;
import dev.proactor.test.FaultInjectingBackend.Plan;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.TestFiles;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;

/**
 * Transient errors are retried, permanent ones never, and partial transfers are finished
 * (reliability target R6), through a backend decorator that lies about successful completions.
 */
class RetryContractTest {

    private static long retries(Proactor p, OperationKind kind) {
        MetricsSnapshot.KindMetrics m = p.metrics().kinds().get(kind);
        return m == null ? 0 : m.retries();
    }

    private static Path dataFile(ProactorFixture fixture, int size) {
        Path file = fixture.tempDir().resolve("data.bin");
        TestFiles.writeRandom(file, size, 21);
        return file;
    }

    @EachBackend
    void eagainIsRetriedAndTheCallerSeesSuccess(ProactorFixture fixture) throws Exception {
        FaultInjectingBackend.Control control = new FaultInjectingBackend.Control();
        Proactor p = fixture.open(fixture.config().retry(RetryPolicy.defaults()), control::wrap);
        Path file = dataFile(fixture, 8192);
        AsyncFile f = Ops.result(p.openFile(file, StandardOpenOption.READ));
        long readsBefore = control.completionsSeen(OperationKind.READ);

        control.plan(Plan.failNext(Request.Read.class, FaultInjectingBackend.EAGAIN, 2));
        ByteBuffer buf = ByteBuffer.allocateDirect(4096);
        assertThat(Ops.result(f.read(0, buf))).isEqualTo(4096);
        assertThat(bytes(buf)).isEqualTo(TestFiles.slice(file, 0, 4096));
        assertThat(control.failuresInjected()).isEqualTo(2);
        assertThat(control.completionsSeen(OperationKind.READ) - readsBefore).as("kernel rounds").isEqualTo(3);
        assertThat(retries(p, OperationKind.READ)).as("retries counted").isEqualTo(2);

        // EINTR is transient too; a write is retried the same way.
        Path out = fixture.tempDir().resolve("out.bin");
        AsyncFile w = Ops.result(p.openFile(out, StandardOpenOption.WRITE, StandardOpenOption.CREATE));
        control.plan(Plan.failNext(Request.Write.class, FaultInjectingBackend.EINTR, 1));
        assertThat(Ops.result(w.write(0, ByteBuffer.wrap(new byte[] {1, 2, 3})))).isEqualTo(3);
        assertThat(retries(p, OperationKind.WRITE)).isEqualTo(1);
        Ops.result(w.closeAsync());
        Ops.result(f.closeAsync());
        assertThat(Files.readAllBytes(out)).containsExactly(1, 2, 3);
    }

    @EachBackend
    void aPermanentErrorIsNeverRetried(ProactorFixture fixture) throws Exception {
        FaultInjectingBackend.Control control = new FaultInjectingBackend.Control();
        // Even a policy that names EBADF transient must not retry it.
        RetryPolicy eager = new RetryPolicy(java.util.Set.of("EAGAIN", "EBADF"), 10, Duration.ZERO, Duration.ZERO);
        Proactor p = fixture.open(fixture.config().retry(eager), control::wrap);
        AsyncFile f = Ops.result(p.openFile(dataFile(fixture, 8192), StandardOpenOption.READ));
        long readsBefore = control.completionsSeen(OperationKind.READ);

        control.plan(Plan.failNext(Request.Read.class, FaultInjectingBackend.EBADF, 1));
        Operation<Integer> read = f.read(0, ByteBuffer.allocate(100));
        ProactorException e = Ops.failure(read);
        assertThat(e).isInstanceOf(OperationFailedException.class);
        assertThat(((OperationFailedException) e).errnoName()).isEqualTo("EBADF");
        assertThat(((OperationFailedException) e).errno()).isEqualTo(9);
        assertThat(e.kind()).isEqualTo(OperationKind.READ);
        assertThat(e.resource()).contains("data.bin");
        assertThat(control.completionsSeen(OperationKind.READ) - readsBefore).as("kernel rounds").isEqualTo(1);
        assertThat(retries(p, OperationKind.READ)).isZero();
        assertThat(p.metrics().kinds().get(OperationKind.READ).failed()).isEqualTo(1);
        Ops.result(f.closeAsync());
    }

    @EachBackend
    void whenAttemptsRunOutTheTransientErrorSurfaces(ProactorFixture fixture) throws Exception {
        FaultInjectingBackend.Control control = new FaultInjectingBackend.Control();
        RetryPolicy policy = RetryPolicy.defaults();
        Proactor p = fixture.open(fixture.config().retry(policy), control::wrap);
        AsyncFile f = Ops.result(p.openFile(dataFile(fixture, 8192), StandardOpenOption.READ));
        long readsBefore = control.completionsSeen(OperationKind.READ);

        control.plan(Plan.failAlways(Request.Read.class, FaultInjectingBackend.EAGAIN));
        long start = System.nanoTime();
        ProactorException e = Ops.failure(f.read(0, ByteBuffer.allocate(100)));
        long took = System.nanoTime() - start;
        assertThat(e).isInstanceOf(OperationFailedException.class);
        assertThat(((OperationFailedException) e).errnoName()).isEqualTo("EAGAIN");
        assertThat(((OperationFailedException) e).errno()).isEqualTo(11);
        assertThat(control.completionsSeen(OperationKind.READ) - readsBefore).as("kernel rounds")
                .isEqualTo(policy.maxAttempts());
        assertThat(retries(p, OperationKind.READ)).isEqualTo(policy.maxAttempts() - 1);
        long backoff = 0;
        for (int attempt = 1; attempt < policy.maxAttempts(); attempt++) {
            backoff += policy.delayAfter(attempt).toNanos();
        }
        assertThat(Duration.ofNanos(took)).as("backed off between tries").isGreaterThanOrEqualTo(Duration.ofNanos(backoff));

        // RetryPolicy.none(): the first EAGAIN is final.
        control.plan(Plan.NONE);
        Proactor once = fixture.open(fixture.config().retry(RetryPolicy.none()), control::wrap);
        AsyncFile g = Ops.result(once.openFile(dataFile(fixture, 8192), StandardOpenOption.READ));
        control.plan(Plan.failNext(Request.Read.class, FaultInjectingBackend.EAGAIN, 1));
        ProactorException first = Ops.failure(g.read(0, ByteBuffer.allocate(100)));
        assertThat(((OperationFailedException) first).errnoName()).isEqualTo("EAGAIN");
        assertThat(retries(once, OperationKind.READ)).isZero();
        control.plan(Plan.NONE);
        Ops.result(g.closeAsync());
        Ops.result(f.closeAsync());
    }

    /**
     * The policy limits failures in a row, not in all: a readFully whose every round first meets
     * maxAttempts - 1 EAGAINs and then moves 100 bytes meets about 120 EAGAINs and still succeeds.
     */
    @EachBackend
    void progressStartsTheRetryCountAgain(ProactorFixture fixture) throws Exception {
        FaultInjectingBackend.Control control = new FaultInjectingBackend.Control();
        RetryPolicy policy = new RetryPolicy(RetryPolicy.TRANSIENT, 4, Duration.ofNanos(1000), Duration.ofMillis(1));
        Proactor p = fixture.open(fixture.config().retry(policy), control::wrap);
        Path file = dataFile(fixture, 8192);
        AsyncFile f = Ops.result(p.openFile(file, StandardOpenOption.READ));
        java.util.concurrent.atomic.AtomicInteger step = new java.util.concurrent.atomic.AtomicInteger();
        control.plan((request, result) -> {
            if (!(request instanceof Request.Read)) {
                return FaultInjectingBackend.Injection.PASS;
            }
            // EAGAIN, EAGAIN, EAGAIN, then a round that moves at most 100 bytes; and again.
            return step.getAndIncrement() % policy.maxAttempts() < policy.maxAttempts() - 1
                    ? new FaultInjectingBackend.Injection.Fail(FaultInjectingBackend.EAGAIN)
                    : result > 100 ? new FaultInjectingBackend.Injection.Short(100) : FaultInjectingBackend.Injection.PASS;
        });
        ByteBuffer dst = ByteBuffer.allocate(4096);
        assertThat(Ops.result(f.readFully(0, dst))).isEqualTo(4096L);
        control.plan(Plan.NONE);
        assertThat(bytes(dst)).isEqualTo(TestFiles.slice(file, 0, 4096));
        assertThat(control.failuresInjected()).as("EAGAINs met in all").isGreaterThan(100);
        assertThat(retries(p, OperationKind.READ)).isEqualTo(control.failuresInjected());

        // The same stall one try longer than the policy allows is final.
        step.set(0);
        control.plan((request, result) -> request instanceof Request.Read && step.getAndIncrement() < policy.maxAttempts()
                ? new FaultInjectingBackend.Injection.Fail(FaultInjectingBackend.EAGAIN)
                : FaultInjectingBackend.Injection.PASS);
        ProactorException e = Ops.failure(f.readFully(0, ByteBuffer.allocate(4096)));
        control.plan(Plan.NONE);
        assertThat(((OperationFailedException) e).errnoName()).isEqualTo("EAGAIN");
        Ops.result(f.closeAsync());
    }

    @EachBackend
    void aSingleReadOrWriteReportsTheShortCount(ProactorFixture fixture) throws Exception {
        FaultInjectingBackend.Control control = new FaultInjectingBackend.Control();
        Proactor p = fixture.open(fixture.config(), control::wrap);
        Path file = dataFile(fixture, 8192);
        AsyncFile f = Ops.result(p.openFile(file, StandardOpenOption.READ, StandardOpenOption.WRITE));

        control.plan(Plan.shortNext(Request.Read.class, 100));
        ByteBuffer buf = ByteBuffer.allocate(4096);
        assertThat(Ops.result(f.read(0, buf))).isEqualTo(100);
        assertThat(buf.position()).isEqualTo(100);
        assertThat(bytes(buf)).isEqualTo(TestFiles.slice(file, 0, 100));

        control.plan(Plan.shortNext(Request.Write.class, 7));
        ByteBuffer src = ByteBuffer.allocateDirect(50);
        assertThat(Ops.result(f.write(0, src))).isEqualTo(7);
        assertThat(src.position()).isEqualTo(7);

        // readFully and writeAll finish the job after short transfers.
        control.plan(Plan.shortNext(Request.Read.class, 10));
        ByteBuffer full = ByteBuffer.allocate(4096);
        assertThat(Ops.result(f.readFully(4096, full))).isEqualTo(4096L);
        assertThat(bytes(full)).isEqualTo(TestFiles.slice(file, 4096, 4096));
        Ops.result(f.closeAsync());
    }

    @EachBackend
    void shortTransfersAndEagainStillCopy64MiBByteExact(ProactorFixture fixture) throws Exception {
        copyThroughLies(fixture, 64 << 20, 0.3, 0.05);
    }

    @Tag("stress")
    @EachBackend
    void heavierLiesStillCopy256MiBByteExact(ProactorFixture fixture) throws Exception {
        copyThroughLies(fixture, 256 << 20, 0.5, 0.1);
    }

    /**
     * Copies a file in 256 KiB chunks, 4 in flight, while reads and writes come back short (1 to n-1
     * bytes) with probability {@code pShort} or fail with EAGAIN with probability {@code pEagain}.
     */
    private static void copyThroughLies(ProactorFixture fixture, int size, double pShort, double pEagain)
            throws Exception {
        FaultInjectingBackend.Control control = new FaultInjectingBackend.Control();
        // 8 tries: a round fails only on 8 EAGAINs in a row (0.1^8 per round at the worst rate).
        RetryPolicy retry = new RetryPolicy(RetryPolicy.TRANSIENT, 8, Duration.ofNanos(1000), Duration.ofMillis(1));
        Proactor p = fixture.open(fixture.config().retry(retry), control::wrap);
        Path src = fixture.tempDir().resolve("src.bin");
        Path dst = fixture.tempDir().resolve("dst.bin");
        String sha = TestFiles.writeRandom(src, size, 33);
        AsyncFile in = Ops.result(p.openFile(src, StandardOpenOption.READ));
        AsyncFile out = Ops.result(p.openFile(dst, StandardOpenOption.WRITE, StandardOpenOption.CREATE));
        control.plan(Plan.random(34, pShort, pEagain, FaultInjectingBackend.EAGAIN));

        int chunk = 256 << 10;
        int lanes = 4;
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            ByteBuffer buf = lane % 2 == 0 ? ByteBuffer.allocateDirect(chunk) : ByteBuffer.allocate(chunk);
            all.add(copyLane(in, out, buf, lane, lanes, size));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        control.plan(Plan.NONE);
        Ops.result(in.closeAsync());
        Ops.result(out.closeAsync());
        assertThat(control.shortsInjected()).as("short transfers injected").isPositive();
        assertThat(control.failuresInjected()).as("EAGAINs injected").isPositive();
        assertThat(retries(p, OperationKind.READ) + retries(p, OperationKind.WRITE))
                .as("retries").isGreaterThanOrEqualTo(control.failuresInjected());
        assertThat(Files.size(dst)).isEqualTo(size);
        assertThat(TestFiles.sha256(dst)).as("SHA-256 of the copy").isEqualTo(sha);
    }

    private static CompletableFuture<Void> copyLane(AsyncFile in, AsyncFile out, ByteBuffer buf, int index,
            int stride, int size) {
        long pos = (long) index * buf.capacity();
        if (pos >= size) {
            return CompletableFuture.completedFuture(null);
        }
        buf.clear().limit((int) Math.min(buf.capacity(), size - pos));
        return in.readFully(pos, buf).stage().toCompletableFuture()
                .thenCompose(n -> out.writeAll(pos, buf.flip()).stage())
                .thenCompose(n -> copyLane(in, out, buf, index + stride, stride, size));
    }

    /** The bytes from 0 to the buffer's position. */
    private static byte[] bytes(ByteBuffer buf) {
        byte[] out = new byte[buf.position()];
        buf.duplicate().flip().get(out);
        return out;
    }
}
