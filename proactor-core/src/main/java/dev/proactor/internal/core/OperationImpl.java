package dev.proactor.internal.core;

import dev.proactor.internal.spi.Errno;
import dev.proactor.CancelResult;
import dev.proactor.ResultHandler;
import dev.proactor.Operation;
import dev.proactor.OperationCancelledException;
import dev.proactor.OperationFailedException;
import dev.proactor.OperationKind;
import dev.proactor.OperationState;
import dev.proactor.OperationTimeoutException;
import dev.proactor.ProactorException;
import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Submission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The one place where an operation's outcome is settled and delivered. The life-cycle fields are
 * confined to the dispatcher thread; the public state, the handlers and the future are published to
 * other threads by {@link #run()}, which runs on a worker after the dispatcher has finished with the
 * operation (the executor hand-off orders the dispatcher's writes before the worker's reads).
 *
 * <p>Settling: where the operation is ({@link Place}) and what its round decided ({@link Verdict})
 * are one state each; {@link #admits} is the one gate that says which backend report still counts
 * (the first result wins, later ones are counted as duplicates by the dispatcher). Rounds: an operation may go to the kernel several times
 * (partial transfers, retries); each round ends with the backend's release, and only then is the
 * next round submitted, so that no two rounds ever hold the same memory.
 *
 * @param <T> the result type
 */
abstract class OperationImpl<T> extends Submission implements Operation<T>, Runnable {

    final CoreProactor proactor;
    final OperationKind kind;
    /** The file or socket the operation works on, or null. */
    final Resource resource;
    final Duration timeout;
    // Per run: final but for a reusable operation, whose rerun() sets them before the inbox post.
    long id;
    long startNanos;
    /** Absolute deadline on the nanoTime clock, 0 for none. */
    long deadline;

    /** The inbox link, accessed only through {@link Inbox}'s VarHandle. */
    Object inboxNext;

    // ---- dispatcher-confined: the links of its resource's PendingSet ----
    OperationImpl<?> pendingPrev;
    OperationImpl<?> pendingNext;

    // ---- dispatcher-confined life-cycle ----
    /** Submissions so far, every round and retry included (reported, never a limit). */
    int attempts;
    /**
     * Transient failures in a row since the last round that made progress: what the RetryPolicy
     * limits. A long transfer that moves forward in many short rounds may meet many EAGAINs in all
     * and still never exhaust its retries, as long as each stall is shorter than the policy allows.
     */
    int failedTries;
    /** Where the dispatcher holds it; changed only through {@link #moveTo}. */
    Place place = Place.NOWHERE;
    /** What the current round has decided; see {@link #admits}. */
    Verdict verdict = Verdict.OPEN;
    /** When a wanted round may be submitted (the retry delay's end), 0 for at once. */
    long againAtNanos;
    // The flags below are not positions in the life-cycle: each records a fact that holds across
    // several places (a request, a resource held), so they stay apart from place and verdict.
    /** Cancellation was asked for; the backend's next report, or the dispatcher, ends it cancelled. */
    boolean cancelRequested;
    String cancelReason;
    /** Holds admission permits that the dispatcher's finish gives back. */
    boolean admitted;
    /**
     * The kernel never released it before close gave up: its memory must be kept, never freed or
     * reused, because the kernel may still write to it.
     */
    boolean abandoned;
    /** Bytes transferred in completed rounds. */
    long bytesDone;
    /** A write's size, counted against its socket's write budget from initiation to its end; 0 if none. */
    long writeBytes;
    /** {@link #writeBytes} is counted in the socket's pending writes now. */
    boolean writeReserved;

    // ---- the outcome, written by the dispatcher before the hand-off to a worker ----
    OperationState outcome;
    T value;
    ProactorException failure;

    /**
     * The public state. Read as a volatile; written with release stores ({@link #STATE}) only: each
     * write comes before a hand-off (the inbox post, the executor's queue, the delivery's monitor)
     * that publishes it anyway, and a reader on another thread needs to see each value whole and
     * what was written before it, never a store-load fence per write (one a run on x86, per store).
     */
    private volatile OperationState state = OperationState.QUEUED;

    // ---- delivery, guarded by this ----
    /** Cancellation requests waiting for delivery; {@code afterEnd} ones answer NOT_FOUND. */
    private List<CancelWaiter> cancelWaiters;
    private Object handlers;
    /** Created on first need: by {@link #stage()} or by a second concurrent {@link #await}. */
    private OutcomeStage<T> future;

    /** Delivery on a worker ({@link #run()}): the outcome is published, then handled. */
    private enum Delivery {
        /** Not yet: handlers and cancel answers registered now wait for it. */
        PENDING,
        /** The outcome is public and the handlers are taken: one registered now runs at once. */
        PUBLISHED,
        /** The handlers have run and the future is complete: what {@link #await} waits for. */
        HANDLED
    }
    /** How far delivery went; written under {@code this}, read without it for {@link #await}'s fast path. */
    private volatile Delivery delivery = Delivery.PENDING;

    // Release stores for state and delivery. delivery is written only under this, so its ordering
    // with waiter and handlers is the monitor's, and its volatile read is await's fast path; the
    // end of a delivery (HANDLED) stays a volatile store, for the parked waiter's read.
    private static final java.lang.invoke.VarHandle STATE;
    private static final java.lang.invoke.VarHandle DELIVERY;

    static {
        try {
            var lookup = java.lang.invoke.MethodHandles.lookup();
            STATE = lookup.findVarHandle(OperationImpl.class, "state", OperationState.class);
            DELIVERY = lookup.findVarHandle(OperationImpl.class, "delivery", Delivery.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** The one thread parked in {@link #await}, when no future was needed; unparked by {@link #run()}. */
    private Thread waiter;
    /**
     * What a reusable operation keeps across runs ({@link #reuse()}); guarded by the operation, but
     * for the deliverer's own restart ({@link #rerun}).
     */
    static final class Reuse {
        /** Run in every run, before the handlers of {@link #handlers}. */
        final ResultHandler<?> handler;
        /** The thread in {@link #run()} while it delivers, else null. */
        Thread deliverer;
        /** The handler asked for the next run ({@link #rerun}): it begins as {@link #run()} ends. */
        boolean rerunAsked;

        Reuse(ResultHandler<?> handler) {
            this.handler = handler;
        }
    }

    OperationImpl(CoreProactor proactor, OperationKind kind, Resource resource, Duration timeout) {
        this.proactor = proactor;
        this.id = proactor.nextId();
        this.kind = kind;
        this.resource = resource;
        this.timeout = timeout;
        this.startNanos = System.nanoTime();
        this.deadline = deadlineFrom(startNanos);
    }

    private long deadlineFrom(long start) {
        return timeout == null ? 0 : start + Math.max(1, timeout.toNanos());
    }

    /**
     * A reusable operation's state across runs, else null. Held by the reusable subclass, not here,
     * so that every other operation is a field smaller (the pending set's links took that room).
     */
    Reuse reuse() {
        return null;
    }

    /** {@link #lane()} of a socket receive. */
    static final int RECEIVE_LANE = 0;
    /** {@link #lane()} of a socket send (a write or a file transfer). */
    static final int SEND_LANE = 1;

    /**
     * Which of its socket's two lanes the operation takes its turn in ({@link #RECEIVE_LANE} or
     * {@link #SEND_LANE}), or -1 when it takes no part in that order. A lane serves one operation
     * at a time, in initiation order, so that bytes go out and are read in the order asked for.
     * ("Stream" means one thing in the core: an operation that delivers many results,
     * {@code StreamingOp}, the API's {@code OperationStream}.)
     */
    int lane() {
        return -1;
    }

    /**
     * The bytes a read or write asks to move, or -1 for an operation that is not one. A transfer of
     * zero bytes never reaches the backend: it completes with 0 at initiation, as a channel's read
     * or write with nothing remaining does. (The kernel would not always answer it at once: a recv
     * of zero bytes on io_uring, and any poll-first fallback, waits for the descriptor to become
     * ready, which an idle peer may never make it.)
     */
    long transferLength() {
        return -1;
    }

    /** Interprets a non-negative kernel result: calls {@link #succeed}, {@link #fail} or {@link #again()}. */
    abstract void onResult(long result, Object attachment);

    /** Worker-side preparation before handlers run (copy bounce buffers back, move buffer positions). */
    void beforeDelivery() {}

    /** Dispatcher-side clean-up once the kernel is done with every round (return leases, free memory). */
    void afterKernel() {}

    /** The resource's description for errors and listings. */
    String resource() {
        return resource == null ? "" : resource.describe();
    }

    // ---------------------------------------------------------------- settling (dispatcher thread)

    @Override
    public final long deadlineNanos() {
        return deadline;
    }

    @Override
    public final boolean cancelRequested() {
        return cancelRequested;
    }

    /**
     * Where an operation is on the dispatcher. Every place but {@link #NOWHERE} is entered from
     * {@code NOWHERE} alone, so an operation is never in two places at once (two queues, or a queue
     * and the kernel); {@link #FINISHED} is left never.
     */
    enum Place {
        /** Not placed: not yet taken in by the dispatcher, or taken out of one place for the next. */
        NOWHERE,
        /** Admitted, waiting for the backend to accept it. */
        READY,
        /** Waiting for an admission permit. */
        BACKLOG,
        /** Waiting for its retry delay ({@link #againAtNanos}) to pass. */
        RETRY,
        /** A close waiting for its resource's other operations to end, or for its writes to drain. */
        CLOSE_WAIT,
        /** Waiting behind another operation of the same direction on its socket. */
        LANE_WAIT,
        /** A stream between rounds that does not want the next one yet (paused, lagging, starved). */
        PARKED,
        /** Accepted by the backend: the kernel may use its memory until the round is released. */
        IN_KERNEL,
        /** Ended: its permits, leases and memory are given back and its outcome is handed off. */
        FINISHED
    }

    /** What the reports of the current round have decided. */
    enum Verdict {
        /** Nothing yet: the round waits for its result. */
        OPEN,
        /** Another round is wanted once this one is released (the rest of a transfer, a retry). */
        AGAIN,
        /** The outcome is decided; no later report changes it. */
        SETTLED
    }

    /** The kinds of report a backend makes about a submission (see {@link Completions}). */
    enum Report {
        /** complete, fail or cancelled: the end of a round. */
        RESULT,
        /** The operation's deadline passed. */
        TIMEOUT,
        /** One item of a stream; the round goes on. */
        ITEM,
        /** The kernel is done with the round's memory. */
        RELEASE
    }

    /**
     * The settle gate: whether a report counts, or is a duplicate to be counted and ignored. The
     * rule, in one place:
     * <ul>
     *   <li>a round's first result wins; a result counts only while the round is {@link Verdict#OPEN};
     *   <li>a timeout counts until the outcome is settled: the deadline overrides another round that
     *       was wanted (a retry, the rest of a partial transfer);
     *   <li>an item counts until the stream's end is settled;
     *   <li>a release counts once per round, while the kernel holds the operation.
     * </ul>
     */
    static boolean admits(Verdict verdict, Place place, Report report) {
        return switch (report) {
            case RESULT -> verdict == Verdict.OPEN;
            case TIMEOUT -> verdict != Verdict.SETTLED;
            case ITEM -> verdict != Verdict.SETTLED && place != Place.FINISHED;
            case RELEASE -> place == Place.IN_KERNEL;
        };
    }

    final boolean admits(Report report) {
        return admits(verdict, place, report);
    }

    /** Moves the operation to {@code to}; an illegal move (see {@link Place}) is a bug and fails fast. */
    final void moveTo(Place to) {
        if (to == Place.NOWHERE ? place == Place.FINISHED : place != Place.NOWHERE) {
            throw new IllegalStateException(this + ": cannot move from " + place + " to " + to);
        }
        place = to;
    }

    final boolean settled() {
        return verdict == Verdict.SETTLED;
    }

    final boolean finished() {
        return place == Place.FINISHED;
    }

    final boolean inKernel() {
        return place == Place.IN_KERNEL;
    }

    final void succeed(T v) {
        verdict = Verdict.SETTLED;
        outcome = OperationState.COMPLETED;
        value = v;
    }

    final void fail(ProactorException e) {
        settleWith(OperationState.FAILED, e);
    }

    /** Asks for another round at once, once this one is released: the transfer moved forward. */
    final void again() {
        againAfter(0);
        failedTries = 0;
    }

    /** Asks for another round no sooner than {@code atNanos} (0: at once), once this one is released. */
    final void againAfter(long atNanos) {
        verdict = Verdict.AGAIN;
        againAtNanos = atNanos;
    }

    final void failErrno(int errno) {
        fail(new OperationFailedException(kind, resource(), errno, Errno.name(errno), Errno.text(errno), bytesDone));
    }

    final void settleTimedOut() {
        settleWith(OperationState.TIMED_OUT, new OperationTimeoutException(kind, resource(), timeout, bytesDone));
    }

    final void settleCancelled() {
        settleWith(OperationState.CANCELLED, new OperationCancelledException(kind, resource(),
                cancelReason == null ? "cancelled" : cancelReason, bytesDone));
    }

    /** Settles the outcome as {@code s}, failing with {@code e}; a round that was wanted is not made. */
    final void settleWith(OperationState s, ProactorException e) {
        verdict = Verdict.SETTLED;
        outcome = s;
        failure = e;
    }

    final void markSubmitted() {
        STATE.setRelease(this, OperationState.SUBMITTED);
    }

    // ---------------------------------------------------------------- delivery (worker thread)

    /** Publishes the outcome and runs the handlers; called once, on a worker. */
    @Override
    public final void run() {
        deliver(true);
    }

    /**
     * {@link #run()} for a delivery the handlers' count never counted: inline handlers, on the
     * dispatcher ({@code CoreProactor.handOff}).
     */
    final void deliverUncounted() {
        deliver(false);
    }

    private void deliver(boolean counted) {
        try {
            beforeDelivery();
        } catch (RuntimeException | Error e) {
            proactor.handlers().failed(this, e);
        }
        STATE.setRelease(this, outcome);
        Object hs;
        OutcomeStage<T> f;
        List<CancelWaiter> waiters;
        Thread parked;
        Reuse r;
        synchronized (this) {
            DELIVERY.setRelease(this, Delivery.PUBLISHED);
            r = reuse();
            if (r != null) {
                r.deliverer = Thread.currentThread();
            }
            hs = handlers;
            handlers = null;
            f = future;
            waiters = cancelWaiters;
            cancelWaiters = null;
        }
        if (r != null) {
            invoke(r.handler);
        }
        if (hs instanceof ResultHandler<?> h) {
            invoke(h);
        } else if (hs != null) {
            @SuppressWarnings("unchecked")
            List<ResultHandler<?>> list = (List<ResultHandler<?>>) hs;
            for (ResultHandler<?> h : list) {
                invoke(h);
            }
        }
        if (f != null) {
            complete(f);
        }
        if (waiters != null) {
            for (CancelWaiter w : waiters) {
                w.result.complete(new CancelResult(cancelKind(w.afterEnd), this));
            }
        }
        boolean again = false;
        boolean reset = false;
        OutcomeStage<T> late;
        synchronized (this) {
            // A volatile store, the one fence of a run: a thread parked in await() reads it after
            // its unpark without the monitor, and must not miss it and park again.
            delivery = Delivery.HANDLED;
            parked = waiter;
            waiter = null;
            // A stage awaitDelivered made while the handlers ran completes now, as they have returned.
            late = f == null ? future : null;
            if (r != null) {
                r.deliverer = null;
                again = r.rerunAsked;
                r.rerunAsked = false;
                if (again && parked == null && late == null && !abandoned) {
                    // The next run asked for by a handler begins under this same lock, one monitor
                    // fewer per run. Not with a thread parked in await() for this run, or a stage
                    // still to complete: let them see its end first (rerun() below resets after,
                    // as a restart from elsewhere would).
                    resetForRun();
                    reset = true;
                }
            }
        }
        if (late != null) {
            complete(late);
        }
        if (parked != null) {
            LockSupport.unpark(parked);
        }
        if (counted) {
            proactor.handlers().delivered();
        }
        if (reset) {
            proactor.initiate(this);
        } else if (again) {
            rerun();
        }
    }

    /**
     * Initiates a reusable operation's next run: at once if the last run was delivered, or at the
     * end of its delivery when called while it is delivered, from within it or from another thread
     * (a handler restarting its own operation, or one on another worker, must not reset the state
     * {@link #run()} is still publishing).
     *
     * <p>Safe to reset then: the delivery is the last thing that touches a run. The dispatcher
     * finished the operation (its round released: the kernel holds nothing of it, its table slot
     * freed, its permits back, out of every queue) before it handed it over, and the executor
     * hand-off and {@code this} order the dispatcher's writes before the reset; the inbox post in
     * {@code initiate} publishes the reset to the dispatcher.
     */
    final void rerun() {
        Reuse r = reuse();
        if (r == null) {
            throw new IllegalStateException(this + " is not reusable");
        }
        if (r.deliverer == Thread.currentThread()) {
            // Without the lock: only the delivering thread sets deliverer to itself, and any other
            // thread reads a value that is not itself (its own last write was null, or another
            // thread's). Another thread sets rerunAsked only under the lock, which the delivery's
            // end takes to read it; the unlocked read here may miss that one, and then two asks
            // for one run go unnoticed: one run begins.
            if (r.rerunAsked) {
                throw new IllegalStateException(this + ": the next run was already asked for");
            }
            r.rerunAsked = true;
            return;
        }
        synchronized (this) {
            if (r.deliverer != null && !abandoned) {
                // Another thread is delivering the last run (a worker's handler restarting an
                // operation whose own handler, on another worker, has not returned yet): as if that
                // handler had asked, the run begins as the delivery ends, which reads the flag
                // under this lock.
                if (r.rerunAsked) {
                    throw new IllegalStateException(this + ": the next run was already asked for");
                }
                r.rerunAsked = true;
                return;
            }
            if (delivery != Delivery.HANDLED || abandoned) {
                throw new IllegalStateException(this + ": the previous run has not been delivered yet");
            }
            resetForRun();
        }
        proactor.initiate(this);
    }

    /** Clears every per-run field, as a new operation has them; under {@code this}. */
    private void resetForRun() {
        token(-1);
        backendState = null;
        inboxNext = null;
        id = proactor.nextId();
        startNanos = System.nanoTime();
        deadline = deadlineFrom(startNanos);
        attempts = 0;
        failedTries = 0;
        place = Place.NOWHERE;
        verdict = Verdict.OPEN;
        againAtNanos = 0;
        cancelRequested = false;
        cancelReason = null;
        bytesDone = 0;
        outcome = null;
        value = null;
        failure = null;
        future = null;
        waiter = null;
        STATE.setRelease(this, OperationState.QUEUED);
        DELIVERY.setRelease(this, Delivery.PENDING);
        renewArguments();
    }

    /**
     * A reusable operation's per-run arguments, taken again for the next run (a buffer's remaining
     * bytes as they are now); under {@code this}, at the end of {@link #resetForRun}.
     */
    void renewArguments() {}

    private CancelResult.Kind cancelKind(boolean afterEnd) {
        if (afterEnd) {
            return CancelResult.Kind.NOT_FOUND;
        }
        return outcome == OperationState.CANCELLED ? CancelResult.Kind.CANCELLED : CancelResult.Kind.TOO_LATE;
    }

    /**
     * Registers a cancellation request (dispatcher thread). Its answer is given when the outcome is
     * published, so that whoever sees it also sees the operation's final state. {@code afterEnd}:
     * the operation's end was public when cancel() was called (NOT_FOUND).
     */
    final void addCancelWaiter(CompletableFuture<CancelResult> result, boolean afterEnd) {
        synchronized (this) {
            if (delivery == Delivery.PENDING) {
                if (cancelWaiters == null) {
                    cancelWaiters = new ArrayList<>(1);
                }
                cancelWaiters.add(new CancelWaiter(result, afterEnd));
                return;
            }
        }
        result.complete(new CancelResult(cancelKind(afterEnd), this));
    }

    /**
     * Waits until the outcome is published and the handlers have run, or until
     * {@code deadlineNanos}; never throws. Through the stage, completed once the handlers have
     * returned (by {@link #run()}, which takes one made while they run as late): rare (a close
     * waits so for the operations it ended), so it needs no field of its own.
     */
    final void awaitDelivered(long deadlineNanos) {
        OutcomeStage<T> f;
        synchronized (this) {
            if (handled()) {
                return;
            }
            if (future == null) {
                // Not completed here even while the handlers run: run() completes it as they return.
                future = new OutcomeStage<>(id);
            }
            f = future;
        }
        try {
            f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException e) {
            // A failed outcome is delivered too; a wait that ran out is the caller's bound.
        }
    }

    private record CancelWaiter(CompletableFuture<CancelResult> result, boolean afterEnd) {}

    @SuppressWarnings("unchecked")
    private void invoke(ResultHandler<?> h) {
        try {
            ((ResultHandler<? super T>) h).completed(outcome == OperationState.COMPLETED ? value : null, failure);
        } catch (RuntimeException | Error e) {
            proactor.handlers().failed(this, e);
        }
    }

    private void complete(OutcomeStage<T> f) {
        if (outcome == OperationState.COMPLETED) {
            f.publish(value);
        } else {
            f.publishFailure(failure);
        }
    }

    // ---------------------------------------------------------------- public API (any thread)

    @Override
    public final long id() {
        return id;
    }

    @Override
    public final OperationKind kind() {
        return kind;
    }

    @Override
    public final OperationState state() {
        return state;
    }

    @Override
    public final T resultNow() {
        if (state != OperationState.COMPLETED) {
            throw new IllegalStateException("operation " + id + " is " + state + ", not COMPLETED");
        }
        return value;
    }

    @Override
    public final ProactorException failureNow() {
        OperationState s = state;
        if (!s.isTerminal() || s == OperationState.COMPLETED) {
            throw new IllegalStateException("operation " + id + " is " + s + ", not failed");
        }
        return failure;
    }

    @Override
    public final Operation<T> onComplete(ResultHandler<? super T> handler) {
        java.util.Objects.requireNonNull(handler, "handler");
        boolean late;
        synchronized (this) {
            late = delivery != Delivery.PENDING;
            if (!late) {
                if (handlers == null) {
                    handlers = handler;
                } else if (handlers instanceof ResultHandler<?> one) {
                    List<ResultHandler<?>> list = new ArrayList<>(2);
                    list.add(one);
                    list.add(handler);
                    handlers = list;
                } else {
                    @SuppressWarnings("unchecked")
                    List<ResultHandler<?>> list = (List<ResultHandler<?>>) handlers;
                    list.add(handler);
                }
            }
        }
        if (late) {
            proactor.runLate(() -> invoke(handler), this);
        }
        return this;
    }

    @Override
    public final CompletionStage<T> stage() {
        return future();
    }

    private OutcomeStage<T> future() {
        OutcomeStage<T> f;
        boolean done;
        synchronized (this) {
            if (future == null) {
                future = new OutcomeStage<>(id);
                done = delivery != Delivery.PENDING;
            } else {
                return future;
            }
            f = future;
        }
        if (done) {
            complete(f);
        }
        return f;
    }

    @Override
    public final T await() throws ProactorException, InterruptedException {
        return awaitUntil(0, false);
    }

    @Override
    public final T await(Duration maxWait) throws ProactorException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        T v = awaitUntil(deadline, true);
        if (!handled()) {
            throw new TimeoutException("operation " + id + " still " + state + " after " + maxWait);
        }
        return v;
    }

    /**
     * Parks the calling thread until the outcome is published. The common case, one waiter, parks
     * on {@link LockSupport} with nothing allocated; a second concurrent waiter falls back to the
     * future. Returns null without the outcome when {@code timed} and the deadline passed.
     */
    private T awaitUntil(long deadline, boolean timed) throws ProactorException, InterruptedException {
        dev.proactor.ProactorConfig onDispatcher = Dispatcher.onDispatcher();
        if (onDispatcher != null) {
            // Refused even when the outcome is already known, so that the mistake shows every time.
            throw new IllegalStateException("await() called on the dispatcher thread of " + onDispatcher.name()
                    + " (an inline handler): waiting there blocks the thread that completes operations; use"
                    + " onComplete or stage() instead, or run handlers on workers");
        }
        Thread me = Thread.currentThread();
        if (proactor.handlers().isSoleWorker(me)) {
            // Refused every time too: the outcome's delivery needs this very thread.
            throw new IllegalStateException("await() called on " + me.getName() + ", the only worker of "
                    + proactor.config().name() + " (a completion handler): the outcome is delivered on that"
                    + " worker, so waiting there never ends; use onComplete or stage() instead, or more workerThreads");
        }
        if (!handled()) {
            boolean useFuture = false;
            synchronized (this) {
                if (!handled()) {
                    if (waiter == null) {
                        waiter = me;
                    } else if (waiter != me) {
                        useFuture = true;
                    }
                }
            }
            if (useFuture) {
                return awaitFuture(deadline, timed);
            }
            while (!handled()) {
                if (timed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        clearWaiter(me);
                        return null;
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
                if (Thread.interrupted()) {
                    clearWaiter(me);
                    throw new InterruptedException("interrupted while awaiting operation " + id);
                }
            }
        }
        if (state == OperationState.COMPLETED) {
            return value;
        }
        throw failure;
    }

    private boolean handled() {
        return delivery == Delivery.HANDLED;
    }

    private synchronized void clearWaiter(Thread me) {
        if (waiter == me) {
            waiter = null;
        }
    }

    private T awaitFuture(long deadline, boolean timed) throws ProactorException, InterruptedException {
        try {
            if (!timed) {
                return future().get();
            }
            return future().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (TimeoutException e) {
            return null;
        }
    }

    private static ProactorException unwrap(ExecutionException e) {
        if (e.getCause() instanceof ProactorException p) {
            return p;
        }
        throw new IllegalStateException("unexpected failure", e.getCause());
    }

    @Override
    public final CompletionStage<CancelResult> cancel() {
        return proactor.requestCancel(this);
    }

    @Override
    public String toString() {
        return kind + "#" + id + "[" + state + (resource == null ? "" : " " + resource.describe()) + "]";
    }
}
