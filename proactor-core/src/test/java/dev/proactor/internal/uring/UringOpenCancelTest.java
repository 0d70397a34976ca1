package dev.proactor.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.AsyncFile;
import dev.proactor.BackendChoice;
import dev.proactor.CancelResult;
import dev.proactor.Operation;
import dev.proactor.OperationKind;
import dev.proactor.internal.core.CoreProactor;
import dev.proactor.internal.select.Backends;
import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import dev.proactor.test.ForwardingBackend;
import dev.proactor.test.ForwardingCompletions;
import java.util.HashMap;
import java.util.Map;
import dev.proactor.OperationState;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An open whose cancel comes too late must not leak the descriptor the kernel produced. */
class UringOpenCancelTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void uring() {
        assumeTrue(UringSupport.isAvailable(), () -> UringSupport.unavailabilityCause().orElse(""));
    }

    private static long openFds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void openCancelRacesLeakNoDescriptor() throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "x");
        try (Proactor p = Proactor.open(ProactorConfig.builder().backend(BackendChoice.IO_URING).build())) {
            p.nop().await();
            long before = openFds();
            int cancelled = 0;
            int completed = 0;
            for (int i = 0; i < 2000; i++) {
                Operation<AsyncFile> open = p.openFile(f, StandardOpenOption.READ);
                int spin = ThreadLocalRandom.current().nextInt(0, 20_000);
                if (spin > 0) {
                    LockSupport.parkNanos(spin);
                }
                CancelResult r = open.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
                if (open.state() == OperationState.COMPLETED) {
                    assertThat(r.kind()).isIn(CancelResult.Kind.TOO_LATE, CancelResult.Kind.NOT_FOUND);
                    open.resultNow().closeAsync().await();
                    completed++;
                } else {
                    assertThat(open.state()).isEqualTo(OperationState.CANCELLED);
                    assertThat(r.kind()).isEqualTo(CancelResult.Kind.CANCELLED);
                    cancelled++;
                }
            }
            assertThat(cancelled + completed).isEqualTo(2000);
            // The proactor's orphan closes are operations too: wait until none is live.
            awaitIdle(p);
            assertThat(openFds()).isEqualTo(before);
            assertThat(p.metrics().ledger().outstanding()).isZero();
        }
    }

    /**
     * The kernel opened the file, and the cancel reached the dispatcher before that completion
     * did: a backend wrapper holds the OPEN completion back until the cancel arrives, which makes
     * the too-late cancel deterministic. The proactor must close the descriptor itself.
     */
    @Test
    void openCompletedAfterItsCancelHasItsDescriptorClosed() throws Exception {
        Path f = Files.writeString(dir.resolve("g"), "x");
        try (Proactor p = CoreProactor.open(ProactorConfig.builder().backend(BackendChoice.IO_URING).build(),
                cfg -> new HoldOpenCompletions(Backends.create(BackendChoice.IO_URING).create(cfg)))) {
            p.nop().await();
            long before = openFds();
            for (int i = 0; i < 50; i++) {
                Operation<AsyncFile> open = p.openFile(f, StandardOpenOption.READ);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (open.state() == OperationState.QUEUED) {
                    assertThat(System.nanoTime()).isLessThan(end);
                    Thread.onSpinWait();
                }
                CancelResult r = open.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(r.kind()).isEqualTo(CancelResult.Kind.CANCELLED);
                assertThat(open.state()).isEqualTo(OperationState.CANCELLED);
            }
            awaitIdle(p);
            assertThat(openFds()).isEqualTo(before);
            assertThat(p.metrics().kinds().get(OperationKind.CLOSE).completed()).isEqualTo(50);
        }
    }

    /** Delays every OPEN completion until the core asks to cancel that open. */
    private static final class HoldOpenCompletions extends ForwardingBackend {
        private final Map<Submission, Long> held = new HashMap<>();
        private Completions sink;

        HoldOpenCompletions(Backend real) {
            super(real);
        }

        @Override
        public void start(Completions completions) {
            sink = completions;
            delegate.start(new ForwardingCompletions(completions) {
                @Override
                public void complete(Submission s, long result, Object attachment) {
                    if (s.request() instanceof Request.Open && !s.cancelRequested()) {
                        held.put(s, result);
                    } else {
                        core.complete(s, result, attachment);
                    }
                }

                @Override
                public void released(Submission s) {
                    if (!held.containsKey(s)) {
                        core.released(s);
                    }
                }
            });
        }

        @Override
        public boolean cancel(Submission s) {
            Long fd = held.remove(s);
            if (fd == null) {
                return delegate.cancel(s);
            }
            sink.complete(s, fd, null);
            sink.released(s);
            return true;
        }

        @Override
        public int runOnce(long waitNanos) {
            return delegate.runOnce(held.isEmpty() ? waitNanos : 0);
        }
    }

    private static void awaitIdle(Proactor p) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (p.metrics().ledger().outstanding() != 0) {
            assertThat(System.nanoTime()).isLessThan(end);
            Thread.onSpinWait();
        }
    }
}
