package dev.proactor.internal.core;

import dev.proactor.AsyncFile;
import dev.proactor.BufferPool;
import dev.proactor.CancelResult;
import dev.proactor.CapabilityReport;
import dev.proactor.CloseReport;
import dev.proactor.MetricsSnapshot;
import dev.proactor.Operation;
import dev.proactor.OperationInfo;
import dev.proactor.OperationState;
import dev.proactor.Proactor;
import dev.proactor.ProactorClosedException;
import dev.proactor.ProactorConfig;
import dev.proactor.ProactorException;
import dev.proactor.ResultHandler;
import dev.proactor.ReusableOperation;
import dev.proactor.internal.spi.BackendFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import dev.proactor.OperationKind;
import dev.proactor.ResolveOption;
import java.util.Map;

/**
 * The proactor behind the public API: initiation and admission on the caller's thread, everything
 * else on the {@link Dispatcher}. Thread-safe.
 */
public final class CoreProactor {
    private static final System.Logger LOG = System.getLogger("dev.proactor");

    private final ProactorConfig config;
    private final Metrics metrics = new Metrics();
    private final Admission admission;
    private final BufferPoolImpl pool;
    private final BounceCache bounces = new BounceCache();
    private final Dispatcher dispatcher;
    private final Thread dispatcherThread;
    /** Released chunks on their way back to the dispatcher. */
    private final ReleasedChunks releasedChunks;
    /** Where handlers run, what their throw does, the deliveries not yet handled. */
    private final Handlers handlers;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger initiating = new AtomicInteger();
    /**
     * Guards the list of open resources: {@link #newestOpen} and each resource's
     * {@code newerOpen}/{@code olderOpen} links (intrusive, so an open socket costs no map node).
     */
    private final Object openLock = new Object();
    /** The newest open file, socket or listener, the head of the list that close closes; guarded by {@link #openLock}. */
    private Resource newestOpen;
    private final AtomicInteger closedByClose = new AtomicInteger();
    private final long slowThresholdNanos;
    private final CapabilityReport capabilities;
    /** Close has begun: initiations fail at once. */
    private volatile boolean terminating;
    /** What stopped the dispatcher, or null; set before the dispatcher drains its inbox for the last time. */
    private volatile Throwable failure;
    private CloseReport closeReport;

    private CoreProactor(ProactorConfig config, BackendFactory factory, String reason,
            BiFunction<String, Map<OperationKind, String>, CapabilityReport> reporter) {
        this.config = config;
        this.admission = new Admission(config.maxInFlight(), config.admission(), metrics);
        this.slowThresholdNanos = config.slowOperationThreshold().toNanos();
        this.pool = new BufferPoolImpl(config.bufferSize(), config.bufferCount());
        this.handlers = new Handlers(config, this::closeResource, metrics.handlerFailures::increment);
        this.dispatcher = new Dispatcher(this, config, factory, metrics);
        this.releasedChunks = new ReleasedChunks(dispatcher);
        this.dispatcherThread = startDispatcher(config, dispatcher);
        try {
            dispatcher.started.get();
        } catch (ExecutionException e) {
            abortOpen();
            Throwable c = e.getCause();
            throw c instanceof UncheckedIOException u ? u
                    : new UncheckedIOException(new IOException("backend failed to start: " + c.getMessage(), c));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abortOpen();
            throw new IllegalStateException("interrupted while opening the proactor", e);
        }
        this.capabilities = reporter.apply(dispatcher.backendName(), dispatcher.operationSupport());
        LOG.log(Level.DEBUG, () -> config.name() + ": backend " + dispatcher.backendName() + " (" + reason + ")");
    }

