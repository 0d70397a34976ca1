package dev.proactor.internal.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-flight limit: at most {@link #limit} permits held at once. Each take and each return is one
 * atomic instruction, and a take answers how many are held with it, which is what the metrics'
 * high-water mark needs ({@code Semaphore} plus a second counter for that were two per take and
 * two per return, on every operation). Thread-safe.
 *
 * <p>Waiting takers ({@link #tryAcquire(long)}, the {@code wait} admission policy on a caller's
 * thread) park on a monitor that {@link #release()} notifies only while one waits. No wake-up is
 * lost: a waiter counts itself in {@link #waiters} before it tries and tries once more under the
 * monitor before it waits; a release returns its permit before it reads {@link #waiters}, then
 * notifies under the monitor. Both counters are sequentially consistent, so either the waiter's
 * try sees the permit returned, or the release sees the waiter and its notify comes after the
 * waiter's last try, while it waits, or before it takes the monitor (then its try under the
 * monitor succeeds).
 */
final class Permits {
    private final int limit;
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger waiters = new AtomicInteger();
    private final Object room = new Object();

    Permits(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        this.limit = limit;
    }

    /** Takes a permit if one is free: answers how many are held now, this one included, or 0 when none was free. */
    int tryAcquire() {
        int n;
        do {
            n = held.get();
            if (n >= limit) {
                return 0;
            }
        } while (!held.compareAndSet(n, n + 1));
        return n + 1;
    }

    /**
     * Takes a permit, waiting up to {@code nanos} for one; answers as {@link #tryAcquire()}.
     *
     * @throws InterruptedException if interrupted while it waits
     */
    int tryAcquire(long nanos) throws InterruptedException {
        int n = tryAcquire();
        if (n > 0 || nanos <= 0) {
            return n;
        }
        long end = System.nanoTime() + nanos;
        waiters.incrementAndGet();
        try {
            while (true) {
                n = tryAcquire();
                if (n > 0) {
                    return n;
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                synchronized (room) {
                    n = tryAcquire();
                    if (n > 0) {
                        return n;
                    }
                    room.wait(Math.max(1, left / 1_000_000));
                }
            }
        } finally {
            waiters.decrementAndGet();
        }
    }

    /** Returns a permit taken before. */
    void release() {
        held.decrementAndGet();
        if (waiters.get() > 0) {
            synchronized (room) {
                room.notifyAll();
            }
        }
    }

    /** Permits free now. */
    int available() {
        return limit - held.get();
    }
}
