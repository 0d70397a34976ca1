package dev.proactor.internal.core;

import dev.proactor.internal.spi.Errno;
import dev.proactor.CancelResult;
import dev.proactor.OperationInfo;
import dev.proactor.OperationState;
import dev.proactor.ProactorClosedException;
import dev.proactor.ProactorConfig;
import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.BackendFactory;
import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Submission;
import dev.proactor.internal.core.OperationImpl.Place;
import dev.proactor.internal.core.OperationImpl.Report;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The dispatcher: the one thread that owns the backend. All methods except {@link #post},
 * {@link #wakeup()} and the constructor must be called on the dispatcher thread.
 *
 * <p>Each loop turn it drains the inbox (operations and commands posted by other threads), admits
 * queued operations, hands ready ones to the backend until it pushes back, and then lets the backend
 * submit and wait in one kernel call. Completions come back through {@link Completions}; an
 * operation is finished (permits, leases, metrics, hand-off to a worker) only once its last round
 * is released.
 */
final class Dispatcher implements Completions, Runnable {
    private static final System.Logger LOG = System.getLogger("dev.proactor");
    /** Bound while a dispatcher runs: lets await() refuse to block the thread that completes operations. */
    private static final ScopedValue<ProactorConfig> ON_DISPATCHER = ScopedValue.newInstance();

    /** Bounds one inbox drain so completions are reaped at least every 4096 initiations. */
    private static final int INBOX_BATCH = 4096;
    /** How long cancelled operations get to come back from the kernel during close. */
    private static final long CANCEL_GRACE_NANOS = Duration.ofSeconds(1).toNanos();
    /**
     * The longest the dispatcher sleeps while it holds work it has not handed to the backend (an
     * admission backlog, submissions or cancels the backend refused for want of room): room comes
     * with completions, which wake it sooner, but a bound keeps it from depending on them.
     */
    private static final long HELD_TICK_NANOS = Duration.ofMillis(5).toNanos();

    /** How soon a single-shot receive stream that found the buffer pool empty tries again. */
    private static final long POOL_EMPTY_RETRY_NANOS = Duration.ofMillis(1).toNanos();

    private enum Phase { RUNNING, DRAINING, CANCELLING, DONE }

    private final CoreProactor proactor;
    private final ProactorConfig config;
    private final BackendFactory factory;
    private final Metrics metrics;
    private final Inbox inbox = new Inbox();
    private final AtomicBoolean sleeping = new AtomicBoolean();
    /** The dispatcher thread, once running. */
    private volatile Thread owner;
    final CompletableFuture<Void> started = new CompletableFuture<>();
    final CompletableFuture<CloseOutcome> terminated = new CompletableFuture<>();

    // ---- dispatcher-confined ----
    private Backend backend;
    private final OperationTable table = new OperationTable();
    private final ArrayDeque<OperationImpl<?>> ready = new ArrayDeque<>();
    private final ArrayDeque<OperationImpl<?>> backlog = new ArrayDeque<>();
    private final PriorityQueue<OperationImpl<?>> retries =
            new PriorityQueue<>(Comparator.comparingLong(o -> o.againAtNanos));
    private final ArrayDeque<OperationImpl<?>> pendingCancels = new ArrayDeque<>();
    /** Stream operations waiting behind another of the same direction on their socket. */
    private final java.util.Set<OperationImpl<?>> streamWaiting =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** Streams parked between rounds ({@link Place#PARKED}). */
    private final java.util.Set<StreamingOp<?>> parked =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** Parked streams that ran out of provided buffers: re-armed when one is recycled. */
    private final java.util.Set<StreamingOp<?>> starved =
            java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>());
    /** Closes waiting for their file's other operations to end. */
    private final java.util.Set<OperationImpl<?>> closeWaiting = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** Socket closes (also in closeWaiting) letting their writes drain, earliest bound first. */
    private final PriorityQueue<CloseOp> lingering = new PriorityQueue<>(Comparator.comparingLong(c -> c.lingerUntil));
    private int live;
    private Phase phase = Phase.RUNNING;
    private long closeDeadline;
    private long cancelDeadline;
    private int finishedDuringDrain;
    private int cancelledByClose;
    private final List<OperationInfo> abandoned = new ArrayList<>();
    private boolean keepPool;
    private int lastSubmitted;
    /** Cancels the backend took this turn. */
    private int lastCancelled;
    /**
     * No later than the earliest deadline among the ready (or backlog) operations, 0 when none has
     * one: set as they are queued, made exact when a sweep finds it passed. Only operations the
     * backend refused stay queued, so this is what times them out while they wait for room.
     */
    private long readyDeadlineFloor;
    private long backlogDeadlineFloor;

    // ---- read by other threads for metrics ----
    private volatile int readyCount;
    private volatile int backlogCount;
    private volatile long kernelCalls;
    private volatile long backendBytes;
    private volatile long dropped;
    private volatile String backendName = "?";
    private volatile java.util.Map<dev.proactor.OperationKind, String> operationSupport = java.util.Map.of();

    Dispatcher(CoreProactor proactor, ProactorConfig config, BackendFactory factory, Metrics metrics) {
        this.proactor = proactor;
        this.config = config;
        this.factory = factory;
        this.metrics = metrics;
    }

    /** The configuration of the proactor whose dispatcher is the current thread, or null. */
    static ProactorConfig onDispatcher() {
        return ON_DISPATCHER.isBound() ? ON_DISPATCHER.get() : null;
    }

    // ------------------------------------------------------------------ any thread

    void post(Object item) {
        inbox.offer(item);
        wakeup();
    }

    void wakeup() {
        // The dispatcher posting to itself (an inline handler initiating) drains the inbox on its
        // next turn anyway: waking it would be a wasted eventfd write per operation.
        if (Thread.currentThread() == owner) {
            return;
        }
        if (sleeping.get() && sleeping.compareAndSet(true, false)) {
            Backend b = backend;
            if (b != null) {
                b.wakeup();
            }
        }
    }

    int readyCount() {
        return readyCount;
    }

    int backlogCount() {
        return backlogCount;
    }

    long kernelCalls() {
        return kernelCalls;
    }

    long droppedCompletions() {
        return dropped;
    }

    long backendBytes() {
        return backendBytes;
    }

    java.util.Map<dev.proactor.OperationKind, String> operationSupport() {
        return operationSupport;
    }

    String backendName() {
        return backendName;
    }

    // ------------------------------------------------------------------ the loop

    @Override
    public void run() {
        owner = Thread.currentThread();
        ScopedValue.where(ON_DISPATCHER, config).run(this::startAndLoop);
    }

    private void startAndLoop() {
        try {
            backend = factory.create(config);
            backend.start(this);
            backendName = backend.name();
            operationSupport = backend.operationSupport();
            java.lang.foreign.MemorySegment[] slabs = proactor.pool().slabs();
            if (config.registerBuffers() && slabs.length > 0) {
                proactor.pool().registered(backend.registerBuffers(slabs));
            }
        } catch (Throwable t) {
            if (backend != null) {
                backend.close();
            }
            started.completeExceptionally(t);
            return;
        }
        started.complete(null);
        try {
            loop();
        } catch (Throwable t) {
            // Logged once, here: later initiations fail with a ProactorClosedException that carries t.
            LOG.log(Level.ERROR, "dispatcher of " + config.name() + " failed; failing what is pending and refusing"
                    + " new operations until the proactor is closed", t);
            proactor.dispatcherFailed(t);
            emergencyStop(t);
        }
        shutdown();
    }

    private void loop() {
        while (true) {
            long now = System.nanoTime();
            int work = drainInbox();
            admitBacklog(now);
            fireRetries(now);
            expireLingers(now);
            lastCancelled = flushCancels();
            lastSubmitted = submitReady(now);
            readyCount = ready.size();
            backlogCount = backlog.size();
            if (phase != Phase.RUNNING && advanceClose(now)) {
                return;
            }
            long wait = waitNanos(now, work);
            if (wait != 0) {
                sleeping.set(true);
                if (!inbox.isEmpty()) {
                    sleeping.set(false);
                    wait = 0;
                }
            }
            proactor.flushHandOffs();
            backend.runOnce(wait);
            sleeping.set(false);
            proactor.flushHandOffs();
            kernelCalls = backend.kernelCalls();
            backendBytes = backend.nativeBytes();
            dropped = backend.droppedCompletions();
        }
    }

    /**
     * How long the backend may wait for completions: 0 while something was handed over this turn
     * and more waits (the room is there once the backend submitted), never without a bound while
     * the dispatcher holds work, and not past a retry, a queued operation's deadline or the close.
     */
    private long waitNanos(long now, int work) {
        if (!inbox.isEmpty() || (!ready.isEmpty() && lastSubmitted > 0)
                || (!pendingCancels.isEmpty() && lastCancelled > 0)) {
            return 0;
        }
        long wait = -1;
        if (!retries.isEmpty()) {
            wait = Math.max(0, retries.peek().againAtNanos - now);
        }
        if (!backlog.isEmpty() || !ready.isEmpty() || !pendingCancels.isEmpty()) {
            wait = wait < 0 ? HELD_TICK_NANOS : Math.min(wait, HELD_TICK_NANOS);
        }
        if (!ready.isEmpty() && readyDeadlineFloor != 0) {
            wait = Math.min(wait, Math.max(0, readyDeadlineFloor - now));
        }
        if (!backlog.isEmpty() && backlogDeadlineFloor != 0) {
            wait = Math.min(wait, Math.max(0, backlogDeadlineFloor - now));
        }
        if (!lingering.isEmpty()) {
            long d = Math.max(0, lingering.peek().lingerUntil - now);
            wait = wait < 0 ? d : Math.min(wait, d);
        }
        if (phase == Phase.DRAINING) {
            long d = Math.max(0, closeDeadline - now);
            wait = wait < 0 ? d : Math.min(wait, d);
        } else if (phase == Phase.CANCELLING) {
            long d = Math.max(0, cancelDeadline - now);
            wait = wait < 0 ? d : Math.min(wait, d);
        }
        return wait;
    }

    private int drainInbox() {
        int n = 0;
        Object item;
        while (n < INBOX_BATCH && (item = inbox.poll()) != null) {
            n++;
            switch (item) {
                case OperationImpl<?> op -> intake(op);
                case Command.Cancel c -> cancelRequest(c.op(), c.result());
                case Command.List l -> l.result().complete(list());
                case Command.Close c -> beginClose(c.deadlineNanos());
                case Command.Run r -> r.task().run();
                case Command.Stream c -> streamCommand(c);
                case Command.Abort a -> expire(a.close());
                default -> throw new IllegalStateException("unknown inbox item " + item);
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ operation life

    private void intake(OperationImpl<?> op) {
        live++;
        if (op.cancelRequested) {
            // Cancelled before the dispatcher ever saw it.
            op.settleCancelled();
            finish(op);
            return;
        }
        Resource f = op.resource;
        if (f != null) {
            if (op instanceof CloseOp close && f.closing == null && !f.closed) {
                f.closing = close;
                close.ended = new ArrayList<>(f.pending);
                if (close.graceful && phase != Phase.CANCELLING && f.streamOwner[OperationImpl.SEND_DIRECTION] != null) {
                    linger(close);
                } else {
                    endPending(close);
                }
                return;
            }
            if (f.closing != null || f.closed) {
                op.settleWith(OperationState.FAILED,
                        new ProactorClosedException(op.kind, op.resource(), f.closedWord(), 0));
                finish(op);
                return;
            }
            f.pending.add(op);
        }
        if (op instanceof TransferOp t) {
            // The file is a second resource: its close must wait for (and cancel) the transfer.
            Resource file = t.file;
            if (file.closing != null || file.closed) {
                op.settleWith(OperationState.FAILED,
                        new ProactorClosedException(op.kind, op.resource(), file.closedWord(), 0));
                finish(op);
                return;
            }
            file.pending.add(op);
        }
        int d = op.streamDirection();
        if (d >= 0 && phase != Phase.CANCELLING) {
            if (f.streamOwner[d] != null) {
                f.streamWaiting[d].add(op);
                op.moveTo(Place.STREAM_WAIT);
                streamWaiting.add(op);
                return;
            }
            f.streamOwner[d] = op;
        }
        if (phase == Phase.CANCELLING && !(op instanceof CloseOp)) {
            // Closes still run: an orphan descriptor or a file left open must not leak.
            op.cancelReason = "proactor closed";
            op.settleCancelled();
            finish(op);
            return;
        }
        enqueue(op, op.admitted ? Place.READY : Place.BACKLOG);
    }

    /**
     * Ends what is pending on {@code close}'s resource (cancelled), resetting a socket's connection
     * first if the close says so, and queues the close once nothing is pending.
     */
    private void endPending(CloseOp close) {
        Resource f = close.resource;
        close.reset |= close.abortRequested;
        String reason = close.expired != null ? f.closedWord() + " (its close timed out)"
                : close.reset ? f.closedWord() + " (aborted)" : f.closedWord();
        for (OperationImpl<?> other : close.ended) {
            cancel(other, reason);
        }
        if (close.reset) {
            backend.resetConnection(f.fd);
        }
        if (!f.pending.isEmpty()) {
            // Operations that cannot be cancelled (a blocking read on the portable backend)
            // must not keep the close waiting for ever.
            backend.descriptorClosing(f.fd);
        }
        close.shutdownRound = close.graceful && !close.reset && phase != Phase.CANCELLING;
        if (f.pending.isEmpty()) {
            enqueue(close, Place.READY);
        } else {
            close.moveTo(Place.CLOSE_WAIT);
            closeWaiting.add(close);
        }
    }

    /** Every operation waiting in a queue of the dispatcher (not in the kernel). */
    private List<OperationImpl<?>> queued() {
        List<OperationImpl<?>> all = new ArrayList<>(ready.size() + backlog.size() + retries.size() + closeWaiting.size()
                + streamWaiting.size());
        all.addAll(ready);
        all.addAll(backlog);
        all.addAll(retries);
        all.addAll(closeWaiting);
        all.addAll(streamWaiting);
        all.addAll(parked);
        return all;
    }

    private void enqueue(OperationImpl<?> op, Place queue) {
        op.moveTo(queue);
        switch (queue) {
            case READY -> {
                ready.add(op);
                readyDeadlineFloor = floor(readyDeadlineFloor, op.deadline);
            }
            case BACKLOG -> {
                backlog.add(op);
                backlogDeadlineFloor = floor(backlogDeadlineFloor, op.deadline);
            }
            case RETRY -> retries.add(op);
            default -> throw new IllegalArgumentException("not a queue: " + queue);
        }
    }

    private void admitBacklog(long now) {
        while (!backlog.isEmpty()) {
            OperationImpl<?> op = backlog.peek();
            if (op.deadline != 0 && now - op.deadline >= 0) {
                backlog.poll();
                op.moveTo(Place.NOWHERE);
                proactor.admission().dequeued();
                op.settleTimedOut();
                finish(op);
                continue;
            }
            if (!proactor.admission().tryAdmitQueued(op)) {
                // Head-of-line wait: the deadlines of those behind it still count.
                backlogDeadlineFloor = sweepDeadlines(backlog, backlogDeadlineFloor, now, true);
                return;
            }
            backlog.poll().moveTo(Place.NOWHERE);
            enqueue(op, Place.READY);
        }
        backlogDeadlineFloor = 0;
    }

    /** The earlier of a deadline floor and {@code deadline} (0: none, for either). */
    private static long floor(long floor, long deadline) {
        return deadline != 0 && (floor == 0 || deadline - floor < 0) ? deadline : floor;
    }

    private static long earliestDeadline(ArrayDeque<OperationImpl<?>> queue) {
        long f = 0;
        for (OperationImpl<?> op : queue) {
            f = floor(f, op.deadline);
        }
        return f;
    }

    /**
     * Times out the operations of {@code queue} whose deadline passed, if its {@code floor} says one
     * may have, and returns the queue's new floor. They are all taken out before any is finished:
     * finishing one may queue another (the next stream operation of its socket). Those of the
     * admission backlog give their place in it back.
     */
    private long sweepDeadlines(ArrayDeque<OperationImpl<?>> queue, long floor, long now, boolean backlogQueue) {
        if (floor == 0 || now - floor < 0) {
            return floor;
        }
        List<OperationImpl<?>> late = new ArrayList<>();
        var it = queue.iterator();
        while (it.hasNext()) {
            OperationImpl<?> op = it.next();
            if (op.deadline != 0 && now - op.deadline >= 0) {
                it.remove();
                op.moveTo(Place.NOWHERE);
                late.add(op);
            }
        }
        for (OperationImpl<?> op : late) {
            if (backlogQueue) {
                proactor.admission().dequeued();
            }
            op.settleTimedOut();
            finish(op);
        }
        return earliestDeadline(queue);
    }

    private void fireRetries(long now) {
        while (!retries.isEmpty() && now - retries.peek().againAtNanos >= 0) {
            OperationImpl<?> op = retries.poll();
            op.moveTo(Place.NOWHERE);
            enqueue(op, Place.READY);
        }
    }

    private int submitReady(long now) {
        int n = 0;
        while (!ready.isEmpty()) {
            OperationImpl<?> op = ready.peek();
            if (op.deadline != 0 && now - op.deadline >= 0) {
                dequeueReady();
                op.settleTimedOut();
                finish(op);
                continue;
            }
            if (!backend.supports(op.kind)) {
                dequeueReady();
                op.failErrno(Errno.EOPNOTSUPP);
                finish(op);
                continue;
            }
            if (op instanceof StreamingOp<?> st) {
                if (!st.wantsArm()) {
                    dequeueReady();
                    park(st);
                    continue;
                }
                if (!st.beforeRound(backend)) {
                    dequeueReady();
                    if (op.settled()) {
                        // It can never be armed (a single-shot receive and a pool without slabs).
                        finish(op);
                    } else {
                        op.againAtNanos = now + POOL_EMPTY_RETRY_NANOS;
                        enqueue(op, Place.RETRY);
                    }
                    continue;
                }
            }
            long token = table.register(op);
            op.token(token);
            boolean accepted;
            try {
                accepted = backend.submit(op);
            } catch (IllegalArgumentException e) {
                table.free(token);
                dequeueReady();
                LOG.log(Level.DEBUG, "backend refused " + op + ": " + e.getMessage());
                op.failErrno(Errno.EINVAL);
                finish(op);
                continue;
            }
            if (!accepted) {
                table.free(token);
                // Back-pressure: the operations behind this one wait too, but not past their deadlines.
                readyDeadlineFloor = sweepDeadlines(ready, readyDeadlineFloor, now, false);
                return n;
            }
            dequeueReady();
            op.moveTo(Place.IN_KERNEL);
            if (op.attempts++ == 0) {
                op.markSubmitted();
            }
            n++;
        }
        readyDeadlineFloor = 0;
        return n;
    }

    private void dequeueReady() {
        ready.poll().moveTo(Place.NOWHERE);
    }

    /** Offers the cancels the backend refused before; returns how many it took. */
    private int flushCancels() {
        int n = 0;
        while (!pendingCancels.isEmpty()) {
            OperationImpl<?> op = pendingCancels.peek();
            if (!op.inKernel() || op.settled()) {
                pendingCancels.poll();
            } else if (backend.cancel(op)) {
                pendingCancels.poll();
                n++;
            } else {
                break;
            }
        }
        return n;
    }

    private void cancelRequest(OperationImpl<?> op, CompletableFuture<CancelResult> result) {
        op.addCancelWaiter(result, op.finished());
        if (!op.finished()) {
            cancel(op, "cancelled by the caller");
        }
    }

    /** Starts ending {@code op}: at once if the kernel does not hold it, else through the backend. */
    private void cancel(OperationImpl<?> op, String reason) {
        if (op.finished() || op.cancelRequested || op instanceof CloseOp) {
            // A close is never cancelled once initiated (see CloseOp): it still ends with the
            // descriptor closed, and its canceller is answered TOO_LATE when it does.
            return;
        }
        op.cancelRequested = true;
        op.cancelReason = reason;
        if (op.inKernel()) {
            if (!backend.cancel(op)) {
                pendingCancels.add(op);
            }
            return;
        }
        Place queue = op.place;
        if (queue != Place.NOWHERE) {
            op.moveTo(Place.NOWHERE);
            switch (queue) {
                case READY -> ready.remove(op);
                case BACKLOG -> {
                    backlog.remove(op);
                    proactor.admission().dequeued();
                }
                case RETRY -> retries.remove(op);
                case STREAM_WAIT -> {
                    streamWaiting.remove(op);
                    op.resource.streamWaiting[op.streamDirection()].remove(op);
                }
                case PARKED -> {
                    parked.remove(op);
                    starved.remove(op);
                }
                case NOWHERE, IN_KERNEL, FINISHED, CLOSE_WAIT -> throw new IllegalStateException(op + " in " + queue);
            }
            op.settleCancelled();
            finish(op);
        }
        // Otherwise the operation is between rounds inside this turn; the release path sees the request.
    }

    private void finish(OperationImpl<?> op) {
        op.moveTo(Place.FINISHED);
        live--;
        Resource f = op.resource;
        if (f != null) {
            leave(f, op);
        }
        if (op instanceof TransferOp t) {
            leave(t.file, op);
        }
        int d = op.streamDirection();
        if (d >= 0 && f != null) {
            if (f.streamOwner[d] == op) {
                f.streamOwner[d] = null;
                OperationImpl<?> next = f.streamWaiting[d].poll();
                if (next != null) {
                    streamWaiting.remove(next);
                    f.streamOwner[d] = next;
                    next.moveTo(Place.NOWHERE);
                    enqueue(next, next.admitted ? Place.READY : Place.BACKLOG);
                }
            }
            if (f.closing != null && f.closing.lingering && f.closing.place == Place.CLOSE_WAIT
                    && f.streamOwner[OperationImpl.SEND_DIRECTION] == null) {
                stopLingering(f.closing);
                endPending(f.closing);
            }
        }
        proactor.admission().release(op);
        proactor.admission().writeEnded(op);
        if (!op.abandoned) {
            try {
                op.afterKernel();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "clean-up of " + op + " failed", e);
            }
        }
        long latency = System.nanoTime() - op.startNanos;
        metrics.terminal(op.kind, op.outcome, latency);
        if (latency > proactor.slowThresholdNanos() && SlowOperationEvent.PROBE.isEnabled()) {
            emitSlow(op, latency);
        }
        if (phase == Phase.DRAINING) {
            finishedDuringDrain++;
        }
        proactor.handOff(op);
    }

    /** Takes a finished {@code op} out of {@code f}'s pending set; a close waiting for that set to empty goes on. */
    private void leave(Resource f, OperationImpl<?> op) {
        f.pending.remove(op);
        if (f.closing != null && f.closing != op && f.pending.isEmpty() && f.closing.place == Place.CLOSE_WAIT
                && !f.closing.lingering) {
            closeWaiting.remove(f.closing);
            f.closing.moveTo(Place.NOWHERE);
            enqueue(f.closing, Place.READY);
        }
    }

    private void emitSlow(OperationImpl<?> op, long latency) {
        SlowOperationEvent e = new SlowOperationEvent();
        if (e.shouldCommit()) {
            e.proactor = config.name();
            e.operationId = op.id;
            e.kind = op.kind.name();
            e.resource = op.resource();
            e.outcome = op.outcome.name();
            e.latency = latency;
            e.bytes = op.bytesDone;
            e.attempts = op.attempts;
            e.commit();
        }
    }

    // ------------------------------------------------------------------ Completions (from the backend)

    @Override
    public Submission lookup(long token) {
        return table.lookup(token);
    }

    @Override
    public void complete(Submission s, long result, Object attachment) {
        OperationImpl<?> op = (OperationImpl<?>) s;
        if (!counts(op, Report.RESULT)) {
            return;
        }
        try {
            op.onResult(result, attachment);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "interpreting the result of " + op + " failed", e);
            op.failErrno(Errno.EIO);
        }
    }

    @Override
    public void fail(Submission s, int errno) {
        OperationImpl<?> op = (OperationImpl<?>) s;
        if (!counts(op, Report.RESULT)) {
            return;
        }
        if (op instanceof StreamingOp<?> st && st.absorbFailure(errno)) {
            return;
        }
        if (op instanceof CloseOp c && c.absorbFailure(errno)) {
            return;
        }
        if (op.cancelRequested && (errno == Errno.ECANCELED || errno == Errno.EINTR
                || op.resource != null && op.resource.closing != null)) {
            // io-wq interrupts a blocking request it cancels (an open waiting on a FIFO): EINTR.
            // A request ended by its file's close fails however the backend ended it (EBADF).
            op.settleCancelled();
        } else if (!op.cancelRequested && phase == Phase.RUNNING && !(op instanceof StreamingOp<?>)
                && config.retry().shouldRetry(Errno.name(errno), op.failedTries + 1)) {
            op.failedTries++;
            op.againAfter(System.nanoTime() + config.retry().delayAfter(op.failedTries).toNanos());
            metrics.retries[op.kind.ordinal()].increment();
        } else {
            op.failErrno(errno);
        }
    }

    @Override
    public void timedOut(Submission s) {
        OperationImpl<?> op = (OperationImpl<?>) s;
        if (!counts(op, Report.TIMEOUT)) {
            return;
        }
        op.settleTimedOut();
    }

    @Override
    public void cancelled(Submission s) {
        OperationImpl<?> op = (OperationImpl<?>) s;
        if (!counts(op, Report.RESULT)) {
            return;
        }
        if (op instanceof StreamingOp<?> st && st.absorbCancel()) {
            return;
        }
        op.settleCancelled();
    }

    @Override
    public void released(Submission s) {
        OperationImpl<?> op = (OperationImpl<?>) s;
        if (!counts(op, Report.RELEASE)) {
            return;
        }
        op.moveTo(Place.NOWHERE);
        table.free(op.token());
        if (op.verdict == OperationImpl.Verdict.OPEN) {
            LOG.log(Level.ERROR, "backend released " + op + " without an outcome");
            op.failErrno(Errno.EIO);
        }
        if (!op.settled()) {
            // Another round is wanted: partial transfer or retry.
            if (op.cancelRequested) {
                op.settleCancelled();
            } else if (phase == Phase.CANCELLING && !(op instanceof CloseOp)) {
                // A close between its shutdown and close rounds still closes.
                op.cancelReason = "proactor closed";
                op.settleCancelled();
            } else {
                op.verdict = OperationImpl.Verdict.OPEN;
                if (op instanceof StreamingOp<?> st) {
                    if (st.stopping) {
                        // A stop still waiting for SQ room must not hit the next round.
                        pendingCancels.remove(op);
                    }
                    st.stopping = false;
                    if (st.starved && providedBufferFree()) {
                        // Buffers came back before the kernel's ENOBUFS was reaped: nobody else will say so.
                        st.starved = false;
                    }
                    if (!st.wantsArm()) {
                        park(st);
                        return;
                    }
                }
                enqueue(op, op.againAtNanos != 0 ? Place.RETRY : Place.READY);
                return;
            }
        }
        finish(op);
    }

    @Override
    public void next(Submission s, long result, Object attachment) {
        StreamingOp<?> op = (StreamingOp<?>) s;
        if (!op.admits(Report.ITEM)) {
            // Never expected: an item after the stream's end. Whatever it holds goes back.
            LOG.log(Level.WARNING, "item for " + op + " after its end; dropped");
            dropItem(op, result, attachment);
            return;
        }
        try {
            op.onItem(result, attachment);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "interpreting an item of " + op + " failed", e);
            dropItem(op, result, attachment);
        }
        if (op.inKernel() && !op.wantsArm()) {
            stop(op);
        }
    }

    /** The settle gate ({@link OperationImpl#admits}); a report it refuses is counted as a duplicate. */
    private boolean counts(OperationImpl<?> op, Report report) {
        if (op.admits(report)) {
            return true;
        }
        metrics.duplicates.increment();
        return false;
    }

    private void dropItem(StreamingOp<?> op, long result, Object attachment) {
        if (attachment instanceof dev.proactor.internal.spi.Request.Chunk c) {
            backend.recycle(c.bufferId());
        } else if (op instanceof AcceptEachOp) {
            proactor.closeOrphan((int) result, "connection accepted by an ended stream");
        }
    }

    // ------------------------------------------------------------------ streams

    /** Stops a stream's round in the kernel with a cancel its end absorbs (a pause, a lag). */
    private void stop(StreamingOp<?> op) {
        if (op.stopping || op.cancelRequested || !op.inKernel()) {
            return;
        }
        op.stopping = true;
        if (!backend.cancel(op)) {
            pendingCancels.add(op);
        }
    }

    private void park(StreamingOp<?> op) {
        op.moveTo(Place.PARKED);
        parked.add(op);
        if (op.starved) {
            starved.add(op);
        }
        op.parked();
    }

    private void unpark(StreamingOp<?> op) {
        if (op.place != Place.PARKED || !op.wantsArm()) {
            return;
        }
        parked.remove(op);
        starved.remove(op);
        op.moveTo(Place.NOWHERE);
        enqueue(op, Place.READY);
    }

    private boolean providedBufferFree() {
        return backend.providedBuffersLent() < backend.providedBufferCount();
    }

    /** A stream was paused or resumed, or one of its chunks released. */
    private void streamCommand(Command.Stream c) {
        StreamingOp<?> op = c.op();
        if (c.chunkReleased()) {
            ((ReceiveEachOp) op).outstanding--;
            if (c.bufferId() >= 0) {
                backend.recycle(c.bufferId());
                wakeStarved();
            }
        }
        if (op.finished()) {
            return;
        }
        if (op.wantsArm()) {
            unpark(op);
        } else if (op.inKernel()) {
            stop(op);
        }
    }

    /** A provided buffer came back: every stream parked for want of one tries again. */
    private void wakeStarved() {
        if (starved.isEmpty()) {
            return;
        }
        List<StreamingOp<?>> waiting = new ArrayList<>(starved);
        starved.clear();
        for (StreamingOp<?> op : waiting) {
            op.starved = false;
            unpark(op);
        }
    }

    @Override
    public void stray(long userData, int result) {
        metrics.strays.increment();
        LOG.log(Level.DEBUG, () -> "stray completion user_data=" + Long.toHexString(userData) + " res=" + result);
    }

    @Override
    public void overflowed(long n) {
        metrics.overflows.add(n);
    }

    // ------------------------------------------------------------------ a socket's graceful close

    /** {@code close} waits for its socket's writes; at once expired if its bound is already past. */
    private void linger(CloseOp close) {
        close.lingering = true;
        close.moveTo(Place.CLOSE_WAIT);
        closeWaiting.add(close);
        lingering.add(close);
        if (close.abortRequested || close.lingerUntil - System.nanoTime() <= 0) {
            expire(close);
        }
    }

    private void stopLingering(CloseOp close) {
        close.lingering = false;
        lingering.remove(close);
        closeWaiting.remove(close);
        close.moveTo(Place.NOWHERE);
    }

    private void expireLingers(long now) {
        while (!lingering.isEmpty() && now - lingering.peek().lingerUntil >= 0) {
            expire(lingering.peek());
        }
    }

    /** The writes did not drain in time, or the close was aborted: cancel them and reset. */
    private void expire(CloseOp close) {
        if (!close.lingering || close.finished() || close.place != Place.CLOSE_WAIT) {
            // Its writes drained first, or it ended: nothing left to expire.
            lingering.remove(close);
            return;
        }
        stopLingering(close);
        close.reset = true;
        if (!close.abortRequested) {
            int writes = 0;
            long unsent = 0;
            for (OperationImpl<?> op : close.resource.pending) {
                if (op.streamDirection() == OperationImpl.SEND_DIRECTION && op.writeBytes > 0) {
                    writes++;
                    unsent += Math.max(0, op.writeBytes - op.bytesDone);
                }
            }
            close.expired = "the writes initiated before it did not drain: " + writes + " write(s) with up to "
                    + unsent + " bytes unsent cancelled, connection reset";
        }
        endPending(close);
    }

    // ------------------------------------------------------------------ close

    private void beginClose(long deadlineNanos) {
        if (phase == Phase.RUNNING) {
            phase = Phase.DRAINING;
            closeDeadline = deadlineNanos;
        }
    }

    /** Moves the close along; returns true when the loop may stop. */
    private boolean advanceClose(long now) {
        if (phase == Phase.DRAINING && (live == 0 || now - closeDeadline >= 0)) {
            phase = Phase.CANCELLING;
            cancelDeadline = now + CANCEL_GRACE_NANOS;
            cancelEverything();
            proactor.closeOpenResources();
            // Fall through: with nothing live and nothing posted, the close is done now, not after
            // the grace period.
        }
        if (phase == Phase.CANCELLING) {
            if (live == 0 && inbox.isEmpty()) {
                phase = Phase.DONE;
                return true;
            }
            if (now - cancelDeadline >= 0) {
                abandonAll();
                phase = Phase.DONE;
                return true;
            }
        }
        return false;
    }

    private void cancelEverything() {
        List<OperationImpl<?>> all = queued();
        table.forEach(all::add);
        for (OperationImpl<?> op : all) {
            // A close is never cancelled: cancelling it could leave the descriptor open.
            if (!op.finished() && !op.cancelRequested && !(op instanceof CloseOp)) {
                cancelledByClose++;
                cancel(op, "proactor closed");
            }
        }
    }

    private void abandonAll() {
        List<OperationImpl<?>> stuck = new ArrayList<>();
        table.forEach(stuck::add);
        for (OperationImpl<?> op : stuck) {
            op.abandoned = true;
            keepPool = true;
            abandoned.add(info(op, System.nanoTime()));
            op.moveTo(Place.NOWHERE);
            op.settleWith(OperationState.FAILED, new ProactorClosedException(op.kind, op.resource(),
                    "proactor closed while the kernel still held the operation", op.bytesDone));
            finish(op);
        }
        List<OperationImpl<?>> rest = queued();
        ready.clear();
        backlog.clear();
        retries.clear();
        closeWaiting.clear();
        lingering.clear();
        parked.clear();
        starved.clear();
        for (OperationImpl<?> op : streamWaiting) {
            op.resource.streamWaiting[0].clear();
            op.resource.streamWaiting[1].clear();
        }
        streamWaiting.clear();
        for (OperationImpl<?> op : rest) {
            if (op.place == Place.BACKLOG) {
                proactor.admission().dequeued();
            }
            op.moveTo(Place.NOWHERE);
            op.settleWith(OperationState.FAILED,
                    new ProactorClosedException(op.kind, op.resource(), "proactor closed", op.bytesDone));
            finish(op);
        }
    }

    private void shutdown() {
        // Initiators that passed the closing check before close began may still be posting.
        while (proactor.initiating() != 0) {
            Thread.onSpinWait();
        }
        Object item;
        while ((item = inbox.poll()) != null) {
            switch (item) {
                case OperationImpl<?> op -> {
                    live++;
                    op.settleWith(OperationState.FAILED,
                            new ProactorClosedException(op.kind, op.resource(), "proactor closed", 0));
                    finish(op);
                }
                case Command.Cancel c -> c.op().addCancelWaiter(c.result(), true);
                case Command.List l -> l.result().complete(List.of());
                case Command.Run r -> proactor.runOnOwnThread(r.task());
                default -> { }
            }
        }
        long quarantined = 0;
        try {
            backend.close();
            quarantined = backend.nativeBytes();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "closing the backend failed", e);
        }
        backendBytes = quarantined;
        proactor.flushHandOffs();
        terminated.complete(new CloseOutcome(finishedDuringDrain, cancelledByClose, List.copyOf(abandoned), keepPool,
                quarantined));
    }

    private void emergencyStop(Throwable cause) {
        phase = Phase.CANCELLING;
        abandonAll();
    }

    // ------------------------------------------------------------------ listing

    private List<OperationInfo> list() {
        long now = System.nanoTime();
        List<OperationInfo> out = new ArrayList<>();
        table.forEach(op -> out.add(info(op, now)));
        for (OperationImpl<?> op : queued()) {
            out.add(info(op, now));
        }
        out.sort(Comparator.comparingLong(OperationInfo::id));
        return out;
    }

    private static OperationInfo info(OperationImpl<?> op, long now) {
        OperationState s = op.inKernel() ? OperationState.SUBMITTED : op.state();
        return new OperationInfo(op.id, op.kind, op.resource(), s, Duration.ofNanos(now - op.startNanos), op.attempts);
    }

    /** What the dispatcher reports when it stops. */
    record CloseOutcome(int finishedDuringDrain, int cancelled, List<OperationInfo> abandoned, boolean keepPool,
            long quarantinedBytes) {}

    /** Requests from other threads, carried through the inbox. */
    sealed interface Command {
        /** Cancel an operation; complete {@code result} when it has ended. */
        record Cancel(OperationImpl<?> op, CompletableFuture<CancelResult> result) implements Command {}

        /** List the live operations. */
        record List(CompletableFuture<java.util.List<OperationInfo>> result) implements Command {}

        /** Begin closing: drain until {@code deadlineNanos}, then cancel. */
        record Close(long deadlineNanos) implements Command {}

        /** Run a late handler on the dispatcher (inline handlers: there are no workers). */
        record Run(Runnable task) implements Command {}

        /**
         * A stream was paused or resumed ({@code chunkReleased} false), or one of its chunks was
         * released: a provided buffer to recycle when {@code bufferId} is at least 0.
         */
        record Stream(StreamingOp<?> op, boolean chunkReleased, int bufferId) implements Command {}

        /** {@code abort()} after {@code close()}: the close stops waiting for its writes. */
        record Abort(CloseOp close) implements Command {}
    }
}