    /**
     * Makes the dispatcher thread ({@link ProactorConfig#dispatcherThreadFactory()}) and starts it;
     * a factory that fails, makes no thread or makes a started one fails the open with what it made
     * undone.
     */
    private Thread startDispatcher(ProactorConfig config, Dispatcher dispatcher) {
        java.util.concurrent.ThreadFactory factory = config.dispatcherThreadFactory();
        Thread t;
        try {
            t = factory == null
                    ? Thread.ofPlatform().name(config.name() + "-dispatcher").daemon(true).unstarted(dispatcher)
                    : factory.newThread(dispatcher);
            if (t == null) {
                throw new IllegalStateException("the dispatcherThreadFactory of " + config.name() + " made no thread");
            }
            handlers.dispatcherThread(t);
            metrics.owner(t);
            t.start();
        } catch (RuntimeException | Error e) {
            abortOpen();
            if (e instanceof IllegalThreadStateException) {
                throw new IllegalStateException("the dispatcherThreadFactory of " + config.name()
                        + " made a thread already started; it must return an unstarted one", e);
            }
            throw e;
        }
        return t;
    }

    private void abortOpen() {
        pool.close(false);
        bounces.close();
        handlers.abort();
    }

    /**
     * Opens a proactor on a backend made by {@code backendFactory}, which is called on the dispatcher
     * thread (so that a ring's single issuer is that thread) with {@code config}.
     *
     * @param reason why this backend, for the log line and the capability report
     * @param reporter builds the capability report from the started backend's name and operation support
     */
    public static Proactor open(ProactorConfig config, BackendFactory backendFactory, String reason,
            BiFunction<String, Map<OperationKind, String>, CapabilityReport> reporter) {
        return new ProactorHandle(new CoreProactor(config, backendFactory, reason, reporter), null);
    }

    /**
     * Opens a proactor on a backend made by {@code backendFactory} (called on the dispatcher thread),
     * with a capability report that names only the backend. For tests that wrap a real backend.
     */
    public static Proactor open(ProactorConfig config, BackendFactory backendFactory) {
        String reason = "backend supplied by the caller";
        return open(config, backendFactory, reason, (name, ops) -> CapabilityReport.builder()
                .backend(name).reason(reason)
                .os(System.getProperty("os.name") + " " + System.getProperty("os.arch"))
                .kernel(System.getProperty("os.version")).java(Runtime.version().toString())
                .ioUringUnavailableCause(java.util.Optional.of("not probed")).operations(ops)
                .build());
    }

    // ------------------------------------------------------------------ initiation (any thread)

    long nextId() {
        return ids.incrementAndGet();
    }

    int initiating() {
        return initiating.get();
    }

    Admission admission() {
        return admission;
    }

    BufferPoolImpl pool() {
        return pool;
    }

    /** Bounce memory for heap buffers. */
    BounceCache bounces() {
        return bounces;
    }

    long slowThresholdNanos() {
        return slowThresholdNanos;
    }

    /**
     * Admits and posts {@code op}, or ends it at once (closed, refused) with its handlers still run on
     * a worker. Returns {@code op}.
     */
    <T, O extends OperationImpl<T>> O initiate(O op) {
        metrics.initiated(op.kind);
        boolean onDispatcher = Thread.currentThread() == dispatcherThread;
        try {
            if (op.resource != null && !op.resource.open && !(op instanceof CloseOp)) {
                throw new ProactorClosedException(op.kind, op.resource(), op.resource.closedWord(), 0);
            }
            if (op.transferLength() == 0) {
                endEmptyTransfer(op);
                return op;
            }
            if (op.writeBytes > 0) {
                admission.reserveWrite(op, onDispatcher);
            }
            if (!(op instanceof CloseOp)) {
                try {
                    admission.admit(op, onDispatcher);
                } catch (ProactorException | InterruptedException e) {
                    admission.writeEnded(op);
                    throw e;
                }
            }
        } catch (ProactorException e) {
            endAtInitiation(op, e);
            return op;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            endAtInitiation(op, new ProactorClosedException(op.kind, op.resource(),
                    "interrupted while waiting for admission", 0));
            return op;
        }
        if (onDispatcher) {
            // The count below is for the dispatcher's last drain, which runs on this thread: it
            // cannot begin while this initiation runs, so the two atomic updates are spared.
            post(op);
            return op;
        }
        initiating.incrementAndGet();
        try {
            post(op);
        } finally {
            initiating.decrementAndGet();
        }
        return op;
    }

