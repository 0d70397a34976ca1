package dev.proactor.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.AsyncFile;
import dev.proactor.BackendChoice;
import dev.proactor.FileStat;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UringBackendSmokeTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void uring() {
        assumeTrue(UringSupport.isAvailable(), () -> UringSupport.unavailabilityCause().orElse(""));
    }

    @Test
    void theCompletionQueueHoldsEveryAdmittedOperationsCompletions() {
        ProactorConfig small = ProactorConfig.builder().maxInFlight(4096).completionQueueEntries(4096).build();
        assertThat(UringBackend.completionQueueSize(small)).isGreaterThanOrEqualTo(3 * 4096 + 64);
        assertThat(Integer.bitCount(UringBackend.completionQueueSize(small))).isEqualTo(1);
        ProactorConfig roomy = ProactorConfig.builder().maxInFlight(8).submissionQueueEntries(64)
                .completionQueueEntries(1024).build();
        assertThat(UringBackend.completionQueueSize(roomy)).isEqualTo(1024);
        ProactorConfig huge = ProactorConfig.builder().maxInFlight(1 << 20).build();
        assertThat(UringBackend.completionQueueSize(huge)).isEqualTo(65536);
    }

    @Test
    void nopTimerAndFileRoundTrip() throws Exception {
        try (Proactor p = Proactor.open(ProactorConfig.builder().backend(BackendChoice.IO_URING).build())) {
            assertThat(p.backendName()).isEqualTo("io_uring");
            p.nop().await();
            long t0 = System.nanoTime();
            p.timer(Duration.ofMillis(20)).await();
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(20_000_000L);

            Path f = dir.resolve("a.txt");
            AsyncFile file = p.openFile(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ).await();
            assertThat(file.writeAll(0, ByteBuffer.wrap("hello, proactor".getBytes(StandardCharsets.UTF_8))).await()).isEqualTo(15L);
            file.fsync().await();
            FileStat st = file.stat().await();
            assertThat(st.size()).isEqualTo(15);
            assertThat(st.isRegularFile()).isTrue();
            ByteBuffer dst = ByteBuffer.allocate(64);
            assertThat(file.read(0, dst).await()).isEqualTo(15);
            assertThat(new String(dst.array(), 0, dst.position(), StandardCharsets.UTF_8)).isEqualTo("hello, proactor");
            assertThat(file.read(15, ByteBuffer.allocate(4)).await()).isEqualTo(-1);
            file.closeAsync().await();
            assertThat(Files.readString(f)).isEqualTo("hello, proactor");
            assertThat(p.metrics().ledger().outstanding()).isZero();
        }
    }
}
