package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.RingTesting.assumeUring;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.internal.uring.ffi.IoUringConstants;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Opening, probing, owning and closing a ring. */
class RingLifecycleTest {

    @BeforeEach
    void requireUring() {
        assumeUring();
    }

    @Test
    void probeListsTheOperationsTheBackendNeeds() throws Exception {
        try (Ring ring = Ring.open(RingOptions.defaults())) {
            Probe probe = ring.probe();
            assertThat(probe.supportedOpcodes()).contains(
                    IoUringConstants.IORING_OP_NOP, IoUringConstants.IORING_OP_READ, IoUringConstants.IORING_OP_WRITE,
                    IoUringConstants.IORING_OP_TIMEOUT, IoUringConstants.IORING_OP_ASYNC_CANCEL,
                    IoUringConstants.IORING_OP_OPENAT, IoUringConstants.IORING_OP_STATX,
                    IoUringConstants.IORING_OP_LINK_TIMEOUT);
            assertThat(probe.supports(IoUringConstants.IORING_OP_READ)).isTrue();
            assertThat(probe.supportedOpcodeNames()).contains("NOP", "READ", "LINK_TIMEOUT");
            // Every kernel with all of the above also has the 6.1 opcodes up to SENDMSG_ZC or
            // is older; last_op can never be below the highest supported opcode.
            assertThat(probe.lastOp()).isGreaterThanOrEqualTo(probe.supportedOpcodes().getLast());
            assertThat(probe.supports(-1)).isFalse();
            assertThat(probe.supports(probe.lastOp() + 1)).isFalse();
        }
    }

    @Test
    void ringFdIsCloseOnExec() throws Exception {
        try (Ring ring = Ring.open(RingOptions.defaults())) {
            assertThat(fdFlags(ring.fd()) & IoUringConstants.O_CLOEXEC).isNotZero();
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + ring.fd())).toString())
                    .isEqualTo("anon_inode:[io_uring]");
        }
    }

    @Test
    void closeIsIdempotentReleasesTheFdAndLaterUseThrows() throws Exception {
        Ring ring = Ring.open(RingOptions.defaults());
        int fd = ring.fd();
        SubmissionQueue sq = ring.sq();
        CompletionQueue cq = ring.cq();
        ring.close();
        ring.close();

        assertThat(ring.isClosed()).isTrue();
        assertThat(isIoUringFd(fd)).as("fd %d still an io_uring after close", fd).isFalse();
        assertThatThrownBy(ring::fd).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(ring::sq).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(ring::submit).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ring.enter(0, 0, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ring.submitAndWait(1, 0)).isInstanceOf(IllegalStateException.class);
        // Queues taken before close must not touch the unmapped rings.
        assertThatThrownBy(sq::nextSqe).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> sq.prepNop(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(cq::ready).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cq.drain((ud, res, flags) -> { }, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void singleIssuerRingRefusesSubmissionsFromAnotherThread() throws Exception {
        try (Ring ring = Ring.open(RingOptions.defaults())) {
            assertThat(ring.setupFlags() & IoUringConstants.IORING_SETUP_SINGLE_ISSUER)
                    .as("kernel accepted SINGLE_ISSUER").isNotZero();
            ring.sq().prepNop(1);
            int toSubmit = ring.sq().flushTail();
            AtomicInteger fromOther = new AtomicInteger(1);
            Thread other = new Thread(() -> fromOther.set(ring.enter(toSubmit, 0, 0)));
            other.start();
            other.join();
            assertThat(fromOther.get()).isEqualTo(-IoUringConstants.EEXIST);
            // The SQE stayed queued; the owner submits it.
            assertThat(RingTesting.submitAndCollect(ring, 1)).extracting(RingTesting.Cqe::userData)
                    .containsExactly(1L);
        }
    }

    @Test
    void acceptedFlagsIncludeTheBasicsOnThisKernel() throws Exception {
        try (Ring ring = Ring.open(RingOptions.defaults())) {
            // CQSIZE (5.5) and CLAMP (5.6) predate every kernel with the probed opcodes above.
            assertThat(UringNames.setupFlagNames(ring.setupFlags())).contains("CQSIZE", "CLAMP");
            assertThat(ring.cq().capacity()).isEqualTo(1024);
            assertThat(ring.sq().capacity()).isEqualTo(256);
        }
    }

    private static int fdFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                // fdinfo prints the file flags in octal.
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new AssertionError("no flags line in /proc/self/fdinfo/" + fd);
    }

    private static boolean isIoUringFd(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString().equals("anon_inode:[io_uring]");
        } catch (IOException e) {
            return false;
        }
    }
}