    /** Posts an admitted {@code op} to the dispatcher, or ends it refused if the proactor is closing or failed. */
    private void post(OperationImpl<?> op) {
        if (terminating || failure != null) {
            admission.release(op);
            admission.writeEnded(op);
            endAtInitiation(op, refusal(op));
            return;
        }
        dispatcher.post(op);
    }

    private ProactorClosedException refusal(OperationImpl<?> op) {
        Throwable f = failure;
        if (f == null) {
            return new ProactorClosedException(op.kind, op.resource(), "proactor closed", 0);
        }
        return new ProactorClosedException(op.kind, op.resource(), "proactor " + config.name()
                + " failed (its dispatcher stopped: " + f + "); close it and open another", 0, f);
    }

    /**
     * Dispatcher: the loop failed with {@code cause}. From now on initiations fail at once; the
     * dispatcher waits for initiators already past the check before its last drain of the inbox.
     */
    void dispatcherFailed(Throwable cause) {
        failure = cause;
    }

    boolean isClosed() {
        return terminating || failure != null;
    }

    /** Whether {@code close()} was called: set before its command reaches the dispatcher. */
    boolean closeAsked() {
        return terminating;
    }

    java.util.Optional<Throwable> failure() {
        return java.util.Optional.ofNullable(failure);
    }

    /**
     * A read or write of zero bytes on an open resource: completes with 0 without the backend, and
     * without admission or a place in its socket's lane, since it moves nothing.
     */
    private void endEmptyTransfer(OperationImpl<?> op) {
        if (terminating || failure != null) {
            endAtInitiation(op, refusal(op));
            return;
        }
        op.moveTo(OperationImpl.Place.FINISHED);
        op.onResult(0, null);
        op.afterKernel();
        metrics.terminal(op.kind, op.outcome, System.nanoTime() - op.startNanos);
        handOff(op);
    }

    /** Ends an operation the dispatcher will never see. Its life-cycle fields are not shared yet. */
    private void endAtInitiation(OperationImpl<?> op, ProactorException e) {
        op.moveTo(OperationImpl.Place.FINISHED);
        op.settleWith(OperationState.FAILED, e);
        admission.writeEnded(op);
        op.afterKernel();
        metrics.terminal(op.kind, op.outcome, System.nanoTime() - op.startNanos);
        handOff(op);
    }

    /**
     * NOT_FOUND is decided here, by what the caller could see: an operation whose end was public
     * ({@code isDone()}) when cancel() was called. One the dispatcher had finished but
     * not yet delivered ended by itself while the caller still saw it running, so it answers
     * TOO_LATE (or CANCELLED), whenever the request reaches the dispatcher.
     */
    CompletionStage<CancelResult> requestCancel(OperationImpl<?> op) {
        CompletableFuture<CancelResult> result = new CompletableFuture<>();
        if (op.isDone()) {
            op.addCancelWaiter(result, true);
            return result;
        }
        if (dispatcher.terminated.isDone()) {
            op.addCancelWaiter(result, false);
            return result;
        }
        dispatcher.post(new Dispatcher.Command.Cancel(op, result));
        if (dispatcher.terminated.isDone() && !result.isDone()) {
            // The dispatcher stopped between the check and the post: it had ended every operation.
            // (An answer given twice is harmless: the future keeps the first.)
            op.addCancelWaiter(result, false);
        }
        return result;
    }

    Operation<Void> closeResource(Resource f) {
        return closeResource(f, f.closeLinger, false);
    }

