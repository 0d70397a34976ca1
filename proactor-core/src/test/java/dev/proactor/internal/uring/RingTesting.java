package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.EINTR;
import static dev.proactor.internal.uring.ffi.IoUringConstants.ETIME;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Test helpers shared by the ring tests; each test owns its ring on the JUnit thread. */
final class RingTesting {

    /** A completion as the tests see it. */
    record Cqe(long userData, int res, int flags) {
    }

    /** Upper bound for any wait in these tests; a hang fails instead of blocking the build. */
    static final long WAIT_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private RingTesting() {
    }

    /** Skips the calling test, with the reason, when io_uring is off here. */
    static void assumeUring() {
        Assumptions.assumeTrue(UringSupport.isAvailable(),
                () -> "io_uring unavailable: " + UringSupport.unavailabilityCause().orElse("?"));
    }

    /** The option sets each parameterised test runs with: deferred task running, and plain. */
    static Stream<RingOptions> optionVariants() {
        return Stream.of(RingOptions.defaults(), new RingOptions(64, 128, false, false));
    }

    /**
     * Submits what is prepared and collects exactly {@code n} CQEs, waiting in the kernel (never
     * sleeping); fails if they do not arrive within {@link #WAIT_LIMIT_NANOS}.
     */
    static List<Cqe> submitAndCollect(Ring ring, int n) {
        List<Cqe> out = new ArrayList<>(n);
        long deadline = System.nanoTime() + WAIT_LIMIT_NANOS;
        while (true) {
            ring.cq().drain((ud, res, flags) -> out.add(new Cqe(ud, res, flags)), n - out.size());
            if (out.size() == n) {
                return out;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("expected " + n + " CQEs, got " + out);
            }
            int r = ring.submitAndWait(1, left);
            if (r < 0 && r != -ETIME && r != -EINTR) {
                fail("io_uring_enter failed: " + r);
            }
        }
    }

    /** The CQE with {@code userData}; fails when absent. */
    static Cqe byUserData(List<Cqe> cqes, long userData) {
        return cqes.stream().filter(c -> c.userData() == userData).findFirst()
                .orElseThrow(() -> new AssertionError("no CQE for user_data " + userData + " in " + cqes));
    }
}
