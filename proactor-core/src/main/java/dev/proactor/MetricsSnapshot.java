package dev.proactor;

import java.util.Map;

/**
 * The proactor's counters and gauges at one moment. Counters are totals since the proactor opened.
 *
 * @param backend the backend's name
 * @param inFlight operations initiated and not yet ended, by kind
 * @param kinds totals and latency by kind
 * @param queuedForAdmission operations waiting for the in-flight limit
 * @param waitingForSubmission admitted operations waiting for room in the submission queue
 * @param maxInFlightSeen the highest number of admitted operations at once
 * @param buffersLeased pool slabs leased now
 * @param buffersTotal pool slabs in all
 * @param completionQueueOverflows times the kernel reported completions held back for lack of room
 * @param completionsDropped completions the kernel reported lost (should stay zero)
 * @param handlerFailures handlers that threw
 * @param ledger the exactly-once accounting of operations
 * @param kernelCalls calls into the kernel to submit and wait
 * @param receiveChunksHeld chunks that {@link AsyncSocket#receiveEach} handlers hold now (delivered
 *     or waiting for delivery, not yet released)
 * @param receiveRearms multishot receives the kernel ended because every provided buffer was lent,
 *     armed again once buffers came back
 */
public record MetricsSnapshot(
        String backend,
        Map<OperationKind, Long> inFlight,
        Map<OperationKind, KindMetrics> kinds,
        long queuedForAdmission,
        long waitingForSubmission,
        long maxInFlightSeen,
        int buffersLeased,
        int buffersTotal,
        long completionQueueOverflows,
        long completionsDropped,
        long handlerFailures,
        Ledger ledger,
        long kernelCalls,
        int receiveChunksHeld,
        long receiveRearms) {

    /** Copies the maps. */
    public MetricsSnapshot {
        inFlight = Map.copyOf(inFlight);
        kinds = Map.copyOf(kinds);
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
}
