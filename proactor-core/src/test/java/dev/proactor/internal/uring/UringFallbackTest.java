package dev.proactor.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.AsyncFile;
import dev.proactor.AsyncServerSocket;
import dev.proactor.BackendChoice;
import dev.proactor.CapabilityReport;
import dev.proactor.FileStat;
import dev.proactor.OperationKind;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.internal.uring.ffi.IoUringConstants;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * An opcode missing from the probe falls back for its operation alone: the mask
 * ({@value FallbackRoutes#PROPERTY}) is parsed strictly, the capability report says which kinds fall
 * back and why while the others stay on their opcode, the fallback paths really run (the backend's
 * counters), fallback threads exist only once a file call needs one, and a mask like an older
 * kernel's (no SEND_ZC, SHUTDOWN or SPLICE) still moves a file to a socket and shuts it down. The
 * contract suite runs whole on the {@code io_uring-fallback} variant (every maskable opcode masked);
 * these tests check what it cannot see. Each ends with the fixture's leak checks.
 */
class UringFallbackTest {

    private ProactorFixture fixture;

    @BeforeAll
    static void uring() {
        assumeTrue(UringSupport.isAvailable(), () -> UringSupport.unavailabilityCause().orElse(""));
    }

    @BeforeEach
    void noFixtureYet() {
        fixture = null;
    }

    @AfterEach
    void verify() {
        if (fixture != null) {
            fixture.closeAndVerify();
        }
    }

    private ProactorFixture fixture(TestInfo info, String mask) {
        fixture = ProactorFixture.start(BackendChoice.IO_URING, info.getTestMethod().orElseThrow().getName(), mask);
        return fixture;
    }

    /** Opens a proactor on {@code f}'s masked backend and hands the backend itself to {@code into}. */
    private static Proactor open(ProactorFixture f, ProactorConfig.Builder config, AtomicReference<UringBackend> into) {
        return f.open(config, b -> {
            into.set((UringBackend) b);
            return b;
        });
    }

    @Test
    void theMaskNamesOpcodesWithAFallbackAndNothingElse() {
        assertThat(FallbackRoutes.parse(null)).isEmpty();
        assertThat(FallbackRoutes.parse(" , ")).isEmpty();
        assertThat(FallbackRoutes.parse("read, IORING_OP_recv ,Send_Zc")).containsExactly(
                IoUringConstants.IORING_OP_READ, IoUringConstants.IORING_OP_RECV, IoUringConstants.IORING_OP_SEND_ZC);
        assertThat(FallbackRoutes.parse("ALL")).containsExactlyInAnyOrderElementsOf(FallbackRoutes.MASKABLE.values());
        assertThat(FallbackRoutes.MASKABLE).doesNotContainKeys("NOP", "POLL_ADD", "TIMEOUT", "LINK_TIMEOUT",
                "ASYNC_CANCEL");
        assertThatThrownBy(() -> FallbackRoutes.parse("READ,POLL_ADD,NOPE"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(FallbackRoutes.PROPERTY)
                .hasMessageContaining("[POLL_ADD, NOPE]")
                .hasMessageContaining("cannot be masked")
                .hasMessageContaining("OPENAT");
    }

    @Test
    void aBadMaskFailsTheOpenAndLeavesNothingOpen(TestInfo info) {
        ProactorFixture f = fixture(info, "TIMEOUT");
        assertThatThrownBy(f::open).hasStackTraceContaining("[TIMEOUT]").hasStackTraceContaining("cannot be masked");
    }

    @Test
    void theReportSaysWhichKindsFallBackAndWhyAndTheOthersKeepTheirOpcode(TestInfo info) throws Exception {
        ProactorFixture f = fixture(info, "READ,SHUTDOWN,SEND_ZC");
        AtomicReference<UringBackend> backend = new AtomicReference<>();
        Proactor p = open(f, ProactorConfig.builder().zeroCopySendThreshold(16 * 1024), backend);
        CapabilityReport report = p.capabilities();
        Map<OperationKind, String> ops = report.operations();
        assertThat(ops.get(OperationKind.READ)).isEqualTo("fallback: POLL_ADD (POLLIN), then pread(2) on the backend's"
                + " fallback threads; pipes, FIFOs and character devices: the call on the dispatcher, non-blocking for that"
                + " call (READ missing from the probe, masked by " + FallbackRoutes.PROPERTY + ")");
        assertThat(ops.get(OperationKind.SHUTDOWN)).startsWith("fallback: shutdown(2) on the dispatcher")
                .endsWith("(SHUTDOWN missing from the probe, masked by " + FallbackRoutes.PROPERTY + ")");
        assertThat(ops.get(OperationKind.WRITE)).isEqualTo("io_uring WRITE");
        assertThat(ops.get(OperationKind.RECV)).startsWith("io_uring RECV");
        assertThat(ops.get(OperationKind.SEND)).startsWith("io_uring SEND")
                .contains("no zero-copy: the probe lacks SEND_ZC (masked by " + FallbackRoutes.PROPERTY + ")")
                .endsWith("; vectored: io_uring SENDMSG with MSG_NOSIGNAL (an iovec per buffer)");
        assertThat(report.notes()).anySatisfy(n -> assertThat(n).startsWith("read is fallback: "));
        assertThat(report.notes()).noneSatisfy(n -> assertThat(n).startsWith("write is"));
        UringBackend b = backend.get();
        assertThat(b.routes().fallsBack(OperationKind.READ)).isTrue();
        assertThat(b.routes().fallsBack(OperationKind.WRITE)).isFalse();
        assertThat(b.supports(OperationKind.READ)).isTrue();
        assertThat(b.supports(OperationKind.SHUTDOWN)).isTrue();

        // The write takes WRITE, the read the fallback: a poll, then one call on a fallback thread.
        Path file = f.tempDir().resolve("data");
        AsyncFile af = Ops.result(p.openFile(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE));
        byte[] text = "read by pread(2) on a fallback thread".getBytes(StandardCharsets.UTF_8);
        assertThat(Ops.result(af.write(0, ByteBuffer.wrap(text)))).isEqualTo(text.length);
        long polls = b.fallbacks().pollsArmed();
        ByteBuffer back = ByteBuffer.allocate(64);
        assertThat(Ops.result(af.read(0, back))).isEqualTo(text.length);
        assertThat(back.flip()).isEqualTo(ByteBuffer.wrap(text));
        assertThat(b.fallbacks().pollsArmed()).isEqualTo(polls + 1);
        assertThat(b.fallbacks().poolCalls()).isEqualTo(1);
        assertThat(b.fallbacks().threadsStarted()).isEqualTo(1);
        Ops.result(af.closeAsync());
    }

    @Test
    void noFallbackThreadStartsUntilAFileCallFallsBack(TestInfo info) throws Exception {
        ProactorFixture f = fixture(info, "SHUTDOWN,STATX");
        AtomicReference<UringBackend> backend = new AtomicReference<>();
        Proactor p = open(f, ProactorConfig.builder(), backend);
        String threads = f.nameOf(p) + "-uring-fallback-";
        Path file = f.tempDir().resolve("stat-me");
        Files.write(file, new byte[1234]);
        AsyncFile af = Ops.result(p.openFile(file, StandardOpenOption.READ));
        assertThat(Ops.result(af.read(0, ByteBuffer.allocate(10)))).isEqualTo(10);
        assertThat(backend.get().fallbacks().threadsStarted()).isZero();
        assertThat(liveThreads(threads)).isZero();

        FileStat st = Ops.result(af.stat());
        assertThat(st.size()).isEqualTo(1234);
        assertThat(st.isRegularFile()).isTrue();
        assertThat(backend.get().fallbacks().threadsStarted()).isEqualTo(1);
        assertThat(liveThreads(threads)).isEqualTo(1);
        Ops.result(af.closeAsync());
        // The fixture's checks: the thread is gone once the proactor closed.
    }

    private static long liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
    }

    @Test
    void everyMaskableOpcodeMaskedTakesTheFallbacksForSocketsToo(TestInfo info) throws Exception {
        ProactorFixture f = fixture(info, "ALL");
        AtomicReference<UringBackend> backend = new AtomicReference<>();
        Proactor p = open(f, ProactorConfig.builder(), backend);
        for (OperationKind k : new OperationKind[] {OperationKind.OPEN, OperationKind.READ, OperationKind.WRITE,
                OperationKind.READV, OperationKind.WRITEV, OperationKind.FSYNC, OperationKind.STAT,
                OperationKind.CLOSE, OperationKind.ACCEPT, OperationKind.CONNECT, OperationKind.RECV,
                OperationKind.SEND, OperationKind.SHUTDOWN, OperationKind.TRANSFER}) {
            assertThat(p.capabilities().operations().get(k)).as("%s", k).startsWith("fallback: ");
        }
        assertThat(p.capabilities().operations().get(OperationKind.TIMER)).isEqualTo("io_uring TIMEOUT");
        assertThat(p.capabilities().operations().get(OperationKind.NOP)).isEqualTo("io_uring NOP");

        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        long polls = backend.get().fallbacks().pollsArmed();
        byte[] hello = "through POLL_ADD and send(2)".getBytes(StandardCharsets.UTF_8);
        assertThat(Ops.result(c.client().writeAll(ByteBuffer.wrap(hello)))).isEqualTo(hello.length);
        ByteBuffer got = ByteBuffer.allocate(hello.length);
        assertThat(Ops.result(c.server().readFully(got))).isEqualTo(hello.length);
        assertThat(got.flip()).isEqualTo(ByteBuffer.wrap(hello));
        assertThat(backend.get().fallbacks().pollsArmed()).isGreaterThanOrEqualTo(polls + 2);
        Ops.result(c.client().shutdownOutput());
        assertThat(Ops.result(c.server().read(ByteBuffer.allocate(8)))).as("end of stream after shutdown").isEqualTo(-1);
        c.close();
        Ops.result(listener.closeAsync());
    }

    @Test
    void anOlderKernelsOpcodesStillMoveAFileToASocketAndShutItDown(TestInfo info) throws Exception {
        ProactorFixture f = fixture(info, "SEND_ZC,SHUTDOWN,SPLICE");
        AtomicReference<UringBackend> backend = new AtomicReference<>();
        Proactor p = open(f, ProactorConfig.builder().zeroCopySendThreshold(16 * 1024), backend);
        assertThat(p.capabilities().operations().get(OperationKind.TRANSFER))
                .startsWith("fallback: pread(2) of at most 64 KiB").endsWith("(SPLICE missing from the probe, masked by "
                        + FallbackRoutes.PROPERTY + ")");
        assertThat(p.capabilities().operations().get(OperationKind.SEND)).contains("no zero-copy");
        assertThat(backend.get().routes().fallsBack(OperationKind.SEND)).isFalse();

        byte[] content = new byte[200_000 + 17];
        new java.util.SplittableRandom(7).nextBytes(content);
        Path file = f.tempDir().resolve("payload");
        Files.write(file, content);
        AsyncFile af = Ops.result(p.openFile(file, StandardOpenOption.READ));
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        ByteBuffer got = ByteBuffer.allocate(content.length - 5);
        var reading = c.server().readFully(got);
        assertThat(Ops.result(c.client().transferFrom(af, 5, content.length - 5))).isEqualTo(content.length - 5);
        assertThat(Ops.result(reading)).isEqualTo(content.length - 5);
        assertThat(got.flip()).isEqualTo(ByteBuffer.wrap(content, 5, content.length - 5));
        assertThat(backend.get().fallbacks().poolCalls()).as("pread rounds").isGreaterThanOrEqualTo(4);
        assertThat(backend.get().zeroCopy().sends()).isZero();

        Ops.result(c.client().shutdownOutput());
        assertThat(Ops.result(c.server().read(ByteBuffer.allocate(8)))).isEqualTo(-1);
        c.close();
        Ops.result(listener.closeAsync());
        Ops.result(af.closeAsync());
    }

    /**
     * A vectored send is a SEND by kind, but its opcode is SENDMSG: it falls back when SENDMSG is
     * missing, whatever SEND does, and keeps SENDMSG when only SEND is missing.
     */
    @Test
    void aVectoredSendFallsBackOnItsOwnOpcode(TestInfo info) throws Exception {
        ProactorFixture f = fixture(info, "SENDMSG");
        AtomicReference<UringBackend> backend = new AtomicReference<>();
        Proactor p = open(f, ProactorConfig.builder(), backend);
        assertThat(p.capabilities().operations().get(OperationKind.SEND)).startsWith("io_uring SEND with MSG_NOSIGNAL")
                .endsWith("; vectored: fallback: POLL_ADD (POLLOUT), then sendmsg(2) with MSG_DONTWAIT|MSG_NOSIGNAL"
                        + " on the dispatcher (SENDMSG missing from the probe, masked by "
                        + FallbackRoutes.PROPERTY + ")");
        UringBackend b = backend.get();
        assertThat(b.routes().fallsBack(OperationKind.SEND)).isFalse();
        assertThat(b.routes().vectoredFallsBack(OperationKind.SEND)).isTrue();

        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        long polls = b.fallbacks().pollsArmed();
        byte[] hello = "plain SEND".getBytes(StandardCharsets.UTF_8);
        assertThat(Ops.result(c.client().write(ByteBuffer.wrap(hello)))).isEqualTo(hello.length);
        assertThat(b.fallbacks().pollsArmed()).as("a plain send keeps its opcode").isEqualTo(polls);
        ByteBuffer a1 = ByteBuffer.wrap(", then POLL_ADD".getBytes(StandardCharsets.UTF_8));
        ByteBuffer a2 = ByteBuffer.allocateDirect(16).put(" and sendmsg(2)".getBytes(StandardCharsets.UTF_8)).flip();
        long both = a1.remaining() + a2.remaining();
        assertThat(Ops.result(c.client().write(a1, a2))).isEqualTo(both);
        assertThat(b.fallbacks().pollsArmed()).as("the gather send polled first").isEqualTo(polls + 1);
        ByteBuffer got = ByteBuffer.allocate((int) (hello.length + both));
        assertThat(Ops.result(c.server().readFully(got))).isEqualTo(got.capacity());
        assertThat(new String(got.array(), StandardCharsets.UTF_8))
                .isEqualTo("plain SEND, then POLL_ADD and sendmsg(2)");
        c.close();
        Ops.result(listener.closeAsync());
    }

    @Test
    void aVectoredSendKeepsSendmsgWhenOnlySendFallsBack(TestInfo info) throws Exception {
        ProactorFixture f = fixture(info, "SEND");
        AtomicReference<UringBackend> backend = new AtomicReference<>();
        Proactor p = open(f, ProactorConfig.builder(), backend);
        assertThat(p.capabilities().operations().get(OperationKind.SEND)).startsWith("fallback: POLL_ADD (POLLOUT)")
                .endsWith("; vectored: io_uring SENDMSG with MSG_NOSIGNAL (an iovec per buffer)");
        UringBackend b = backend.get();
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        long polls = b.fallbacks().pollsArmed();
        assertThat(Ops.result(c.client().write(ByteBuffer.wrap(new byte[] {1, 2}), ByteBuffer.wrap(new byte[] {3}))))
                .isEqualTo(3);
        assertThat(b.fallbacks().pollsArmed()).as("SENDMSG, no poll").isEqualTo(polls);
        ByteBuffer got = ByteBuffer.allocate(3);
        assertThat(Ops.result(c.server().readFully(got))).isEqualTo(3);
        assertThat(got.array()).containsExactly(1, 2, 3);
        c.close();
        Ops.result(listener.closeAsync());
    }

    /**
     * A vectored receive is a RECV by kind, but its opcode is RECVMSG: it falls back (poll, then
     * recvmsg(2)) when RECVMSG is missing, whatever RECV does, and keeps RECVMSG when only RECV is
     * missing.
     */
    @Test
    void aVectoredReceiveFallsBackOnItsOwnOpcode(TestInfo info) throws Exception {
        scatterReceiveWithMasked(info, "RECVMSG");
    }

    @Test
    void aVectoredReceiveKeepsRecvmsgWhenOnlyRecvFallsBack(TestInfo info) throws Exception {
        scatterReceiveWithMasked(info, "RECV");
    }

    private void scatterReceiveWithMasked(TestInfo info, String mask) throws Exception {
        ProactorFixture f = fixture(info, mask);
        AtomicReference<UringBackend> backend = new AtomicReference<>();
        Proactor p = open(f, ProactorConfig.builder(), backend);
        boolean vectoredFallsBack = mask.equals("RECVMSG");
        String recv = p.capabilities().operations().get(OperationKind.RECV);
        if (vectoredFallsBack) {
            assertThat(recv).startsWith("io_uring RECV;").endsWith("; vectored: fallback: POLL_ADD (POLLIN), then"
                    + " recvmsg(2) with MSG_DONTWAIT on the dispatcher (RECVMSG missing from the probe, masked by "
                    + FallbackRoutes.PROPERTY + ")");
        } else {
            assertThat(recv).startsWith("fallback: POLL_ADD (POLLIN)")
                    .endsWith("; vectored: io_uring RECVMSG (an iovec per buffer)");
        }
        UringBackend b = backend.get();
        assertThat(b.routes().fallsBack(OperationKind.RECV)).isEqualTo(!vectoredFallsBack);
        assertThat(b.routes().vectoredFallsBack(OperationKind.RECV)).isEqualTo(vectoredFallsBack);

        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        Ops.result(c.client().writeAll(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5})));
        long polls = b.fallbacks().pollsArmed();
        ByteBuffer first = ByteBuffer.allocate(2);
        ByteBuffer second = ByteBuffer.allocateDirect(3);
        assertThat(Ops.result(c.server().readFully(first, second))).isEqualTo(5);
        assertThat(b.fallbacks().pollsArmed()).as(mask + " masked: polls armed by the scatter receive")
                .isEqualTo(vectoredFallsBack ? polls + 1 : polls);
        assertThat(first.array()).containsExactly(1, 2);
        assertThat(second.flip().get(0)).isEqualTo((byte) 3);
        assertThat(second.get(2)).isEqualTo((byte) 5);
        c.close();
        Ops.result(listener.closeAsync());
    }

    @Test
    void theSystemPropertyReachesEveryProactorOpened(TestInfo info) {
        ProactorFixture f = fixture(info, null);
        String before = System.getProperty(FallbackRoutes.PROPERTY);
        System.setProperty(FallbackRoutes.PROPERTY, "CLOSE");
        try {
            Proactor p = f.open();
            assertThat(p.capabilities().operations().get(OperationKind.CLOSE)).startsWith("fallback: close(2)");
            assertThat(p.capabilities().operations().get(OperationKind.OPEN)).startsWith("io_uring OPENAT");
        } finally {
            if (before == null) {
                System.clearProperty(FallbackRoutes.PROPERTY);
            } else {
                System.setProperty(FallbackRoutes.PROPERTY, before);
            }
        }
    }
}