    /**
     * Closes {@code f} once: a socket's writes drain for up to {@code linger} first, unless
     * {@code abort}. An abort of a close already initiated turns it into an abort (if it is still
     * waiting for writes) and returns it.
     */
    Operation<Void> closeResource(Resource f, Duration linger, boolean abort) {
        synchronized (f) {
            if (f.closeOperation != null) {
                if (abort && !f.closeOperation.abortRequested) {
                    f.closeOperation.abortRequested = true;
                    if (!dispatcher.terminated.isDone()) {
                        dispatcher.post(new Dispatcher.Command.Abort(f.closeOperation));
                    }
                }
                return f.closeOperation;
            }
            f.open = false;
            f.closeOperation = new CloseOp(this, f, linger, abort);
        }
        return initiate(f.closeOperation);
    }

    // ------------------------------------------------------------------ dispatcher call-backs

    Resource adoptFile(Path path, int fd) {
        return adopt(Resource.file(this, path, fd, config.maxInFlightPerResource()));
    }

    Resource adoptSocket(int fd, java.net.SocketAddress local, java.net.SocketAddress remote, Duration closeLinger) {
        return adopt(Resource.socket(this, fd, local, remote, config.maxInFlightPerResource(), closeLinger));
    }

    Resource adoptListener(int fd, java.net.SocketAddress local, Duration closeLinger) {
        return adopt(Resource.listener(this, fd, local, config.maxInFlightPerResource(), closeLinger));
    }

    private Resource adopt(Resource r) {
        synchronized (openLock) {
            r.olderOpen = newestOpen;
            if (newestOpen != null) {
                newestOpen.newerOpen = r;
            }
            newestOpen = r;
        }
        return r;
    }

    void resourceClosed(Resource f) {
        f.closed = true;
        f.dropViews();
        synchronized (openLock) {
            if (f.newerOpen != null) {
                f.newerOpen.olderOpen = f.olderOpen;
            } else if (newestOpen == f) {
                newestOpen = f.olderOpen;
            } else {
                return; // not listed (any more)
            }
            if (f.olderOpen != null) {
                f.olderOpen.newerOpen = f.newerOpen;
            }
            f.newerOpen = null;
            f.olderOpen = null;
        }
    }

    /** Closes a descriptor nobody will own (an open or accept whose cancel came too late). */
    void closeOrphan(int fd, String what) {
        initiateInternal(new CloseOp(this, fd, what));
    }

    /** Dispatcher, during close: closes files and sockets the application left open. */
    void closeOpenResources() {
        // A copy: a close may end, and unlist its resource, while this loop still runs.
        List<Resource> open = new ArrayList<>();
        synchronized (openLock) {
            for (Resource r = newestOpen; r != null; r = r.olderOpen) {
                open.add(r);
            }
        }
        for (Resource f : open) {
            synchronized (f) {
                if (f.closeOperation != null) {
                    continue;
                }
                f.open = false;
                f.closeOperation = new CloseOp(this, f);
            }
            closedByClose.incrementAndGet();
            initiateInternal(f.closeOperation);
        }
    }

    private void initiateInternal(OperationImpl<?> op) {
        metrics.initiated(op.kind);
        dispatcher.post(op);
    }

    /** Hands a finished operation to its handlers' thread. */
    void handOff(OperationImpl<?> op) {
        if (handlers.inline() && Thread.currentThread() == dispatcherThread && !(op instanceof StreamingOp<?>)) {
            // Delivered here and now, uncounted: the count is for close's wait for handlers, which
            // begins only after this thread has stopped, so it never sees this delivery in flight
            // (and the count's two atomic updates per operation are spared).
            op.deliverUncounted();
            return;
        }
        handlers.handingOver();
        if (op instanceof StreamingOp<?> st) {
            // After the stream's last item, on the stream's own serial delivery.
            st.delivery.add(new SerialDelivery.Task(op));
            return;
        }
        handlers.execute(op);
    }

    /** Where handlers run, what their throw does, the deliveries not yet handled. */
    Handlers handlers() {
        return handlers;
    }

