package dev.proactor.internal.uring;

/**
 * What to ask of {@code io_uring_setup}; {@link Ring#open} takes the best subset the kernel
 * accepts.
 *
 * @param sqEntries     submission queue entries wanted, 1 to 32768; the kernel rounds up to a
 *                      power of two (and clamps to its maximum when it supports
 *                      {@code IORING_SETUP_CLAMP})
 * @param cqEntries     completion queue entries wanted, at least {@code sqEntries}, or 0 for the
 *                      kernel's default of twice the SQ size
 * @param singleIssuer  ask for {@code IORING_SETUP_SINGLE_ISSUER}: the thread that opens the ring
 *                      becomes the only one that may submit to it (others get {@code -EEXIST})
 * @param deferTaskrun  ask for {@code IORING_SETUP_DEFER_TASKRUN} (needs {@code singleIssuer}):
 *                      completions are produced only inside {@code io_uring_enter} with
 *                      {@code IORING_ENTER_GETEVENTS}, so a dispatcher that never waits sees none
 */
public record RingOptions(int sqEntries, int cqEntries, boolean singleIssuer, boolean deferTaskrun) {

    /** The kernel's upper bound for SQ entries ({@code IORING_MAX_ENTRIES}). */
    public static final int MAX_SQ_ENTRIES = 32768;

    /** Validates the sizes and that deferred task running comes with a single issuer. */
    public RingOptions {
        if (sqEntries < 1 || sqEntries > MAX_SQ_ENTRIES) {
            throw new IllegalArgumentException("sqEntries must be 1.." + MAX_SQ_ENTRIES + ": " + sqEntries);
        }
        if (cqEntries != 0 && cqEntries < sqEntries) {
            throw new IllegalArgumentException("cqEntries must be 0 or >= sqEntries: " + cqEntries);
        }
        if (deferTaskrun && !singleIssuer) {
            throw new IllegalArgumentException("deferTaskrun requires singleIssuer (the kernel says EINVAL)");
        }
    }

    /**
     * 256 SQ entries and 1024 CQ entries (room for completions of multishot operations and of
     * several batches), single issuer with deferred task running: the dispatcher both submits
     * and waits, which is exactly the case those flags are for.
     */
    public static RingOptions defaults() {
        return new RingOptions(256, 1024, true, true);
    }

    /** These options with other queue sizes. */
    public RingOptions withSizes(int sq, int cq) {
        return new RingOptions(sq, cq, singleIssuer, deferTaskrun);
    }
}
