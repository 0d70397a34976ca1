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
     * write comes before a hand-off (the inbox post, the executor's queue, the delivery word) that
     * publishes it anyway, and a reader on another thread needs to see each value whole and what
     * was written before it, never a store-load fence per write (one a run on x86, per store).
     */
    private volatile OperationState state = OperationState.QUEUED;

    // ---- delivery: one state word; what is registered for it is guarded by this ----
    /**
     * How far the current run's delivery went, in one word changed only by compare-and-set (as
     * {@code CompletableFuture} keeps its result): the {@link #PHASE} in the low bits, the flags
     * {@link #REGISTERED} and {@link #RERUN}, and above them a count of runs ({@link #RUN_ONE}) that
     * a reset advances. A delivery with nothing registered and nothing but its own handler's
     * restart takes no monitor; each registration (a handler added, a stage, a waiter, a cancel
     * request) takes {@code this}, flags the word first and only then writes its field, so the
     * delivery's next step sees the flag in the word it replaced and takes {@code this} to collect.
     */
    private volatile int delivery = PENDING;
    /** The phase bits of {@link #delivery}. */
    private static final int PHASE = 3;
    /** Not yet delivered: handlers and cancel answers registered now wait for it. */
    private static final int PENDING = 0;
    /** The outcome is public and the handlers are taken: one registered now runs at once. */
    private static final int PUBLISHED = 1;
    /** The handlers have run and the future is complete: what {@link #await} waits for. */
    private static final int HANDLED = 2;
    /**
     * A reusable operation's next run is being set up ({@link #resetForRun}) by the one thread that
     * moved the word here; every other thread waits for it to end, touching nothing.
     */
    private static final int RESETTING = 3;
    /**
     * Something was registered in this run, under {@code this}: whoever moves the word on (publish,
     * the end, a reset) takes {@code this} once after, to collect it or to wait for a registration
     * still writing. Set also by readers of a delivered run's outcome (a late handler, a stage, a
     * cancel's answer), so that no reset clears the outcome while they copy it.
     */
    private static final int REGISTERED = 4;
    /** A reusable operation's next run was asked for while this one is delivered ({@link #rerun}). */
    private static final int RERUN = 8;
    /** The run count's unit: a reset adds it, so a word read twice tells whether a reset came between. */
    private static final int RUN_ONE = 16;

    /** Cancellation requests waiting for delivery; {@code afterEnd} ones answer NOT_FOUND. */
    private List<CancelWaiter> cancelWaiters;
    private Object handlers;
    /** Created on first need: by {@link #stage()} or by a second concurrent {@link #await}. */
    private OutcomeStage<T> future;
    /** The one thread parked in {@link #await}, when no future was needed; unparked by {@link #run()}. */
    private Thread waiter;

    // Release stores for state; compare-and-set, get-and-add and release stores for delivery.
    private static final java.lang.invoke.VarHandle STATE;
    private static final java.lang.invoke.VarHandle DELIVERY;

    static {
        try {
            var lookup = java.lang.invoke.MethodHandles.lookup();
            STATE = lookup.findVarHandle(OperationImpl.class, "state", OperationState.class);
            DELIVERY = lookup.findVarHandle(OperationImpl.class, "delivery", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a reusable operation keeps across runs ({@link #reuse()}). */
    static final class Reuse {
        /** Run in every run, before the handlers of {@link #handlers}. */
        final ResultHandler<?> handler;

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

    private static int phase(int word) {
        return word & PHASE;
    }

    /** The run count of a delivery word, every other bit cleared. */
    private static int runOf(int word) {
        return word & -RUN_ONE;
    }

    /**
     * Two atomic instructions when nothing was registered: the publish (PENDING to PUBLISHED, one
     * get-and-add) and the end (to HANDLED, or straight to RESETTING when the next run was asked
     * for, one compare-and-set). Each step that replaces a word flagged {@link #REGISTERED} takes
     * {@code this} once after, to collect what the registrations wrote.
     */
    private void deliver(boolean counted) {
        try {
            beforeDelivery();
        } catch (RuntimeException | Error e) {
            proactor.handlers().failed(this, e);
        }
        STATE.setRelease(this, outcome);
        int was = (int) DELIVERY.getAndAdd(this, PUBLISHED - PENDING);
        if (phase(was) != PENDING) {
            throw new IllegalStateException(this + ": delivered twice");
        }
        Object hs = null;
        OutcomeStage<T> f = null;
        List<CancelWaiter> waiters = null;
        if ((was & REGISTERED) != 0) {
            synchronized (this) {
                hs = handlers;
                handlers = null;
                f = future;
                waiters = cancelWaiters;
                cancelWaiters = null;
            }
        }
        Reuse r = reuse();
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
                w.result.complete(new CancelResult(cancelKind(outcome, w.afterEnd), this));
            }
        }
        // The end, the one fence a parked await() needs: it reads the word after its unpark
        // without the monitor, and must not miss the end and park again. A restart asked for
        // during the delivery ({@link #RERUN}) goes straight on to the next run's reset.
        int s;
        int next;
        do {
            s = delivery;
            next = runOf(s) | ((s & RERUN) != 0 ? RESETTING : HANDLED);
        } while (!DELIVERY.compareAndSet(this, s, next));
        Thread parked = null;
        OutcomeStage<T> late = null;
        if ((s & REGISTERED) != 0) {
            synchronized (this) {
                parked = waiter;
                waiter = null;
                // A stage awaitDelivered made while the handlers ran completes now, as they have returned.
                late = future != f ? future : null;
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
        if (phase(next) == RESETTING) {
            // After the run's handlers, its stage and its waiters: the next run begins.
            resetForRun(s);
            proactor.initiate(this);
        }
    }

    /**
     * Initiates a reusable operation's next run: at once if the last run was delivered, or at the
     * end of its delivery when called while it is delivered, from within it or from another thread
     * (a handler restarting its own operation, or one on another worker, must not reset the state
     * {@link #run()} is still publishing). Both ask with one compare-and-set on the delivery word
     * ({@link #RERUN}), so that of two asks for one run, wherever they come from, the second is
     * refused.
     *
     * <p>Safe to reset then: the delivery is the last thing that touches a run. The dispatcher
     * finished the operation (its round released: the kernel holds nothing of it, its table slot
     * freed, its permits back, out of every queue) before it handed it over, and the executor
     * hand-off and the delivery word order the dispatcher's writes before the reset; the inbox
     * post in {@code initiate} publishes the reset to the dispatcher.
     */
    final void rerun() {
        if (reuse() == null) {
            throw new IllegalStateException(this + " is not reusable");
        }
        while (true) {
            int s = delivery;
            int p = phase(s);
            if (abandoned || (p != PUBLISHED && p != HANDLED)) {
                throw new IllegalStateException(this + ": the previous run has not been delivered yet");
            }
            if (p == PUBLISHED) {
                // Its delivery runs, on this thread (a handler restarting its own operation) or on
                // another: the run begins as that delivery ends.
                if ((s & RERUN) != 0) {
                    throw new IllegalStateException(this + ": the next run was already asked for");
                }
                if (DELIVERY.compareAndSet(this, s, s | RERUN)) {
                    return;
                }
            } else if (DELIVERY.compareAndSet(this, s, runOf(s) | RESETTING)) {
                resetForRun(s);
                proactor.initiate(this);
                return;
            }
        }
    }

    /**
     * Clears every per-run field, as a new operation has them, by the one thread that moved the
     * word from {@code previous} to RESETTING; then publishes the next run's PENDING. A
     * registration that flagged {@code previous} may still be writing under {@code this}: then the
     * fields are cleared under it, after that registration.
     */
    private void resetForRun(int previous) {
        if ((previous & REGISTERED) != 0) {
            synchronized (this) {
                clearRun();
            }
        } else {
            clearRun();
        }
        DELIVERY.setRelease(this, runOf(previous) + RUN_ONE);
    }

    private void clearRun() {
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
        handlers = null;
        cancelWaiters = null;
        future = null;
        waiter = null;
        STATE.setRelease(this, OperationState.QUEUED);
        renewArguments();
    }

    /**
     * A reusable operation's per-run arguments, taken again for the next run (a buffer's remaining
     * bytes as they are now); at the end of the reset, which no other thread touches.
     */
    void renewArguments() {}

    /**
     * Holding {@code this}: flags the delivery word {@link #REGISTERED}, so that no reset clears
     * the run while the monitor is held and the delivery's next step collects what is written
     * now, and answers the phase; or answers {@link #RESETTING} without flagging, and the caller
     * leaves the monitor, waits for the reset ({@link #awaitReset}) and tries again.
     */
    private int pin() {
        while (true) {
            int s = delivery;
            if (phase(s) == RESETTING || (s & REGISTERED) != 0 || DELIVERY.compareAndSet(this, s, s | REGISTERED)) {
                return phase(s);
            }
        }
    }

    /** Waits, without the monitor, for a reset in progress (plain stores on another thread) to end. */
    private void awaitReset() {
        for (int i = 0; phase(delivery) == RESETTING; i++) {
            if (i < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    private static CancelResult.Kind cancelKind(OperationState outcome, boolean afterEnd) {
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
        while (true) {
            int p;
            OperationState o;
            synchronized (this) {
                p = pin();
                if (p == PENDING) {
                    if (cancelWaiters == null) {
                        cancelWaiters = new ArrayList<>(1);
                    }
                    cancelWaiters.add(new CancelWaiter(result, afterEnd));
                    return;
                }
                o = outcome;
            }
            if (p != RESETTING) {
                result.complete(new CancelResult(cancelKind(o, afterEnd), this));
                return;
            }
            awaitReset();
        }
    }

    /**
     * Waits until the outcome is published and the handlers have run, or until
     * {@code deadlineNanos}; never throws. Through the stage, completed once the handlers have
     * returned (by {@link #run()}, which takes one made while they run as late): rare (a close
     * waits so for the operations it ended), so it needs no field of its own.
     */
    final void awaitDelivered(long deadlineNanos) {
        OutcomeStage<T> f = endStage();
        if (f == null) {
            return;
        }
        try {
            f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException e) {
            // A failed outcome is delivered too; a wait that ran out is the caller's bound.
        }
    }

    /**
     * A stage that completes once this run's handlers have returned, or null when the run was
     * handled already (or is followed by a reset, which comes only after): for {@link #await} when
     * the one parked thread will not do, and a close's wait for the operations it ended. Made in a
     * pending run, the delivery completes it after the handlers; made while they run, {@link #run()}
     * completes it as late, at its end. A stage that {@link #stage()} completed at once while the
     * handlers run is replaced, as it completed before they returned.
     */
    private OutcomeStage<T> endStage() {
        synchronized (this) {
            int p = pin();
            if (p == HANDLED || p == RESETTING) {
                return null;
            }
            OutcomeStage<T> f = future;
            if (f == null || (p == PUBLISHED && f.isDone())) {
                f = new OutcomeStage<>(id);
                future = f;
            }
            return f;
        }
    }

    private record CancelWaiter(CompletableFuture<CancelResult> result, boolean afterEnd) {}

    private void invoke(ResultHandler<?> h) {
        call(h, outcome == OperationState.COMPLETED ? value : null, failure);
    }

    @SuppressWarnings("unchecked")
    private void call(ResultHandler<?> h, T v, ProactorException f) {
        try {
            ((ResultHandler<? super T>) h).completed(v, f);
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
        while (true) {
            int p;
            T v;
            ProactorException f;
            synchronized (this) {
                p = pin();
                if (p == PENDING) {
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
                    return this;
                }
                // Delivered: the outcome copied while the run is pinned, as a later reset clears it.
                v = outcome == OperationState.COMPLETED ? value : null;
                f = failure;
            }
            if (p != RESETTING) {
                proactor.runLate(() -> call(handler, v, f), this);
                return this;
            }
            awaitReset();
        }
    }

    @Override
    public final CompletionStage<T> stage() {
        return future();
    }

    private OutcomeStage<T> future() {
        while (true) {
            OutcomeStage<T> f;
            boolean completed;
            T v;
            ProactorException failed;
            synchronized (this) {
                int p = pin();
                if (p == RESETTING) {
                    f = null;
                    completed = false;
                    v = null;
                    failed = null;
                } else if (future != null) {
                    return future;
                } else {
                    f = future = new OutcomeStage<>(id);
                    if (p == PENDING) {
                        // The delivery completes it.
                        return f;
                    }
                    completed = outcome == OperationState.COMPLETED;
                    v = value;
                    failed = failure;
                }
            }
            if (f == null) {
                awaitReset();
                continue;
            }
            if (completed) {
                f.publish(v);
            } else {
                f.publishFailure(failed);
            }
            return f;
        }
    }

    @Override
    public final T await() throws ProactorException, InterruptedException {
        try {
            return awaitUntil(0, null);
        } catch (TimeoutException e) {
            throw new AssertionError("an await without a bound timed out", e);
        }
    }

    @Override
    public final T await(Duration maxWait) throws ProactorException, InterruptedException, TimeoutException {
        return awaitUntil(System.nanoTime() + maxWait.toNanos(), maxWait);
    }

    /**
     * Parks the calling thread until the outcome is published and handled. The common case, one
     * waiter, parks on {@link LockSupport} with nothing allocated; a second concurrent waiter
     * waits on a stage ({@link #endStage}), and so does any waiter of a reusable operation, whose
     * next run may begin as soon as this one is handled: the stage keeps this run's outcome, which
     * the reset clears. Throws TimeoutException when {@code maxWait} (null for none) ended at {@code deadline}.
     */
    private T awaitUntil(long deadline, Duration maxWait) throws ProactorException, InterruptedException, TimeoutException {
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
        while (true) {
            int s = delivery;
            if (phase(s) == RESETTING) {
                awaitReset();
                continue;
            }
            if (phase(s) == HANDLED) {
                OperationState st = state;
                T v = value;
                ProactorException f = failure;
                // Valid unless a reset (a reusable operation's next run) came between the two reads.
                java.lang.invoke.VarHandle.loadLoadFence();
                if (runOf(delivery) == runOf(s)) {
                    if (st == OperationState.COMPLETED) {
                        return v;
                    }
                    throw f;
                }
                continue;
            }
            if (reuse() != null) {
                OutcomeStage<T> f = endStage();
                if (f != null) {
                    return awaitStage(f, deadline, maxWait);
                }
                continue;
            }
            boolean useFuture = false;
            synchronized (this) {
                if (pin() != HANDLED) {
                    if (waiter == null) {
                        waiter = me;
                    } else if (waiter != me) {
                        useFuture = true;
                    }
                }
            }
            if (useFuture) {
                OutcomeStage<T> f = endStage();
                if (f != null) {
                    return awaitStage(f, deadline, maxWait);
                }
                continue;
            }
            while (phase(delivery) != HANDLED) {
                if (maxWait != null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        clearWaiter(me);
                        throw timedOut(maxWait);
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
    }

    private TimeoutException timedOut(Duration maxWait) {
        return new TimeoutException("operation " + id + " still " + state + " after " + maxWait);
    }

    private synchronized void clearWaiter(Thread me) {
        if (waiter == me) {
            waiter = null;
        }
    }

    private T awaitStage(OutcomeStage<T> f, long deadline, Duration maxWait)
            throws ProactorException, InterruptedException, TimeoutException {
        try {
            if (maxWait == null) {
                return f.get();
            }
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (TimeoutException e) {
            throw timedOut(maxWait);
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
