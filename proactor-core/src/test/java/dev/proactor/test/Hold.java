package dev.proactor.test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stops, once, the thread that passes a point in code (a backend call the dispatcher makes), until
 * the test releases it: the test then acts while that thread is known to be there. Passing is a
 * no-op until {@link #arm()}, and after the one hold.
 */
public final class Hold {
    private volatile boolean armed;
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    /** The next {@link #pass()} holds. */
    public void arm() {
        armed = true;
    }

    /** Called at the point: if armed, disarms, reports the hold and waits for {@link #release()}. */
    public void pass() {
        if (armed) {
            armed = false;
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether a thread was held within {@code timeout} (a bound against a hang, not a measurement). */
    public boolean awaitHeld(Duration timeout) throws InterruptedException {
        return held.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Lets the held thread (or the next to pass while armed) go on. */
    public void release() {
        release.countDown();
    }
}
