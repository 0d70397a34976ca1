package dev.proactor;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Which errors are transient and how often an operation is tried again after one. A retried
 * operation keeps its id, its buffers and its deadline; the caller sees only the final outcome.
 * Permanent errors are never retried, whatever this policy says.
 *
 * @param transientErrnos errno names treated as transient (for example {@code EAGAIN})
 * @param maxAttempts tries in a row that may fail transiently, the first included; 1 means no retry.
 *     The count starts again whenever a round of a longer transfer ({@code readFully},
 *     {@code writeAll}, {@code transferFrom}) moves data, so it limits how long one stall lasts,
 *     not how many stalls a long transfer meets
 * @param backoff delay before the first retry, doubled after each further one
 * @param maxBackoff cap on the doubled delay
 */
public record RetryPolicy(Set<String> transientErrnos, int maxAttempts, Duration backoff, Duration maxBackoff) {

    /** Errors that never mean the operation itself was wrong, only that the moment was. */
    public static final Set<String> TRANSIENT = Set.of("EAGAIN", "EINTR", "ENOBUFS", "EBUSY", "ENOMEM");

    /** Errors that are never retried, even if named transient: retrying would repeat a mistake. */
    public static final Set<String> PERMANENT = Set.of(
            "EBADF", "EINVAL", "EFAULT", "ENOENT", "EACCES", "EPERM", "EISDIR", "ENOTDIR", "EEXIST",
            "ENOSPC", "EROFS", "ENAMETOOLONG", "ECONNREFUSED", "ECONNRESET", "EPIPE", "ENOTCONN",
            "ECANCELED", "EOPNOTSUPP", "ENOSYS", "EFBIG", "ESPIPE", "EMFILE", "ENFILE");

    /** Validates and copies the arguments. */
    public RetryPolicy {
        transientErrnos = Set.copyOf(Objects.requireNonNull(transientErrnos, "transientErrnos"));
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        if (backoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative");
        }
    }

    /** Never retry. */
    public static RetryPolicy none() {
        return new RetryPolicy(Set.of(), 1, Duration.ZERO, Duration.ZERO);
    }

    /** The default: {@link #TRANSIENT} errors, 4 tries, backoff from 1 ms up to 50 ms. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(TRANSIENT, 4, Duration.ofMillis(1), Duration.ofMillis(50));
    }

    /** Whether an error with this name, seen on attempt {@code attempt} (1-based), is tried again. */
    public boolean shouldRetry(String errnoName, int attempt) {
        return attempt < maxAttempts && transientErrnos.contains(errnoName) && !PERMANENT.contains(errnoName);
    }

    /** The delay before try number {@code attempt + 1}. */
    public Duration delayAfter(int attempt) {
        long nanos = backoff.toNanos();
        for (int i = 1; i < attempt && nanos < maxBackoff.toNanos(); i++) {
            nanos *= 2;
        }
        return Duration.ofNanos(Math.min(nanos, maxBackoff.toNanos()));
    }
}
