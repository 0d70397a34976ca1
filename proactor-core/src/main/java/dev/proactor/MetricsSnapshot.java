package dev.proactor;

import java.util.Arrays;
import java.util.Map;

/**
 * The proactor's counters and gauges at one moment. Counters are totals since the proactor opened.
 *
 * <p>A final class rather than a record, so that a value can be added without breaking callers;
 * the library builds it, and {@link #builder()} is there for tests and tools that need one. Two
 * are equal when every value is.
 */
public final class MetricsSnapshot {
    private final String backend;
    private final Map<OperationKind, Long> inFlight;
    private final Map<OperationKind, KindMetrics> kinds;
    private final long queuedForAdmission;
    private final long waitingForSubmission;
    private final long maxInFlightSeen;
    private final int buffersLeased;
    private final int buffersTotal;
    private final long completionQueueOverflows;
    private final long completionsDropped;
    private final long handlerFailures;
    private final Ledger ledger;
    private final long kernelCalls;
    private final int receiveChunksHeld;
    private final long receiveRearms;

    private MetricsSnapshot(Builder b) {
        this.backend = b.backend;
        this.inFlight = Map.copyOf(b.inFlight);
        this.kinds = Map.copyOf(b.kinds);
        this.queuedForAdmission = b.queuedForAdmission;
        this.waitingForSubmission = b.waitingForSubmission;
        this.maxInFlightSeen = b.maxInFlightSeen;
        this.buffersLeased = b.buffersLeased;
        this.buffersTotal = b.buffersTotal;
        this.completionQueueOverflows = b.completionQueueOverflows;
        this.completionsDropped = b.completionsDropped;
        this.handlerFailures = b.handlerFailures;
        this.ledger = b.ledger;
        this.kernelCalls = b.kernelCalls;
        this.receiveChunksHeld = b.receiveChunksHeld;
        this.receiveRearms = b.receiveRearms;
    }

    /** A builder with every value zero, empty or absent. */
    public static Builder builder() {
        return new Builder();
    }

    /** The backend's name. */
    public String backend() {
        return backend;
    }

    /** Operations initiated and not yet ended, by kind. */
    public Map<OperationKind, Long> inFlight() {
        return inFlight;
    }

    /** Totals and latency by kind. */
    public Map<OperationKind, KindMetrics> kinds() {
        return kinds;
    }

    /** Operations waiting for the in-flight limit. */
    public long queuedForAdmission() {
        return queuedForAdmission;
    }

    /** Admitted operations waiting for room in the submission queue. */
    public long waitingForSubmission() {
        return waitingForSubmission;
    }

    /** The highest number of admitted operations at once. */
    public long maxInFlightSeen() {
        return maxInFlightSeen;
    }

    /** Pool slabs leased now. */
    public int buffersLeased() {
        return buffersLeased;
    }

    /** Pool slabs in all. */
    public int buffersTotal() {
        return buffersTotal;
    }

    /** Times the kernel reported completions held back for lack of room. */
    public long completionQueueOverflows() {
        return completionQueueOverflows;
    }

    /** Completions the kernel reported lost (should stay zero). */
    public long completionsDropped() {
        return completionsDropped;
    }

    /** Handlers that threw. */
    public long handlerFailures() {
        return handlerFailures;
    }

    /** The exactly-once accounting of operations. */
    public Ledger ledger() {
        return ledger;
    }

    /** Calls into the kernel to submit and wait. */
    public long kernelCalls() {
        return kernelCalls;
    }

    /**
     * Chunks that {@link AsyncSocket#receiveEach} handlers hold now (delivered or waiting for
     * delivery, not yet released).
     */
    public int receiveChunksHeld() {
        return receiveChunksHeld;
    }

    /**
     * Multishot receives the kernel ended because every provided buffer was lent, armed again
     * once buffers came back.
     */
    public long receiveRearms() {
        return receiveRearms;
    }

    /**
     * Totals and latency for one kind of operation.
     *
     * @param initiated operations initiated
     * @param completed ended with a result
     * @param failed ended with an error
     * @param cancelled ended by cancellation
     * @param timedOut ended by their deadline
     * @param retries kernel submissions repeated after a transient error
     * @param latency time from initiation to the terminal outcome
     */
    public record KindMetrics(long initiated, long completed, long failed, long cancelled, long timedOut,
            long retries, Latency latency) {}

    /**
     * Latency percentiles in nanoseconds, from a histogram with about 3% relative precision.
     *
     * @param count samples
     * @param p50 median
     * @param p90 90th percentile
     * @param p99 99th percentile
     * @param p999 99.9th percentile
     * @param max largest sample
     */
    public record Latency(long count, long p50, long p90, long p99, long p999, long max) {}

