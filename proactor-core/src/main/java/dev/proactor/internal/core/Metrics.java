package dev.proactor.internal.core;

import dev.proactor.MetricsSnapshot;
import dev.proactor.MetricsSnapshot.KindMetrics;
import dev.proactor.OperationKind;
import dev.proactor.OperationState;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The proactor's counters, costing no allocation and, on the dispatcher, no atomic instruction.
 * Snapshots may be taken from any thread; the writers are split by thread:
 * <ul>
 *   <li><b>The dispatcher's own</b> ({@link #owner}): what it counts (every operation it finishes,
 *       the initiations of inline handlers, retries, duplicates, strays, overflows, re-arms) goes
 *       into a plain array and histograms that only it writes, each update a plain load and a
 *       release store;
 *       snapshots load them with acquire. One writer needs no read-modify-write instruction, and
 *       the release/acquire pair is what lets a snapshot that sees an operation's end also see its
 *       initiation (the dispatcher counted both in that order, or the initiator's count came
 *       before the inbox post that handed the operation over).
 *   <li><b>Other threads'</b>: the same cells in a shared array, each update an atomic add. An
 *       initiation on a caller's thread is one (the one atomic instruction metrics cost per
 *       operation); an operation that ends at initiation, which only refusals and empty transfers
 *       do, is another, with a shared histogram made on first need; handler failures, from
 *       workers, go to a {@link LongAdder}. Each count is own plus shared.
 * </ul>
 * In flight is initiated minus ended, per kind, so an operation costs two counter updates and a
 * histogram record in all. {@link LongAdder} was the first design: its cells cost three CASes per
 * initiation and four per end, about 12% of a pipelined no-op's samples.
 */
final class Metrics {
    private static final OperationKind[] KINDS = OperationKind.values();
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    // Per kind, at kind.ordinal() * FIELDS + field.
    private static final int INITIATED = 0;
    private static final int COMPLETED = 1;
    private static final int FAILED = 2;
    private static final int CANCELLED = 3;
    private static final int TIMED_OUT = 4;
    private static final int RETRIES = 5;
    private static final int FIELDS = 6;
    // Totals of the dispatcher's own, after the per-kind cells.
    private static final int DUPLICATES = KINDS.length * FIELDS;
    private static final int STRAYS = DUPLICATES + 1;
    private static final int OVERFLOWS = DUPLICATES + 2;
    private static final int REARMS = DUPLICATES + 3;
    private static final int OWN_CELLS = DUPLICATES + 4;

    /** The dispatcher thread, the one writer of {@link #own}; set before it starts. */
    private volatile Thread owner;
    /** Written by {@link #owner} alone: plain load, release store. */
    private final long[] own = new long[OWN_CELLS];
    private final LatencyHistogram[] ownLatency = new LatencyHistogram[KINDS.length];
    /** The same cells, counted by other threads, atomically. */
    private final AtomicLongArray shared = new AtomicLongArray(OWN_CELLS);
    private final AtomicReferenceArray<LatencyHistogram> sharedLatency = new AtomicReferenceArray<>(KINDS.length);

    final LongAdder handlerFailures = new LongAdder();
    private final AtomicLong maxInFlightSeen = new AtomicLong();
    /** Received chunks lent to stream handlers and not released; those in provided buffers apart. */
    final AtomicInteger chunksHeld = new AtomicInteger();
    final AtomicInteger providedChunksHeld = new AtomicInteger();

    Metrics() {
        for (int i = 0; i < KINDS.length; i++) {
            ownLatency[i] = LatencyHistogram.singleWriter();
        }
    }

    /** Names the dispatcher thread, before it runs: from then on only it writes the own counters. */
    void owner(Thread dispatcher) {
        owner = dispatcher;
    }

    private boolean onOwner() {
        return Thread.currentThread() == owner;
    }

    /** Adds {@code n} to {@code cell}: the dispatcher's own array on the dispatcher, else the shared one. */
    private void count(int cell, long n) {
        if (onOwner()) {
            LONGS.setRelease(own, cell, (long) LONGS.get(own, cell) + n);
        } else {
            shared.getAndAdd(cell, n);
        }
    }

    /** A cell's count (any thread). */
    private long read(int cell) {
        return (long) LONGS.getAcquire(own, cell) + shared.get(cell);
    }

