package dev.proactor.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.BackendChoice;
import dev.proactor.BufferLease;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.internal.spi.NativeAccounting;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The harness's leak checks catch what they claim to, and name it. Each test plants one leak in an
 * inner fixture, expects its verification to fail with the leak's name, then cleans the leak up so
 * that the outer fixture (the one {@link EachBackend} gives) finds everything back at baseline.
 */
class ProactorFixtureSelfTest {

    private static final Duration QUICK = Duration.ofMillis(300);

    @EachBackend
    void aCleanRunPasses(BackendChoice backend) throws Exception {
        ProactorFixture inner = ProactorFixture.start(backend, "self-clean").settle(QUICK);
        Proactor p = inner.open();
        Ops.result(p.nop());
        inner.closeAndVerify();
    }

    @EachBackend
    void aLeaseStillHeldIsNamed(BackendChoice backend) {
        ProactorFixture inner = ProactorFixture.start(backend, "self-lease").settle(QUICK);
        Proactor p = inner.open();
        BufferLease lease = p.buffers().tryLease();
        assertThat(lease).isNotNull();
        assertThatThrownBy(inner::closeAndVerify).isInstanceOf(AssertionError.class)
                .hasMessageContaining(p.config().name() + ": 1 buffer lease(s) still held");
    }

    @org.junit.jupiter.api.Test
    void theAttachListenerAToolOpensFromOutsideIsNotALeak() throws Exception {
        // jcmd attaching to this JVM makes it open (and keep) its attach listener, a Unix socket at
        // /tmp/.java_pid<pid>: the JVM's, not the code under test's, whenever a tool attaches.
        long pid = ProcessHandle.current().pid();
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "VM.uptime").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(jcmd.waitFor()).as("jcmd: %s", out).isZero();
        java.util.Map<Integer, String> now = ResourceSnapshot.openFds();
        java.util.Set<String> inodes = ResourceSnapshot.attachListenerSockets();
        assertThat(now.values()).as("the attach listener is open").containsAnyElementsOf(inodes);

        assertThat(ResourceSnapshot.newFds(java.util.Map.of(), now).values()).doesNotContainAnyElementsOf(inodes);
    }

    @EachBackend
    void anOpenDescriptorIsNamed(BackendChoice backend) throws Exception {
        ProactorFixture inner = ProactorFixture.start(backend, "self-fd").settle(QUICK);
        Path file = Files.createTempFile("self-fd", ".bin");
        try (FileChannel leaked = FileChannel.open(file, StandardOpenOption.READ)) {
            assertThatThrownBy(inner::closeAndVerify).isInstanceOf(AssertionError.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("open after close");
            assertThat(leaked.isOpen()).isTrue();
        } finally {
            Files.delete(file);
        }
    }

    @EachBackend
    void aThreadNamedAfterTheProactorIsNamed(BackendChoice backend) throws Exception {
        ProactorFixture inner = ProactorFixture.start(backend, "self-thread").settle(QUICK);
        Proactor p = inner.open();
        CountDownLatch release = new CountDownLatch(1);
        Thread straggler = Thread.ofPlatform().name(p.config().name() + "-worker-99").start(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThatThrownBy(inner::closeAndVerify).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("thread '" + p.config().name() + "-worker-99'");
        } finally {
            release.countDown();
            straggler.join(5_000);
        }
    }

    @EachBackend
    void nativeBytesNotFreedAreNamed(BackendChoice backend) {
        ProactorFixture inner = ProactorFixture.start(backend, "self-native").settle(QUICK);
        NativeAccounting.allocated(4096);
        try {
            assertThatThrownBy(inner::closeAndVerify).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("native bytes");
        } finally {
            NativeAccounting.freed(4096);
        }
    }

    /**
     * A proactor opened by plain {@code Proactor.open} inside {@code callInVariant} is the run's
     * variant (on io_uring-fallback, masked through the system property), and the property is back
     * as it was after the call; {@code assertVariant} tells the variants apart.
     */
    @EachBackend
    void aProactorOpenedInTheVariantIsOfTheVariant(ProactorFixture fixture) throws Exception {
        String before = System.getProperty(ProactorFixture.URING_MASK_PROPERTY);
        try (Proactor p = fixture.callInVariant(() -> Proactor.open(ProactorConfig.builder().name("self-variant")
                .backend(fixture.backend()).build()))) {
            assertThat(System.getProperty(ProactorFixture.URING_MASK_PROPERTY)).isEqualTo(before);
            fixture.assertVariant(p.capabilities());
            ProactorFixture other = ProactorFixture.start(BackendChoice.IO_URING, "self-variant-other",
                    fixture.uringMask() == null ? EachBackendExtension.FALLBACK_MASK : null);
            assertThatThrownBy(() -> other.assertVariant(p.capabilities())).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("expected a proactor on io_uring");
        }
    }
}
