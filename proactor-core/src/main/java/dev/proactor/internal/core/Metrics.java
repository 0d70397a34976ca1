package dev.proactor.internal.core;

import dev.proactor.MetricsSnapshot;
import dev.proactor.MetricsSnapshot.KindMetrics;
import dev.proactor.OperationKind;
import dev.proactor.OperationState;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The proactor's counters. Initiation counters are bumped by any thread; terminal counters and
 * histograms by the dispatcher alone. Snapshots may be taken from any thread.
 */
final class Metrics {
    private static final OperationKind[] KINDS = OperationKind.values();

    final LongAdder[] initiated = adders();
    final LongAdder[] completed = adders();
    final LongAdder[] failed = adders();
    final LongAdder[] cancelled = adders();
    final LongAdder[] timedOut = adders();
    final LongAdder[] retries = adders();
    final LongAdder[] inFlight = adders();
    final LatencyHistogram[] latency = new LatencyHistogram[KINDS.length];

    final LongAdder initiatedTotal = new LongAdder();
    final LongAdder terminalTotal = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder strays = new LongAdder();
    final LongAdder handlerFailures = new LongAdder();
    final LongAdder overflows = new LongAdder();
    final AtomicLong maxInFlightSeen = new AtomicLong();
    /** Received chunks lent to stream handlers and not released; those in provided buffers apart. */
    final java.util.concurrent.atomic.AtomicInteger chunksHeld = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger providedChunksHeld = new java.util.concurrent.atomic.AtomicInteger();
    /** Multishot receives the kernel ended for want of a provided buffer, and that were armed again. */
    final LongAdder receiveRearms = new LongAdder();

    Metrics() {
        for (int i = 0; i < KINDS.length; i++) {
            latency[i] = new LatencyHistogram();
        }
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[KINDS.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    void initiated(OperationKind kind) {
        initiated[kind.ordinal()].increment();
        inFlight[kind.ordinal()].increment();
        initiatedTotal.increment();
    }

    void admitted(long nowAdmitted) {
        maxInFlightSeen.accumulateAndGet(nowAdmitted, Math::max);
    }

    /** Records a terminal outcome; called once per operation. */
    void terminal(OperationKind kind, OperationState state, long latencyNanos) {
        int k = kind.ordinal();
        switch (state) {
            case COMPLETED -> completed[k].increment();
            case FAILED -> failed[k].increment();
            case CANCELLED -> cancelled[k].increment();
            case TIMED_OUT -> timedOut[k].increment();
            default -> throw new IllegalArgumentException("not terminal: " + state);
        }
        latency[k].record(latencyNanos);
        inFlight[k].decrement();
        terminalTotal.increment();
    }

    MetricsSnapshot snapshot(String backend, long queued, long waiting, int leased, int buffers,
            long dropped, long kernelCalls) {
        Map<OperationKind, Long> flight = new EnumMap<>(OperationKind.class);
        Map<OperationKind, KindMetrics> kinds = new EnumMap<>(OperationKind.class);
        for (OperationKind kind : KINDS) {
            int k = kind.ordinal();
            long started = initiated[k].sum();
            if (started == 0) {
                continue;
            }
            flight.put(kind, inFlight[k].sum());
            kinds.put(kind, new KindMetrics(started, completed[k].sum(), failed[k].sum(), cancelled[k].sum(),
                    timedOut[k].sum(), retries[k].sum(), latency[k].snapshot()));
        }
        // Terminal before initiated: a racing initiation can only make outstanding look larger.
        long terminal = terminalTotal.sum();
        long started = initiatedTotal.sum();
        return MetricsSnapshot.builder().backend(backend).inFlight(flight).kinds(kinds)
                .queuedForAdmission(queued).waitingForSubmission(waiting).maxInFlightSeen(maxInFlightSeen.get())
                .buffersLeased(leased).buffersTotal(buffers)
                .completionQueueOverflows(overflows.sum()).completionsDropped(dropped)
                .handlerFailures(handlerFailures.sum())
                .ledger(new MetricsSnapshot.Ledger(started, terminal, duplicates.sum(), strays.sum()))
                .kernelCalls(kernelCalls).receiveChunksHeld(chunksHeld.get()).receiveRearms(receiveRearms.sum())
                .build();
    }
}
