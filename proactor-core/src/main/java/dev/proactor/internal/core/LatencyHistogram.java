package dev.proactor.internal.core;

import dev.proactor.MetricsSnapshot.Latency;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A log-linear histogram of nanosecond latencies with 32 sub-buckets per power of two (about 3%
 * relative error), in a fixed array: recording neither allocates nor locks. Recorded mostly by the
 * dispatcher, and by initiating threads for operations refused at initiation; read by any thread.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 5;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = (64 - SUB_BITS) * SUB + SUB;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final java.util.concurrent.atomic.AtomicLong max = new java.util.concurrent.atomic.AtomicLong();

    void record(long nanos) {
        long v = Math.max(0, nanos);
        int i = index(v);
        counts.incrementAndGet(i);
        long m;
        while (v > (m = max.get()) && !max.compareAndSet(m, v)) {
            Thread.onSpinWait();
        }
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int shift = msb - SUB_BITS;
        int sub = (int) (v >>> shift) & (SUB - 1);
        return (shift + 1) * SUB + sub;
    }

    /** The largest value that maps to bucket {@code i}. */
    static long upperBound(int i) {
        if (i < SUB) {
            return i;
        }
        int shift = i / SUB - 1;
        long sub = i % SUB;
        return ((SUB + sub + 1) << shift) - 1;
    }

    Latency snapshot() {
        long[] c = new long[BUCKETS];
        long sum = 0;
        for (int i = 0; i < BUCKETS; i++) {
            c[i] = counts.get(i);
            sum += c[i];
        }
        if (sum == 0) {
            return new Latency(0, 0, 0, 0, 0, 0);
        }
        long m = max.get();
        return new Latency(sum, at(c, sum, 0.50, m), at(c, sum, 0.90, m), at(c, sum, 0.99, m),
                at(c, sum, 0.999, m), m);
    }

    private static long at(long[] c, long sum, double q, long max) {
        long rank = (long) Math.ceil(q * sum);
        long seen = 0;
        for (int i = 0; i < c.length; i++) {
            seen += c[i];
            if (seen >= rank && seen > 0) {
                return Math.min(upperBound(i), max);
            }
        }
        return max;
    }
}
