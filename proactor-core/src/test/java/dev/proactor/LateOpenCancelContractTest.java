package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.ResourceSnapshot;
import dev.proactor.test.Waits;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An open whose cancel came when the open could no longer be withdrawn: the file is opened anyway,
 * and the proactor must close it (the caller asked not to have it) and report the open cancelled.
 *
 * <p>The open is of a FIFO for reading, which blocks until a writer opens it; that makes the
 * moment deterministic where the open runs as a blocking call on a thread (the portable
 * backend's file threads, io_uring's fallback threads): the test waits until a thread of the
 * proactor is inside the open, cancels, waits until the dispatcher has seen the cancel, and only
 * then opens the writer, which lets the open finish. On io_uring proper the kernel opens a FIFO
 * without waiting for a writer, so the open has always finished before any cancel; the late
 * cancel is made deterministic there by {@code UringOpenCancelTest}, which holds the open's
 * completion back.
 */
class LateOpenCancelContractTest {

    @EachBackend
    void anOpenFinishedAfterItsCancelHasItsFileClosed(ProactorFixture fixture) throws Exception {
        assumeTrue(fixture.backend() == BackendChoice.PORTABLE || fixture.uringMask() != null,
                "io_uring opens a FIFO without blocking; UringOpenCancelTest covers its late cancel");
        Proactor p = fixture.open();
        String name = fixture.nameOf(p);
        Path fifo = fixture.fifo("late-open");
        Operation<AsyncFile> open = p.openFile(fifo, StandardOpenOption.READ);
        // Taken by a proactor thread and blocked in open(2): no longer withdrawable.
        Waits.until(Duration.ofSeconds(30), () -> openingThread(name),
                () -> "no thread of " + name + " inside an open");

        var cancel = open.cancel().toCompletableFuture();
        // The inbox is FIFO: once this listing is answered, the dispatcher has handled the cancel.
        p.operations();
        assertThat(open.isDone()).as("the open is still running").isFalse();

        try (FileChannel writer = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
            CancelResult r = cancel.get(30, TimeUnit.SECONDS);
            assertThat(r.kind()).isEqualTo(CancelResult.Kind.CANCELLED);
            assertThat(open.state()).isEqualTo(OperationState.CANCELLED);
            Waits.until(Duration.ofSeconds(30), () -> p.metrics().ledger().outstanding() == 0,
                    () -> "ledger " + p.metrics().ledger());
            MetricsSnapshot.KindMetrics closes = p.metrics().kinds().get(OperationKind.CLOSE);
            assertThat(closes).as("the proactor closed the descriptor it did not hand over").isNotNull();
            assertThat(closes.completed()).isEqualTo(1);
            // Only the writer still has the FIFO open: the reader the open made is gone.
            String target = fifo.toRealPath().toString();
            assertThat(ResourceSnapshot.openFds().values().stream().filter(target::equals).count())
                    .as("descriptors open on the FIFO").isEqualTo(1);
        }
        assertThat(p.metrics().kinds().get(OperationKind.OPEN).cancelled()).isEqualTo(1);
    }

    /** Whether a thread of proactor {@code name} is inside a blocking open. */
    private static boolean openingThread(String name) {
        for (var e : Thread.getAllStackTraces().entrySet()) {
            if (!e.getKey().getName().startsWith(name + "-")) {
                continue;
            }
            for (StackTraceElement f : e.getValue()) {
                boolean nio = f.getClassName().equals("java.nio.channels.FileChannel") && f.getMethodName().equals("open");
                boolean ffm = f.getClassName().endsWith(".Syscalls") && f.getMethodName().equals("openat");
                if (nio || ffm) {
                    return true;
                }
            }
        }
        return false;
    }
}
