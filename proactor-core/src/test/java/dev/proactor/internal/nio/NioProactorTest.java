package dev.proactor.internal.nio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.AsyncFile;
import dev.proactor.BackendChoice;
import dev.proactor.CloseReport;
import dev.proactor.MetricsSnapshot;
import dev.proactor.OperationKind;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the portable backend does, through the public API: it names itself, its pool leases
 * are not registered, and {@code auto} picks it where io_uring is missing. What every backend does
 * is written once, in the contract tests ({@code dev.proactor.*ContractTest}), which run on each.
 * Each test runs its own proactor, and ends by closing it and checking the exactly-once ledger and
 * that none of its threads is left.
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