    /** An operation was initiated (any thread). */
    void initiated(OperationKind kind) {
        count(kind.ordinal() * FIELDS + INITIATED, 1);
    }

    /** The admission permits now held; a read unless it is a new maximum. */
    void admitted(long nowAdmitted) {
        long m;
        while (nowAdmitted > (m = maxInFlightSeen.get()) && !maxInFlightSeen.compareAndSet(m, nowAdmitted)) {
            Thread.onSpinWait();
        }
    }

    /** Records a terminal outcome; called once per operation (any thread, the dispatcher nearly always). */
    void terminal(OperationKind kind, OperationState state, long latencyNanos) {
        int k = kind.ordinal();
        int cell = k * FIELDS + switch (state) {
            case COMPLETED -> COMPLETED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
            case TIMED_OUT -> TIMED_OUT;
            case QUEUED, SUBMITTED -> throw new IllegalArgumentException("not terminal: " + state);
        };
        count(cell, 1);
        if (onOwner()) {
            ownLatency[k].record(latencyNanos);
            return;
        }
        LatencyHistogram h = sharedLatency.get(k);
        if (h == null) {
            sharedLatency.compareAndSet(k, null, LatencyHistogram.shared());
            h = sharedLatency.get(k);
        }
        h.record(latencyNanos);
    }

    /** A transient failure of {@code kind} will be retried (the dispatcher, as the rest below). */
    void retried(OperationKind kind) {
        count(kind.ordinal() * FIELDS + RETRIES, 1);
    }

    /** A backend report the settle gate refused. */
    void duplicate() {
        count(DUPLICATES, 1);
    }

    /** A completion that names no round in flight. */
    void stray() {
        count(STRAYS, 1);
    }

    /** Completions the kernel's queue overflowed with. */
    void overflowed(long n) {
        count(OVERFLOWS, n);
    }

    /** A multishot receive ended for want of a provided buffer is armed again. */
    void receiveRearmed() {
        count(REARMS, 1);
    }

    private long kindCell(int k, int field) {
        return read(k * FIELDS + field);
    }

    MetricsSnapshot snapshot(String backend, long queued, long waiting, int leased, int buffers,
            long dropped, long kernelCalls) {
        Map<OperationKind, Long> flight = new EnumMap<>(OperationKind.class);
        Map<OperationKind, KindMetrics> kinds = new EnumMap<>(OperationKind.class);
        long terminal = 0;
        long initiated = 0;
        for (OperationKind kind : KINDS) {
            int k = kind.ordinal();
            // Ends before initiations: a racing initiation can only make in flight look larger,
            // and an end seen (acquire) brings its initiation with it.
            long completed = kindCell(k, COMPLETED);
            long failed = kindCell(k, FAILED);
            long cancelled = kindCell(k, CANCELLED);
            long timedOut = kindCell(k, TIMED_OUT);
            long started = kindCell(k, INITIATED);
            long ended = completed + failed + cancelled + timedOut;
            terminal += ended;
            initiated += started;
            if (started == 0) {
                continue;
            }
            flight.put(kind, started - ended);
            kinds.put(kind, new KindMetrics(started, completed, failed, cancelled, timedOut,
                    kindCell(k, RETRIES), latency(k)));
        }
        return MetricsSnapshot.builder().backend(backend).inFlight(flight).kinds(kinds)
                .queuedForAdmission(queued).waitingForSubmission(waiting).maxInFlightSeen(maxInFlightSeen.get())
                .buffersLeased(leased).buffersTotal(buffers)
                .completionQueueOverflows(read(OVERFLOWS)).completionsDropped(dropped)
                .handlerFailures(handlerFailures.sum())
                .ledger(new MetricsSnapshot.Ledger(initiated, terminal, read(DUPLICATES), read(STRAYS)))
                .kernelCalls(kernelCalls).receiveChunksHeld(chunksHeld.get()).receiveRearms(read(REARMS))
                .build();
    }

    private MetricsSnapshot.Latency latency(int k) {
        long[] c = new long[LatencyHistogram.BUCKETS];
        long m = ownLatency[k].addTo(c, 0);
        LatencyHistogram h = sharedLatency.get(k);
        if (h != null) {
            m = h.addTo(c, m);
        }
        return LatencyHistogram.summarize(c, m);
    }
}
