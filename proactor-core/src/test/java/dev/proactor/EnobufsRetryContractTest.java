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
import java.util.Set;

/**
 * ENOBUFS (the kernel short of buffer space for a moment) is one of {@link RetryPolicy#TRANSIENT}:
 * an operation that meets it is tried again, and the caller sees only the final outcome. The
 * failures are injected into positional file reads and writes, which are safe to repeat.
 */
class EnobufsRetryContractTest {

    private static final int ENOBUFS = 105;

    private static long retries(Proactor p, OperationKind kind) {
        MetricsSnapshot.KindMetrics m = p.metrics().kinds().get(kind);
        return m == null ? 0 : m.retries();
    }

    @EachBackend
    void enobufsIsRetriedUnderTheDefaultPolicy(ProactorFixture fixture) throws Exception {
        assertThat(RetryPolicy.defaults().transientErrnos()).contains("ENOBUFS");
        FaultInjectingBackend.Control control = new FaultInjectingBackend.Control();
        Proactor p = fixture.open(fixture.config().retry(RetryPolicy.defaults()), control::wrap);
        Path file = fixture.tempDir().resolve("data.bin");
        TestFiles.writeRandom(file, 8192, 5);
        AsyncFile f = Ops.result(p.openFile(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
        long readsBefore = control.completionsSeen(OperationKind.READ);

        control.plan(Plan.failNext(Request.Read.class, ENOBUFS, 3));
        ByteBuffer buf = ByteBuffer.allocateDirect(4096);
        assertThat(Ops.result(f.read(0, buf))).isEqualTo(4096);
        buf.flip();
        byte[] got = new byte[4096];
        buf.get(got);
        assertThat(got).isEqualTo(TestFiles.slice(file, 0, 4096));
        assertThat(control.failuresInjected()).isEqualTo(3);
        assertThat(control.completionsSeen(OperationKind.READ) - readsBefore).as("kernel rounds").isEqualTo(4);
        assertThat(retries(p, OperationKind.READ)).as("retries counted").isEqualTo(3);
        assertThat(p.metrics().kinds().get(OperationKind.READ).failed()).isZero();

        control.plan(Plan.failNext(Request.Write.class, ENOBUFS, 1));
        assertThat(Ops.result(f.write(8192, ByteBuffer.wrap(new byte[] {4, 5, 6})))).isEqualTo(3);
        assertThat(retries(p, OperationKind.WRITE)).isEqualTo(1);
        control.plan(Plan.NONE);
        Ops.result(f.closeAsync());
        byte[] all = Files.readAllBytes(file);
        assertThat(all).hasSize(8195);
        assertThat(java.util.Arrays.copyOfRange(all, 8192, 8195)).containsExactly(4, 5, 6);
    }

    /** A policy that does not name ENOBUFS lets it through at once, and one whose tries run out reports it. */
    @EachBackend
    void enobufsSurfacesWhenNotTransientOrWhenTriesRunOut(ProactorFixture fixture) throws Exception {
        FaultInjectingBackend.Control control = new FaultInjectingBackend.Control();
        RetryPolicy eagainOnly = new RetryPolicy(Set.of("EAGAIN"), 4, Duration.ZERO, Duration.ZERO);
        Proactor strict = fixture.open(fixture.config().retry(eagainOnly), control::wrap);
        Path file = fixture.tempDir().resolve("data.bin");
        TestFiles.writeRandom(file, 4096, 6);
        AsyncFile f = Ops.result(strict.openFile(file, StandardOpenOption.READ));
        control.plan(Plan.failNext(Request.Read.class, ENOBUFS, 1));
        ProactorException e = Ops.failure(f.read(0, ByteBuffer.allocate(100)));
        assertThat(((OperationFailedException) e).errnoName()).isEqualTo("ENOBUFS");
        assertThat(retries(strict, OperationKind.READ)).isZero();
        control.plan(Plan.NONE);
        Ops.result(f.closeAsync());

        RetryPolicy twoTries = new RetryPolicy(RetryPolicy.TRANSIENT, 2, Duration.ZERO, Duration.ZERO);
        Proactor brief = fixture.open(fixture.config().retry(twoTries), control::wrap);
        AsyncFile g = Ops.result(brief.openFile(file, StandardOpenOption.READ));
        control.plan(Plan.failAlways(Request.Read.class, ENOBUFS));
        ProactorException out = Ops.failure(g.read(0, ByteBuffer.allocate(100)));
        assertThat(((OperationFailedException) out).errnoName()).isEqualTo("ENOBUFS");
        assertThat(retries(brief, OperationKind.READ)).as("one retry, then the second ENOBUFS is final").isEqualTo(1);
        control.plan(Plan.NONE);
        Ops.result(g.closeAsync());
    }
}
