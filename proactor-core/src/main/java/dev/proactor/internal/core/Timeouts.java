package dev.proactor.internal.core;

import java.time.Duration;
import java.util.Objects;

/** The one check every {@code withTimeout} view applies. */
final class Timeouts {
    private Timeouts() {}

    static Duration positive(Duration t) {
        Objects.requireNonNull(t, "timeout");
        if (t.isNegative() || t.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + t);
        }
        return t;
    }
}