    /** A stream was paused or resumed (any thread). */
    void streamChanged(StreamingOp<?> op) {
        if (!dispatcher.terminated.isDone()) {
            dispatcher.post(new Dispatcher.Command.Stream(op));
        }
    }

    /** Dispatcher: a receive stream lent a chunk to its handler. */
    void chunkLent(boolean provided) {
        metrics.chunksHeld.incrementAndGet();
        if (provided) {
            metrics.providedChunksHeld.incrementAndGet();
        }
    }

    /** A chunk was released (any thread); the dispatcher recycles its buffer and lifts back-pressure. */
    void chunkReleased(ChunkLease c) {
        metrics.chunksHeld.decrementAndGet();
        if (c.bufferId() >= 0) {
            metrics.providedChunksHeld.decrementAndGet();
        }
        if (!dispatcher.terminated.isDone()) {
            releasedChunks.add(c);
        }
    }

    /** Dispatcher: a multishot receive ran out of provided buffers and will be re-armed. */
    void receiveRearmed() {
        metrics.receiveRearmed();
    }

    /** Runs a handler added after delivery, never on the caller's thread. */
    void runLate(Runnable task, OperationImpl<?> op) {
        if (handlers.inline() && !dispatcher.terminated.isDone()) {
            // Inline handlers run on the dispatcher; a late one goes there too, through the inbox.
            dispatcher.post(new Dispatcher.Command.Run(task));
            return;
        }
        handlers.executeElsewhere(task);
    }

    // ------------------------------------------------------------------ API support

    ProactorConfig config() {
        return config;
    }

    String backendName() {
        return dispatcher.backendName();
    }

    CapabilityReport capabilities() {
        return capabilities;
    }

    BufferPool buffers() {
        return pool;
    }

    Operation<Void> nop(Duration timeout) {
        return initiate(new NopOp(this, timeout));
    }

    ReusableOperation<Void> reusableNop(ResultHandler<? super Void> handler, Duration timeout) {
        return initiate(new NopOp.Reusable(this, timeout, handler));
    }

