package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.RingTesting.assumeUring;
import static dev.proactor.internal.uring.RingTesting.submitAndCollect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.uring.RingTesting.Cqe;
import dev.proactor.internal.uring.ffi.IoUringConstants;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Submission and completion queue mechanics, with NOPs so that only the ring is under test. */
class RingQueueTest {

    @BeforeEach
    void requireUring() {
        assumeUring();
    }

    @ParameterizedTest
    @MethodSource("dev.proactor.internal.uring.RingTesting#optionVariants")
    void nopRoundTripReturnsUserDataAndZero(RingOptions options) throws Exception {
        try (Ring ring = Ring.open(options)) {
            assertThat(ring.sq().prepNop(0xCAFE_BABE_1234L)).isGreaterThanOrEqualTo(0);
            List<Cqe> cqes = submitAndCollect(ring, 1);
            assertThat(cqes).containsExactly(new Cqe(0xCAFE_BABE_1234L, 0, 0));
            assertThat(ring.cq().ready()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.proactor.internal.uring.RingTesting#optionVariants")
    void thirtyTwoNopsGoInOneEnter(RingOptions options) throws Exception {
        try (Ring ring = Ring.open(options)) {
            for (long ud = 1; ud <= 32; ud++) {
                assertThat(ring.sq().prepNop(ud)).isGreaterThanOrEqualTo(0);
            }
            int submitted = ring.submitAndWait(32, TimeUnit.SECONDS.toNanos(5));
            assertThat(submitted).isEqualTo(32);
            List<Cqe> cqes = submitAndCollect(ring, 32);
            assertThat(cqes).extracting(Cqe::userData)
                    .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 32).boxed().toList());
            assertThat(cqes).extracting(Cqe::res).containsOnly(0);
        }
    }

    @Test
    void fullSubmissionQueueRefusesThenRecoversAfterSubmit() throws Exception {
        try (Ring ring = Ring.open(RingOptions.defaults().withSizes(4, 8))) {
            SubmissionQueue sq = ring.sq();
            assertThat(sq.capacity()).isEqualTo(4);
            for (int i = 0; i < 4; i++) {
                assertThat(sq.prepNop(i)).isGreaterThanOrEqualTo(0);
            }
            assertThat(sq.isFull()).isTrue();
            assertThat(sq.space()).isZero();
            assertThat(sq.nextSqe()).isEqualTo(-1);
            assertThat(sq.prepNop(99)).isEqualTo(-1);

            assertThat(ring.submit()).isEqualTo(4);
            assertThat(sq.space()).isEqualTo(4);
            assertThat(sq.isFull()).isFalse();
            assertThat(submitAndCollect(ring, 4)).extracting(Cqe::userData).containsExactlyInAnyOrder(0L, 1L, 2L, 3L);
            assertThat(sq.kernelDropped()).isZero();
        }
    }

    /**
     * Netty's SubmissionQueueTest.testCqOverflow, deterministic: a CQ of 2 gets 3 completions
     * without reaping; the kernel holds the third (NODROP) until an enter with GETEVENTS.
     */
    @ParameterizedTest
    @MethodSource("overflowOptions")
    void completionOverflowIsHeldByKernelAndFlushedByGetevents(RingOptions options) throws Exception {
        try (Ring ring = Ring.open(options)) {
            assertThat(ring.hasFeature(IoUringConstants.IORING_FEAT_NODROP)).isTrue();
            assertThat(ring.cq().capacity()).isEqualTo(2);
            SubmissionQueue sq = ring.sq();
            CompletionQueue cq = ring.cq();

            sq.prepNop(1);
            sq.prepNop(2);
            assertThat(ring.submit()).isEqualTo(2);
            sq.prepNop(3);
            assertThat(ring.submit()).isEqualTo(1);

            assertThat(cq.ready()).isEqualTo(2);
            assertThat(cq.overflowPending()).isTrue();
            assertThat(drainNow(cq, 10)).extracting(Cqe::userData).containsExactly(1L, 2L);

            assertThat(ring.enter(0, 0, IoUringConstants.IORING_ENTER_GETEVENTS)).isZero();
            assertThat(drainNow(cq, 10)).containsExactly(new Cqe(3, 0, 0));
            assertThat(cq.overflowPending()).isFalse();
            assertThat(cq.kernelDropped()).isZero();
        }
    }

    static List<RingOptions> overflowOptions() {
        return List.of(new RingOptions(2, 2, true, true), new RingOptions(2, 2, false, false));
    }

    @Test
    void drainHonoursMaxAndKeepsTheRest() throws Exception {
        try (Ring ring = Ring.open(RingOptions.defaults())) {
            for (long ud = 1; ud <= 5; ud++) {
                ring.sq().prepNop(ud);
            }
            assertThat(ring.submitAndWait(5, TimeUnit.SECONDS.toNanos(5))).isEqualTo(5);
            assertThat(drainNow(ring.cq(), 2)).extracting(Cqe::userData).containsExactly(1L, 2L);
            assertThat(ring.cq().ready()).isEqualTo(3);
            assertThat(drainNow(ring.cq(), 10)).extracting(Cqe::userData).containsExactly(3L, 4L, 5L);
        }
    }

    @Test
    void waitWithTimeoutAndNothingToDoReturnsEtime() throws Exception {
        try (Ring ring = Ring.open(RingOptions.defaults())) {
            long start = System.nanoTime();
            int r = ring.submitAndWait(1, TimeUnit.MILLISECONDS.toNanos(10));
            long elapsed = System.nanoTime() - start;
            assertThat(r).isEqualTo(-IoUringConstants.ETIME);
            assertThat(elapsed).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static List<Cqe> drainNow(CompletionQueue cq, int max) {
        List<Cqe> out = new ArrayList<>();
        cq.drain((ud, res, flags) -> out.add(new Cqe(ud, res, flags)), max);
        return out;
    }
}
