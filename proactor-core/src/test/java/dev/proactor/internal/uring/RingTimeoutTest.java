package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.RingTesting.assumeUring;
import static dev.proactor.internal.uring.RingTesting.byUserData;
import static dev.proactor.internal.uring.RingTesting.submitAndCollect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.uring.RingTesting.Cqe;
import dev.proactor.internal.uring.ffi.IoUringConstants;
import dev.proactor.internal.uring.ffi.IoUringLayouts;
import dev.proactor.internal.uring.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import dev.proactor.test.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Timers, cancellation and linked timeouts. */
class RingTimeoutTest {

    @TempDir
    Path dir;

    private Arena arena;

    @BeforeEach
    void setUp() {
        assumeUring();
        arena = Arena.ofConfined();
    }

    @AfterEach
    void tearDown() {
        if (arena != null) {
            arena.close();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.proactor.internal.uring.RingTesting#optionVariants")
    void timeoutExpiresWithEtimeNoSooner(RingOptions options) throws Exception {
        try (Ring ring = Ring.open(options)) {
            long start = System.nanoTime();
            ring.sq().prepTimeout(timespec(TimeUnit.MILLISECONDS.toNanos(20)), 0, 0, 1);
            List<Cqe> cqes = submitAndCollect(ring, 1);
            long elapsed = System.nanoTime() - start;
            assertThat(cqes).containsExactly(new Cqe(1, -IoUringConstants.ETIME, 0));
            assertThat(elapsed).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.proactor.internal.uring.RingTesting#optionVariants")
    void cancelOfAPendingTimeout(RingOptions options) throws Exception {
        try (Ring ring = Ring.open(options)) {
            ring.sq().prepTimeout(timespec(TimeUnit.SECONDS.toNanos(10)), 0, 0, 1);
            assertThat(ring.submit()).isEqualTo(1);
            ring.sq().prepCancel(1, 0, 2);
            List<Cqe> cqes = submitAndCollect(ring, 2);
            assertThat(byUserData(cqes, 1).res()).isEqualTo(-IoUringConstants.ECANCELED);
            assertThat(byUserData(cqes, 2).res()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.proactor.internal.uring.RingTesting#optionVariants")
    void cancelOfUnknownUserDataReportsEnoent(RingOptions options) throws Exception {
        try (Ring ring = Ring.open(options)) {
            ring.sq().prepCancel(0xDEAD, 0, 3);
            assertThat(submitAndCollect(ring, 1)).containsExactly(new Cqe(3, -IoUringConstants.ENOENT, 0));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.proactor.internal.uring.RingTesting#optionVariants")
    void timeoutRemoveCancelsTheTimer(RingOptions options) throws Exception {
        try (Ring ring = Ring.open(options)) {
            ring.sq().prepTimeout(timespec(TimeUnit.SECONDS.toNanos(10)), 0, 0, 4);
            assertThat(ring.submit()).isEqualTo(1);
            ring.sq().prepTimeoutRemove(4, 0, 5);
            List<Cqe> cqes = submitAndCollect(ring, 2);
            assertThat(byUserData(cqes, 4).res()).isEqualTo(-IoUringConstants.ECANCELED);
            assertThat(byUserData(cqes, 5).res()).isZero();
        }
    }

    /** A read of an empty FIFO never completes by itself; its linked timeout cancels it. */
    @ParameterizedTest
    @MethodSource("dev.proactor.internal.uring.RingTesting#optionVariants")
    void linkTimeoutCancelsABlockedRead(RingOptions options) throws Exception {
        MemorySegment fifoPath = arena.allocateFrom(dir.resolve("fifo").toString());
        assertThat(LibC.mkfifo(fifoPath, 0600)).isZero();
        // O_RDWR: open does not wait for a writer (Linux), and the read waits for data.
        int fifo = LibC.open(fifoPath, IoUringConstants.O_RDWR | IoUringConstants.O_CLOEXEC, 0);
        assertThat(fifo).isGreaterThanOrEqualTo(0);
        try (Ring ring = Ring.open(options)) {
            MemorySegment buf = arena.allocate(16);
            long read = ring.sq().prepRead(fifo, buf, 16, -1, 6);
            ring.sq().setFlags(read, IoUringConstants.IOSQE_IO_LINK);
            ring.sq().prepLinkTimeout(timespec(TimeUnit.MILLISECONDS.toNanos(20)), 0, 7);
            long start = System.nanoTime();
            List<Cqe> cqes = submitAndCollect(ring, 2);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
            assertThat(byUserData(cqes, 6).res()).isEqualTo(-IoUringConstants.ECANCELED);
            assertThat(byUserData(cqes, 7).res()).isEqualTo(-IoUringConstants.ETIME);
        } finally {
            LibC.close(fifo);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.proactor.internal.uring.RingTesting#optionVariants")
    void linkTimeoutIsCancelledWhenTheOperationWins(RingOptions options) throws Exception {
        try (Ring ring = Ring.open(options)) {
            long nop = ring.sq().prepNop(8);
            ring.sq().setFlags(nop, IoUringConstants.IOSQE_IO_LINK);
            ring.sq().prepLinkTimeout(timespec(TimeUnit.SECONDS.toNanos(10)), 0, 9);
            List<Cqe> cqes = submitAndCollect(ring, 2);
            assertThat(byUserData(cqes, 8).res()).isZero();
            assertThat(byUserData(cqes, 9).res()).isEqualTo(-IoUringConstants.ECANCELED);
        }
    }

    /**
     * What the dispatcher's spin relies on ({@code CompletionQueue.pending}): a completion the
     * kernel holds as task work shows in the SQ flags ({@code IORING_SQ_TASKRUN}, the ring being
     * set up with TASKRUN_FLAG) before any enter posts it, and no longer once it is drained. With
     * DEFER_TASKRUN the CQE is certainly not posted yet when the flag shows (only an enter with
     * GETEVENTS posts it); without it a system call of this thread may already have run the work.
     */
    @ParameterizedTest
    @MethodSource("dev.proactor.internal.uring.RingTesting#optionVariants")
    void aCompletionWaitingAsTaskWorkShowsAsPendingWithoutAnEnter(RingOptions options) throws Exception {
        try (Ring ring = Ring.open(options)) {
            assertThat(ring.setupFlags() & IoUringConstants.IORING_SETUP_TASKRUN_FLAG).as("TASKRUN_FLAG kept").isNotZero();
            CompletionQueue cq = ring.cq();
            assertThat(cq.pending()).as("nothing in flight").isFalse();
            ring.sq().prepTimeout(timespec(TimeUnit.MILLISECONDS.toNanos(1)), 0, 0, 5);
            assertThat(ring.submit()).isEqualTo(1);

            Waits.until(Duration.ofSeconds(10), cq::pending, () -> "the expired timeout never showed as pending");
            if ((ring.setupFlags() & IoUringConstants.IORING_SETUP_DEFER_TASKRUN) != 0) {
                assertThat(cq.ready()).as("CQEs posted before an enter, with DEFER_TASKRUN").isZero();
            }
            assertThat(submitAndCollect(ring, 1)).containsExactly(new Cqe(5, -IoUringConstants.ETIME, 0));
            assertThat(cq.pending()).as("after the drain").isFalse();
        }
    }

    private MemorySegment timespec(long nanos) {
        MemorySegment ts = arena.allocate(IoUringLayouts.KERNEL_TIMESPEC);
        ts.set(ValueLayout.JAVA_LONG, IoUringLayouts.TIMESPEC_TV_SEC, nanos / 1_000_000_000L);
        ts.set(ValueLayout.JAVA_LONG, IoUringLayouts.TIMESPEC_TV_NSEC, nanos % 1_000_000_000L);
        return ts;
    }
}
