package dev.proactor.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.BackendChoice;
import dev.proactor.OperationKind;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.internal.spi.NativeAccounting;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** io_uring's side of streams: the kernel-version gate, the provided buffer ring, and the report. */
class UringStreamsTest {

    @BeforeAll
    static void uring() {
        assumeTrue(UringSupport.isAvailable(), () -> UringSupport.unavailabilityCause().orElse(""));
    }

    @Test
    void theCapabilityReportSaysWhichPathStreamsTake() {
        // The build machine's kernel (6.18) has both; an older one must say single-shot and why.
        boolean multishot = UringBackend.kernelAtLeast(6, 0);
        try (Proactor p = Proactor.open(ProactorConfig.builder().name("uring-streams").backend(BackendChoice.IO_URING)
                .receiveBufferCount(64).receiveBufferSize(2048).build())) {
            String accept = p.capabilities().operations().get(OperationKind.ACCEPT);
            String recv = p.capabilities().operations().get(OperationKind.RECV);
            if (multishot) {
                assertThat(accept).contains("acceptEach: multishot (IORING_ACCEPT_MULTISHOT)");
                assertThat(recv).contains("receiveEach: multishot (IORING_RECV_MULTISHOT)")
                        .contains("64 x 2048 bytes");
            } else {
                assertThat(recv).contains("receiveEach: single-shot");
            }
        }
    }

    @Test
    void kernelReleasesCompareByMajorThenMinor() {
        String release = UringSupport.kernelRelease();
        int major = Integer.parseInt(release.split("\\.")[0]);
        assertThat(UringBackend.kernelAtLeast(major, 0)).isTrue();
        assertThat(UringBackend.kernelAtLeast(major + 1, 0)).isFalse();
        assertThat(UringBackend.kernelAtLeast(major - 1, 99)).isTrue();
    }

    @Test
    void aBufferRingLendsAndTakesBackItsBuffersAndFreesItsMemory() throws Exception {
        assumeTrue(UringBackend.kernelAtLeast(5, 19), "provided buffer rings need 5.19");
        long before = NativeAccounting.outstandingBytes();
        try (Ring ring = Ring.open(new RingOptions(8, 16, false, false))) {
            BufferRing b = BufferRing.register(ring, 4, 512);
            assertThat(NativeAccounting.outstandingBytes() - before).isEqualTo(b.bytes());
            assertThat(b.count()).isEqualTo(4);
            b.take(2, 100);
            assertThat(b.lent()).isEqualTo(1);
            b.recycle(2);
            assertThat(b.lent()).isZero();
            assertThatThrownBy(() -> b.recycle(2)).isInstanceOf(IllegalArgumentException.class);
            // A second ring for the same group is refused by the kernel (EEXIST), leaving nothing behind.
            long held = NativeAccounting.outstandingBytes();
            assertThatThrownBy(() -> BufferRing.register(ring, 4, 512)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("errno");
            assertThat(NativeAccounting.outstandingBytes()).isEqualTo(held);
            b.close(ring);
        }
        assertThat(NativeAccounting.outstandingBytes()).isEqualTo(before);
    }
}