    /**
     * Exactly-once accounting: every initiated operation reaches exactly one terminal outcome.
     *
     * @param initiated operations initiated
     * @param terminal operations that reached their terminal outcome
     * @param duplicates results that arrived for an operation already ended, ignored
     * @param strays completions that matched no known operation, ignored
     */
    public record Ledger(long initiated, long terminal, long duplicates, long strays) {
        /** Operations initiated and not (yet) ended. */
        public long outstanding() {
            return initiated - terminal;
        }
    }

    private Object[] values() {
        return new Object[] {backend, inFlight, kinds, queuedForAdmission, waitingForSubmission, maxInFlightSeen, buffersLeased, buffersTotal, completionQueueOverflows, completionsDropped, handlerFailures, ledger, kernelCalls, receiveChunksHeld, receiveRearms};
    }

    private static final String[] NAMES = {"backend", "inFlight", "kinds", "queuedForAdmission", "waitingForSubmission", "maxInFlightSeen", "buffersLeased", "buffersTotal", "completionQueueOverflows", "completionsDropped", "handlerFailures", "ledger", "kernelCalls", "receiveChunksHeld", "receiveRearms"};

    @Override
    public boolean equals(Object o) {
        return o instanceof MetricsSnapshot other && Arrays.equals(values(), other.values());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values());
    }

    /** Every value by name, as a record would show it. */
    @Override
    public String toString() {
        return ValueText.of("MetricsSnapshot", NAMES, values());
    }

    /** Builds a {@link MetricsSnapshot}; every setter returns the builder. */
    public static final class Builder {
        private String backend = "";
        private Map<OperationKind, Long> inFlight = Map.of();
        private Map<OperationKind, KindMetrics> kinds = Map.of();
        private long queuedForAdmission;
        private long waitingForSubmission;
        private long maxInFlightSeen;
        private int buffersLeased;
        private int buffersTotal;
        private long completionQueueOverflows;
        private long completionsDropped;
        private long handlerFailures;
        private Ledger ledger = new Ledger(0, 0, 0, 0);
        private long kernelCalls;
        private int receiveChunksHeld;
        private long receiveRearms;

        private Builder() {}

        /** See {@link MetricsSnapshot#backend()}. */
        public Builder backend(String v) {
            backend = v;
            return this;
        }

        /** See {@link MetricsSnapshot#inFlight()}. */
        public Builder inFlight(Map<OperationKind, Long> v) {
            inFlight = v;
            return this;
        }

        /** See {@link MetricsSnapshot#kinds()}. */
        public Builder kinds(Map<OperationKind, KindMetrics> v) {
            kinds = v;
            return this;
        }

        /** See {@link MetricsSnapshot#queuedForAdmission()}. */
        public Builder queuedForAdmission(long v) {
            queuedForAdmission = v;
            return this;
        }

        /** See {@link MetricsSnapshot#waitingForSubmission()}. */
        public Builder waitingForSubmission(long v) {
            waitingForSubmission = v;
            return this;
        }

        /** See {@link MetricsSnapshot#maxInFlightSeen()}. */
        public Builder maxInFlightSeen(long v) {
            maxInFlightSeen = v;
            return this;
        }

        /** See {@link MetricsSnapshot#buffersLeased()}. */
        public Builder buffersLeased(int v) {
            buffersLeased = v;
            return this;
        }

        /** See {@link MetricsSnapshot#buffersTotal()}. */
        public Builder buffersTotal(int v) {
            buffersTotal = v;
            return this;
        }

        /** See {@link MetricsSnapshot#completionQueueOverflows()}. */
        public Builder completionQueueOverflows(long v) {
            completionQueueOverflows = v;
            return this;
        }

        /** See {@link MetricsSnapshot#completionsDropped()}. */
        public Builder completionsDropped(long v) {
            completionsDropped = v;
            return this;
        }

        /** See {@link MetricsSnapshot#handlerFailures()}. */
        public Builder handlerFailures(long v) {
            handlerFailures = v;
            return this;
        }

        /** See {@link MetricsSnapshot#ledger()}. */
        public Builder ledger(Ledger v) {
            ledger = v;
            return this;
        }

        /** See {@link MetricsSnapshot#kernelCalls()}. */
        public Builder kernelCalls(long v) {
            kernelCalls = v;
            return this;
        }

        /** See {@link MetricsSnapshot#receiveChunksHeld()}. */
        public Builder receiveChunksHeld(int v) {
            receiveChunksHeld = v;
            return this;
        }

        /** See {@link MetricsSnapshot#receiveRearms()}. */
        public Builder receiveRearms(long v) {
            receiveRearms = v;
            return this;
        }

        /** Builds the value; collections are copied. */
        public MetricsSnapshot build() {
            return new MetricsSnapshot(this);
        }
    }
}
