package dev.proactor.internal.core;

import dev.proactor.internal.spi.Errno;
import dev.proactor.CancelResult;
import dev.proactor.OperationInfo;
import dev.proactor.OperationState;
import dev.proactor.ProactorClosedException;
import dev.proactor.ProactorConfig;
import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.BackendFactory;
import dev.proactor.internal.core.OperationImpl.Place;
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
 * submit and wait in one kernel call; with the spin on ({@link #spinNanos}), a turn that would wait
 * submits without waiting first and polls for work a while ({@link #spinForWork}), and only then
 * waits. This class is that loop and the queues it serves (READY,
 * BACKLOG, RETRY, and the cancels waiting for room); the rest has a home of its own, all confined
 * to this thread: the backend's reports are settled by {@link Settlement}, the order on each file
 * and socket (pending sets, lane order, a close's wait and linger) is kept by
 * {@link ResourceOrder}, streams between rounds wait in {@link StreamParking}, and the proactor's
 * close runs as a {@link Termination}. An operation is finished (permits, leases, metrics,
 * hand-off to a worker) only once its last round is released.
 */
final class Dispatcher implements Runnable {
    private static final System.Logger LOG = System.getLogger("dev.proactor");
    /** Bound while a dispatcher runs: lets await() refuse to block the thread that completes operations. */
    private static final ScopedValue<ProactorConfig> ON_DISPATCHER = ScopedValue.newInstance();

    /** Bounds one inbox drain so completions are reaped at least every 4096 initiations. */
    private static final int INBOX_BATCH = 4096;
    /**
     * The longest the dispatcher sleeps while it holds work it has not handed to the backend (an
     * admission backlog, submissions or cancels the backend refused for want of room): room comes
     * with completions, which wake it sooner, but a bound keeps it from depending on them.
     */
    private static final long HELD_TICK_NANOS = Duration.ofMillis(5).toNanos();

    /** Whether the process may spin at all: never on one CPU, where it would starve the posters. */
    private static final boolean MULTI_CPU = Runtime.getRuntime().availableProcessors() > 1;

    /** How soon a single-shot receive stream that found the buffer pool empty tries again. */
    private static final long POOL_EMPTY_RETRY_NANOS = Duration.ofMillis(1).toNanos();

    private final CoreProactor proactor;
    private final ProactorConfig config;
    private final BackendFactory factory;
    private final Metrics metrics;
    private final Inbox inbox = new Inbox();
    /**
     * What the dispatcher posts to itself (an inline handler initiating, a reusable operation's
     * restart at the end of its inline delivery) while the inbox is empty: a post without the
     * inbox's atomic swap. A post goes here only while the inbox is empty, so every item here was
     * posted before every item in the inbox, and the drain takes these first: one order of posts,
     * as with the inbox alone (a socket's operations keep their initiation order). Dispatcher-confined.
     */
    private final ArrayDeque<Object> ownPosts = new ArrayDeque<>();
    /**
     * True while the dispatcher is about to wait, or waits, in the backend: a poster that finds it
     * true (and wins the swap to false) wakes the backend; one that finds it false does not, the
     * dispatcher being awake (running a turn, or spinning in {@link #spinForWork}) and bound to
     * look at the inbox before it next waits. The lost-wake-up argument, both sides publishing
     * before they check, every access sequentially consistent (volatile, the inbox's tail swap):
     * <ul>
     * <li>poster: {@code inbox.offer} (publish), then read {@code sleeping} (check);
     * <li>dispatcher: {@code sleeping = true} (publish), then {@code inbox.isEmpty()} (check),
     *     and only if empty wait.
     * </ul>
     * In the one total order of these accesses, either the poster's read comes after the
     * dispatcher's write (it sees true and wakes the backend), or the dispatcher's check comes after
     * the poster's offer (it sees the item and does not wait). A post during the spin finds
     * {@code sleeping} false and skips the wake-up; the spin checks the inbox on every poll and, when
     * it runs out, the dispatcher goes through the protocol above before it waits, so the post is
     * seen by one or the other.
     */
    private final AtomicBoolean sleeping = new AtomicBoolean();
    /**
     * How long {@link #spinForWork} polls before the dispatcher sleeps; 0 (no spin) on one CPU or
     * when {@link ProactorConfig#dispatcherSpin()} is zero, or when the backend cannot see its
     * completions without waiting ({@link Backend#seesCompletions()}). Set once the backend is up.
     */
    private long spinNanos;
    /**
     * Set when a spin ended because the backend reported completions; cleared by the next turn's
     * non-blocking run. If that run delivered nothing (the report was stale), the turn sleeps
     * without spinning, so a report that stays true cannot keep the dispatcher from waiting.
     */
    private boolean spinAlarm;
    /** The dispatcher thread, once running. */
    private volatile Thread owner;
    final CompletableFuture<Void> started = new CompletableFuture<>();
    final CompletableFuture<Termination.Outcome> terminated = new CompletableFuture<>();

    // ---- dispatcher-confined ----
    private Backend backend;
    private final OperationTable table = new OperationTable();
    private final ArrayDeque<OperationImpl<?>> ready = new ArrayDeque<>();
    private final ArrayDeque<OperationImpl<?>> backlog = new ArrayDeque<>();
    private final PriorityQueue<OperationImpl<?>> retries =
            new PriorityQueue<>(Comparator.comparingLong(o -> o.againAtNanos));
    private final ArrayDeque<OperationImpl<?>> pendingCancels = new ArrayDeque<>();
    private final StreamParking streams = new StreamParking(this);
    private final ResourceOrder order = new ResourceOrder(this);
    private final Termination termination = new Termination(this);
    /** Operations taken in and not yet finished. */
    private int live;
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
        post(item, null);
    }

    /** {@link #post} of {@code node}'s command through the node itself; see {@link Inbox#offerNode}. */
    void post(Inbox.Cmd node) {
        post(node.command, node);
    }

    private void post(Object item, Inbox.Cmd node) {
        if (Thread.currentThread() == owner) {
            // The dispatcher drains what it posts on its next turn anyway: no wake-up.
            if (inbox.isEmpty()) {
                ownPosts.add(item);
            } else {
                offer(item, node);
            }
            return;
        }
        offer(item, node);
        wakeup();
    }

    private void offer(Object item, Inbox.Cmd node) {
        if (node != null) {
            inbox.offerNode(node);
        } else {
            inbox.offer(item);
        }
    }

    /** The next post to take in: the dispatcher's own first (see {@link #ownPosts}), then the inbox's. */
    private Object nextPost() {
        Object item = ownPosts.poll();
        return item != null ? item : inbox.poll();
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
            backend.start(new Settlement(this, config, metrics));
            backendName = backend.name();
            spinNanos = MULTI_CPU && backend.seesCompletions() ? config.dispatcherSpin().toNanos() : 0;
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
            termination.emergencyStop();
        }
        shutdown();
    }

    private void loop() {
        while (true) {
            long now = System.nanoTime();
            int work = drainInbox();
            admitBacklog(now);
            fireRetries(now);
            order.expireLingers(now);
            lastCancelled = flushCancels();
            lastSubmitted = submitReady(now);
            readyCount = ready.size();
            backlogCount = backlog.size();
            if (!termination.running() && termination.advance(now)) {
                return;
            }
            long wait = waitNanos(now, work);
            if (wait != 0 && spinNanos > 0) {
                // Hand this turn's batch to the backend and reap what is there, without waiting;
                // then poll for work a while before sleeping (see sleeping for why no post is lost).
                proactor.handlers().flushHandOffs();
                int reaped = backend.runOnce(0);
                afterRun();
                boolean alarm = spinAlarm;
                spinAlarm = false;
                if (reaped > 0 || !ownPosts.isEmpty() || !inbox.isEmpty()) {
                    continue;
                }
                if (!alarm) {
                    long start = System.nanoTime();
                    long bound = wait < 0 ? spinNanos : Math.min(spinNanos, wait);
                    int found = spinForWork(start, bound);
                    if (found != SPIN_RAN_OUT) {
                        spinAlarm = found == SPIN_COMPLETIONS;
                        continue;
                    }
                    if (wait > 0) {
                        wait -= System.nanoTime() - start;
                        if (wait <= 0) {
                            continue;
                        }
                    }
                }
            }
            if (wait != 0) {
                sleeping.set(true);
                if (!inbox.isEmpty()) {
                    sleeping.set(false);
                    wait = 0;
                }
            }
            proactor.handlers().flushHandOffs();
            backend.runOnce(wait);
            sleeping.set(false);
            afterRun();
        }
    }

    private static final int SPIN_RAN_OUT = 0;
    private static final int SPIN_POSTS = 1;
    private static final int SPIN_COMPLETIONS = 2;

    /**
     * Polls the inbox and the backend's completions ({@link Backend#completionsPending()}, no wait)
     * until one has something or {@code boundNanos} from {@code start} passed. The dispatcher stays
     * awake throughout ({@link #sleeping} is false), so posters skip the backend's wake-up.
     *
     * @return {@link #SPIN_POSTS}, {@link #SPIN_COMPLETIONS} or {@link #SPIN_RAN_OUT}
     */
    private int spinForWork(long start, long boundNanos) {
        while (true) {
            if (!inbox.isEmpty()) {
                return SPIN_POSTS;
            }
            if (backend.completionsPending()) {
                return SPIN_COMPLETIONS;
            }
            if (System.nanoTime() - start >= boundNanos) {
                return SPIN_RAN_OUT;
            }
            Thread.onSpinWait();
        }
    }

    /** After each run of the backend: hand completions to workers, publish the backend's counters. */
    private void afterRun() {
        proactor.handlers().flushHandOffs();
        kernelCalls = backend.kernelCalls();
        backendBytes = backend.nativeBytes();
        dropped = backend.droppedCompletions();
    }

    /**
     * How long the backend may wait for completions: 0 while something was handed over this turn
     * and more waits (the room is there once the backend submitted), never without a bound while
     * the dispatcher holds work, and not past a retry, a queued operation's deadline or the close.
     */
    private long waitNanos(long now, int work) {
        if (!ownPosts.isEmpty() || !inbox.isEmpty() || (!ready.isEmpty() && lastSubmitted > 0)
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
        long lingerBound = order.nextLingerBound();
        if (lingerBound != 0) {
            long d = Math.max(0, lingerBound - now);
            wait = wait < 0 ? d : Math.min(wait, d);
        }
        return termination.bound(now, wait);
    }

    private int drainInbox() {
        int n = 0;
        Object item;
        while (n < INBOX_BATCH && (item = nextPost()) != null) {
            n++;
            switch (item) {
                case OperationImpl<?> op -> intake(op);
                case Command.Cancel c -> cancelRequest(c.op(), c.result());
                case Command.List l -> l.result().complete(list());
                case Command.Terminate c -> termination.begin(c.deadlineNanos());
                case Command.Run r -> r.task().run();
                case Command.Stream c -> streams.changed(c);
                case Command.Abort a -> order.expire(a.close());
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
        if (!order.enter(op)) {
            return;
        }
        if (termination.cancelling() && !(op instanceof CloseOp)) {
            // Closes still run: an orphan descriptor or a file left open must not leak.
            op.cancelReason = "proactor closed";
            op.settleCancelled();
            finish(op);
            return;
        }
        enqueue(op, op.admitted ? Place.READY : Place.BACKLOG);
    }

    /** Every operation waiting in a queue of the dispatcher (not in the kernel). */
    List<OperationImpl<?>> queued() {
        List<OperationImpl<?>> all = new ArrayList<>(ready.size() + backlog.size() + retries.size());
        all.addAll(ready);
        all.addAll(backlog);
        all.addAll(retries);
        order.addWaiting(all);
        all.addAll(streams.all());
        return all;
    }

    void enqueue(OperationImpl<?> op, Place queue) {
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
                    streams.park(st);
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
        // Not NOT_FOUND even when finished: the caller saw it running (CoreProactor.requestCancel).
        op.addCancelWaiter(result, false);
        if (!op.finished()) {
            cancel(op, "cancelled by the caller");
        }
    }

    /** Starts ending {@code op}: at once if the kernel does not hold it, else through the backend. */
    void cancel(OperationImpl<?> op, String reason) {
        if (op.finished() || op.cancelRequested || op instanceof CloseOp) {
            // A close is never cancelled once initiated (see CloseOp): it still ends with the
            // descriptor closed, and its canceller is answered TOO_LATE when it does.
            return;
        }
        op.cancelRequested = true;
        op.cancelReason = reason;
        if (op.inKernel()) {
            askCancel(op);
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
                case LANE_WAIT -> order.removeLaneWaiting(op);
                case PARKED -> streams.remove((StreamingOp<?>) op);
                case NOWHERE, IN_KERNEL, FINISHED, CLOSE_WAIT -> throw new IllegalStateException(op + " in " + queue);
            }
            op.settleCancelled();
            finish(op);
        }
        // Otherwise the operation is between rounds inside this turn; the release path sees the request.
    }

    /** Asks the backend to cancel {@code op}'s round in the kernel, now or, lacking room, later. */
    void askCancel(OperationImpl<?> op) {
        if (!backend.cancel(op)) {
            pendingCancels.add(op);
        }
    }

    Backend backend() {
        return backend;
    }

    OperationTable table() {
        return table;
    }

    CoreProactor proactor() {
        return proactor;
    }

    StreamParking streams() {
        return streams;
    }

    /** Whether the calling thread is the dispatcher's (while it runs). */
    boolean isOwnThread() {
        return Thread.currentThread() == owner;
    }

    /** Whether the proactor runs normally (not closing): a transient failure may be retried. */
    boolean running() {
        return termination.running();
    }

    /** Whether the close is cancelling what is left: no operation but a close gets another round. */
    boolean cancelling() {
        return termination.cancelling();
    }

    /** Drops a cancel still waiting for room (its round ended first). */
    void forgetCancel(OperationImpl<?> op) {
        pendingCancels.remove(op);
    }

    void finish(OperationImpl<?> op) {
        op.moveTo(Place.FINISHED);
        live--;
        if (op.cancelRequested) {
            // A cancel still waiting for room would otherwise outlive the operation, and hit a
            // reusable operation's next run.
            pendingCancels.remove(op);
        }
        order.left(op);
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
        termination.finished();
        proactor.handOff(op);
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

    // ------------------------------------------------------------------ the close

    int live() {
        return live;
    }

    /** Whether a close was asked for, though its command may not have reached this loop yet. */
    boolean closeAsked() {
        return proactor.closeAsked();
    }

    boolean inboxEmpty() {
        return ownPosts.isEmpty() && inbox.isEmpty();
    }

    /** Takes every queued operation out of its queue (the close gives up on them) and returns them. */
    List<OperationImpl<?>> takeQueued() {
        List<OperationImpl<?>> all = queued();
        ready.clear();
        backlog.clear();
        retries.clear();
        order.clear();
        streams.clear();
        return all;
    }

    private void shutdown() {
        // Initiators that passed the closing check before close began may still be posting.
        while (proactor.initiating() != 0) {
            Thread.onSpinWait();
        }
        Object item;
        while ((item = nextPost()) != null) {
            switch (item) {
                case OperationImpl<?> op -> {
                    live++;
                    op.settleWith(OperationState.FAILED,
                            new ProactorClosedException(op.kind, op.resource(), "proactor closed", 0));
                    finish(op);
                }
                case Command.Cancel c -> c.op().addCancelWaiter(c.result(), false);
                case Command.List l -> l.result().complete(List.of());
                case Command.Run r -> proactor.handlers().runOnOwnThread(r.task());
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
        proactor.handlers().flushHandOffs();
        terminated.complete(termination.outcome(quarantined));
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

    static OperationInfo info(OperationImpl<?> op, long now) {
        OperationState s = op.inKernel() ? OperationState.SUBMITTED : op.state();
        return new OperationInfo(op.id, op.kind, op.resource(), s, Duration.ofNanos(now - op.startNanos), op.attempts);
    }

    /** Requests from other threads, carried through the inbox. */
    sealed interface Command {
        /** Cancel an operation; complete {@code result} when it has ended. */
        record Cancel(OperationImpl<?> op, CompletableFuture<CancelResult> result) implements Command {}

        /** List the live operations. */
        record List(CompletableFuture<java.util.List<OperationInfo>> result) implements Command {}

        /** Begin the proactor's termination: drain until {@code deadlineNanos}, then cancel. */
        record Terminate(long deadlineNanos) implements Command {}

        /** Run a late handler on the dispatcher (inline handlers: there are no workers). */
        record Run(Runnable task) implements Command {}

        /** A stream was paused or resumed (released chunks come back through {@link ReleasedChunks}). */
        record Stream(StreamingOp<?> op) implements Command {}

        /** {@code abort()} after {@code close()}: the close stops waiting for its writes. */
        record Abort(CloseOp close) implements Command {}
    }
}