    Operation<Void> timer(Duration delay, Duration timeout) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay: " + delay);
        }
        return initiate(new TimerOp(this, delay, timeout));
    }

    Operation<AsyncFile> openFile(Path path, Set<? extends OpenOption> options, int mode, Duration timeout) {
        Set<OpenOption> checked = OpenOptions.check(options);
        OpenOptions.checkMode(mode);
        return initiate(new OpenOp(this, path.toAbsolutePath(), checked, mode, timeout));
    }

    Operation<AsyncFile> openFileAt(AsyncFile directory, Path path, Set<ResolveOption> resolve,
            Set<? extends OpenOption> options, int mode, Duration timeout) {
        if (!(directory instanceof FileHandle fh) || fh.resource().proactor != this) {
            throw new IllegalArgumentException("the directory belongs to another proactor: " + directory);
        }
        Set<OpenOption> checked = OpenOptions.check(options);
        OpenOptions.checkMode(mode);
        if (path.toString().indexOf('\0') >= 0) {
            throw new IllegalArgumentException("path contains a NUL character");
        }
        Set<ResolveOption> rules = Set.copyOf(resolve);
        return initiate(new OpenAtOp(this, fh.resource(), path, checked, mode, rules, timeout));
    }

    MetricsSnapshot metrics() {
        return metrics.snapshot(dispatcher.backendName(), admission.queued(), dispatcher.readyCount(), pool.leased(),
                pool.capacity(), dispatcher.droppedCompletions(), dispatcher.kernelCalls());
    }

    List<OperationInfo> operations() {
        CompletableFuture<List<OperationInfo>> result = new CompletableFuture<>();
        if (dispatcher.terminated.isDone()) {
            return List.of();
        }
        dispatcher.post(new Dispatcher.Command.List(result));
        try {
            // Either the dispatcher answers, or it has stopped and nothing is live any more.
            CompletableFuture.anyOf(result, dispatcher.terminated).get();
            return result.getNow(List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (ExecutionException e) {
            return List.of();
        }
    }

    CloseReport close(Duration deadline) {
        refuseToBlock("close()", "call closeAsync() instead");
        return closeNow(deadline);
    }

    /** Closes on a thread of its own: safe from a handler, which close() would wait for. */
    CompletionStage<CloseReport> closeAsync(Duration deadline) {
        CompletableFuture<CloseReport> report = new CompletableFuture<>();
        Thread.ofPlatform().name(config.name() + "-closer").daemon(true).start(() -> {
            try {
                report.complete(closeNow(deadline));
            } catch (Throwable t) {
                report.completeExceptionally(t);
            }
        });
        return report;
    }

    /**
     * The blocking {@code close()} of a file, socket or listener: {@code close} is the handle's
     * {@code closeAsync()}, already initiated. Waits for it and rethrows its failure, except on a
     * thread the close's delivery may need: a dispatcher (an inline handler, where waiting would
     * never end) or one of this proactor's workers (a handler, which may be the only worker left to
     * deliver the close). There it returns once the close is initiated. An interrupt ends the wait
     * with the interrupt flag set again; the close goes on.
     */
    void closeAndWait(Operation<Void> close) throws ProactorException {
        Thread me = Thread.currentThread();
        if (Dispatcher.onDispatcher() != null || handlers.isOwnWorker(me)) {
            return;
        }
        try {
            close.await();
        } catch (InterruptedException e) {
            me.interrupt();
        }
    }

    /**
     * Throws if the calling thread is one that {@code what} would wait for: the dispatcher (an
     * inline handler), which would wait for itself for ever, or one of the proactor's own workers
     * (a handler), which close waits for and finally interrupts.
     */
    void refuseToBlock(String what, String instead) {
        Thread me = Thread.currentThread();
        if (me == dispatcherThread) {
            throw new IllegalStateException(what + " called on the dispatcher thread of " + config.name()
                    + " (an inline handler): it would wait for the dispatcher itself and never return; " + instead);
        }
        if (handlers.isOwnWorker(me)) {
            throw new IllegalStateException(what + " called on " + me.getName() + ", a worker of " + config.name()
                    + " (a completion handler): close waits for every handler to end, this one included; " + instead);
        }
    }

    private synchronized CloseReport closeNow(Duration deadline) {
        if (closeReport != null) {
            return closeReport;
        }
        long start = System.nanoTime();
        terminating = true;
        dispatcher.post(new Dispatcher.Command.Terminate(start + deadline.toNanos()));
        Termination.Outcome outcome = awaitDispatcher();
        // Chunks of provided buffers still held: the backend's close took their memory back.
        int reclaimed = pool.close(outcome.keepPool()) + metrics.providedChunksHeld.get();
        // Handlers of the last operations may still be running; wait for them, bounded.
        long handlersDeadline = System.nanoTime() + Math.max(deadline.toNanos(), Duration.ofSeconds(2).toNanos());
        handlers.awaitHandled(handlersDeadline);
        handlers.shutdown(handlersDeadline);
        // Handlers have run, so every delivered operation gave its bounce memory back; what is
        // still out belongs to an operation the kernel never released, and stays with it.
        long quarantined = outcome.quarantinedBytes() + (outcome.keepPool() ? pool.bytes() : 0) + bounces.close();
        closeReport = new CloseReport(Duration.ofNanos(System.nanoTime() - start), outcome.finishedDuringDrain(),
                outcome.cancelled(), outcome.abandoned(), closedByClose.get(), reclaimed, quarantined);
        if (!closeReport.clean()) {
            LOG.log(Level.WARNING, config.name() + ": closed with " + closeReport);
        }
        return closeReport;
    }

    private Termination.Outcome awaitDispatcher() {
        boolean interrupted = false;
        while (true) {
            try {
                Termination.Outcome o = dispatcher.terminated.get();
                dispatcherThread.join();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return o;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                throw new IllegalStateException("dispatcher failed", e.getCause());
            }
        }
    }
}
