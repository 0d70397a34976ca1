package dev.proactor.internal.core;

import dev.proactor.MetricsSnapshot.Latency;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A log-linear histogram of nanosecond latencies with 32 sub-buckets per power of two (about 3%
 * relative error), in a fixed array: recording neither allocates nor locks. Any thread may read
 * it ({@link #snapshot}, {@link #addTo}); who may record depends on how it was made:
 * <ul>
 *   <li>{@linkplain #singleWriter() single writer}: one thread records, for ever (the dispatcher,
 *       which records every operation it finishes). {@link #record} is then a plain load and a
 *       release store per bucket and for the maximum: no atomic instruction, no fence on x86;
 *       readers load with acquire, so they see every count up to the last store they observe.
 *   <li>{@linkplain #shared() shared}: any thread records, with an atomic add (the initiating
 *       threads, for operations refused at initiation: rare).
 * </ul>
 * A proactor keeps one of each kind per operation kind and merges them in its snapshot.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 5;
    private static final int SUB = 1 << SUB_BITS;
    static final int BUCKETS = (64 - SUB_BITS) * SUB + SUB;
    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle MAX;

    static {
        try {
            MAX = MethodHandles.lookup().findVarHandle(LatencyHistogram.class, "max", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final boolean singleWriter;
    private final long[] counts = new long[BUCKETS];
    @SuppressWarnings("unused") // through MAX
    private long max;

    private LatencyHistogram(boolean singleWriter) {
        this.singleWriter = singleWriter;
    }

    /** A histogram only one thread ever records into. */
    static LatencyHistogram singleWriter() {
        return new LatencyHistogram(true);
    }

    /** A histogram any thread may record into. */
    static LatencyHistogram shared() {
        return new LatencyHistogram(false);
    }

    void record(long nanos) {
        long v = Math.max(0, nanos);
        int i = index(v);
        if (singleWriter) {
            COUNTS.setRelease(counts, i, (long) COUNTS.get(counts, i) + 1);
            if (v > (long) MAX.get(this)) {
                MAX.setRelease(this, v);
            }
            return;
        }
        COUNTS.getAndAdd(counts, i, 1L);
        long m;
        while (v > (m = (long) MAX.getVolatile(this)) && !MAX.compareAndSet(this, m, v)) {
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

    /** Adds this histogram's counts to {@code into} (any thread); returns the larger maximum. */
    long addTo(long[] into, long maxSoFar) {
        for (int i = 0; i < BUCKETS; i++) {
            into[i] += (long) COUNTS.getAcquire(counts, i);
        }
        return Math.max(maxSoFar, (long) MAX.getAcquire(this));
    }

    Latency snapshot() {
        long[] c = new long[BUCKETS];
        return summarize(c, addTo(c, 0));
    }

    /** The percentiles of merged counts {@code c} whose largest sample is {@code m}. */
    static Latency summarize(long[] c, long m) {
        long sum = 0;
        for (long n : c) {
            sum += n;
        }
        if (sum == 0) {
            return new Latency(0, 0, 0, 0, 0, 0);
        }
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
