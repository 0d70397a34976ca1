package dev.proactor.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How a long-running command learns that it should stop: SIGINT or SIGTERM (through a shutdown
 * hook), or an interrupt of the thread that waits in {@link #await()}, which is how a test running
 * the command in-process stops it. The hook holds the JVM's exit until the command has finished its
 * stop and {@link #close() closed} this, or until {@code grace} has passed.
 *
 * <p>Exit status after a signal: the JVM's own 128 + the signal, unless {@code exitZero}, in which
 * case the hook halts the JVM with 0 once the stop is done (a graceful stop on request is success).
 * Halting skips any later shutdown hook, so the command flushes its output before closing this.
 */
final class SignalStop implements AutoCloseable {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    SignalStop(String threadName, Duration grace, boolean exitZero) {
        hook = new Thread(() -> {
            requested.countDown();
            try {
                if (done.await(grace.toMillis(), TimeUnit.MILLISECONDS) && exitZero) {
                    Runtime.getRuntime().halt(0);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, threadName);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Returns once a signal came or the calling thread was interrupted (the interrupt is consumed). */
    void await() {
        try {
            requested.await();
        } catch (InterruptedException e) {
            // Stopped in-process: the same path as a signal.
        }
    }

    /** The stop is done and reported: the JVM may exit. */
    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: the hook is what woke us.
        }
    }
}
