package dev.proactor.test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition that a real event makes true, with a bounded deadline: polling, never a
 * fixed sleep standing in for synchronisation.
 */
public final class Waits {
    private Waits() {}

    /** Polls {@code condition} until it holds or {@code timeout} passes; answers whether it held. */
    public static boolean poll(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = TimeUnit.MICROSECONDS.toNanos(50);
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return condition.getAsBoolean();
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Like {@link #poll} but fails with {@code what} when the deadline passes. */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
        if (!poll(timeout, condition)) {
            throw new AssertionError("not within " + timeout + ": " + what.get());
        }
    }
}
