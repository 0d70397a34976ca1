package dev.proactor.internal.core;

import dev.proactor.BatchingExecutor;
import dev.proactor.HandlerFailure;
import dev.proactor.HandlerFailurePolicy;
import dev.proactor.ProactorConfig;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Where completion handlers run and what a handler's throw does: the one home of handler
 * invocation. Handlers run on the proactor's own worker pool, on the caller's executor, or inline
 * on the dispatcher ({@link #inline()}); a task the executor cannot take (closed, or rejecting)
 * runs on a virtual thread of its own, so that it still runs exactly once and never on the thread
 * that added it or on the dispatcher. A throw goes to the configured {@link HandlerFailurePolicy}
 * ({@link #failed}) and no further. It also counts the deliveries not yet handled, which close
 * waits for ({@link #awaitHandled}). Thread-safe.
 */
final class Handlers {
    private static final System.Logger LOG = System.getLogger("dev.proactor");

    private final ProactorConfig config;
    /** Null with inline handlers. */
    private final Executor executor;
    /** The pool this proactor made and owns, or null (a caller's executor, or inline handlers). */
    private final ExecutorService owned;
    /** The owned pool's threads, joined at close: a terminated pool's threads may still be exiting. */
    private final Queue<Thread> workerThreads = new ConcurrentLinkedQueue<>();
    private final AtomicInteger undelivered = new AtomicInteger();
    /** Closes the resource of an operation whose handler threw, under {@code CloseResource}. */
    private final Consumer<Resource> closeResource;
    private final Runnable failureCounted;
    /** Set once, before the dispatcher starts: a hand-off from it is queued, the others executed. */
    private Thread dispatcherThread;
    private volatile boolean closing;

    Handlers(ProactorConfig config, Consumer<Resource> closeResource, Runnable failureCounted) {
        this.config = config;
        this.closeResource = closeResource;
        this.failureCounted = failureCounted;
        if (config.inlineHandlers()) {
            executor = null;
            owned = null;
        } else if (config.handlerExecutor() != null) {
            executor = config.handlerExecutor();
            owned = null;
        } else {
            AtomicInteger n = new AtomicInteger();
            owned = new WorkerPool(config.workerThreads(), r -> {
                Thread t = Thread.ofPlatform().name(config.name() + "-worker-" + n.incrementAndGet()).daemon(true).unstarted(r);
                workerThreads.add(t);
                return t;
            });
            executor = owned;
        }
    }

    void dispatcherThread(Thread t) {
        this.dispatcherThread = t;
    }

    /** Whether handlers run inline on the dispatcher. */
    boolean inline() {
        return executor == null;
    }

    /** Counts a delivery handed over; {@link #delivered()} counts it handled. */
    void handingOver() {
        undelivered.incrementAndGet();
    }

    void delivered() {
        if (undelivered.decrementAndGet() == 0 && closing) {
            synchronized (undelivered) {
                undelivered.notifyAll();
            }
        }
    }

    /**
     * Runs {@code task} on the handlers' thread: with inline handlers the dispatcher, when it is the
     * caller; from any other thread (an operation ended at initiation, refused or empty, whose handler
     * may be attached already, as a reusable operation's restart brings it) a thread of its own, since
     * a handler never runs on the thread that initiated and the dispatcher may be gone.
     */
    void execute(Runnable task) {
        if (executor == null) {
            if (Thread.currentThread() == dispatcherThread) {
                task.run();
            } else {
                runOnOwnThread(task);
            }
            return;
        }
        try {
            if (executor instanceof BatchingExecutor batching && Thread.currentThread() == dispatcherThread) {
                batching.enqueue(task);  // the dispatcher flushes once per loop turn: flushHandOffs
            } else {
                executor.execute(task);
            }
        } catch (RejectedExecutionException e) {
            runOnOwnThread(task);
        }
    }

    /** Runs {@code task} on the executor, never on the calling thread; inline handlers: see the caller. */
    void executeElsewhere(Runnable task) {
        if (executor != null) {
            try {
                executor.execute(task);
                return;
            } catch (RejectedExecutionException ignored) {
                // Closed pool: fall through to a thread of its own.
            }
        }
        runOnOwnThread(task);
    }

    /** The one fallback for a task no executor will take: a virtual thread of its own. */
    void runOnOwnThread(Runnable task) {
        Thread.ofVirtual().name(config.name() + "-late-handler").start(task);
    }

    /**
     * Wakes a thread for the hand-offs the dispatcher queued since the last call, when the
     * executor batches them (the proactor's own pool, or a caller's {@link BatchingExecutor});
     * dispatcher thread.
     */
    void flushHandOffs() {
        if (executor instanceof BatchingExecutor batching) {
            batching.flush();
        }
    }

    /** Whether {@code t} is one of the workers this proactor owns (a caller's executor is not told apart). */
    boolean isOwnWorker(Thread t) {
        return owned != null && workerThreads.contains(t);
    }

    /**
     * Whether {@code t} is the only worker this proactor owns ({@code workerThreads(1)}): the one
     * thread every delivery of this proactor needs, so it must never wait for one.
     */
    boolean isSoleWorker(Thread t) {
        return config.workerThreads() == 1 && isOwnWorker(t);
    }

    /** A handler of {@code op} threw {@code error}: the failure policy decides what follows. */
    void failed(OperationImpl<?> op, Throwable error) {
        failureCounted.run();
        switch (config.handlerFailures()) {
            case HandlerFailurePolicy.Log l -> LOG.log(Level.WARNING, "handler of " + op + " threw", error);
            case HandlerFailurePolicy.CloseResource c -> {
                LOG.log(Level.WARNING, "handler of " + op + " threw; closing its resource", error);
                if (op.resource != null) {
                    closeResource.accept(op.resource);
                }
            }
            case HandlerFailurePolicy.Report r -> {
                try {
                    r.sink().accept(new HandlerFailure(op, error, Thread.currentThread().getName()));
                } catch (RuntimeException | Error e) {
                    e.addSuppressed(error);
                    LOG.log(Level.WARNING, "handler failure sink threw while reporting " + op, e);
                }
            }
        }
    }

    /**
     * Waits, until {@code deadlineNanos} at most, for every delivery handed over to be handled. From
     * here on {@link #delivered()} wakes the wait; one that counted down before saw the flag unset,
     * and the count checked under the lock tells.
     */
    void awaitHandled(long deadlineNanos) {
        synchronized (undelivered) {
            closing = true;
            long left;
            while (undelivered.get() > 0 && (left = deadlineNanos - System.nanoTime()) > 0) {
                try {
                    undelivered.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Stops the owned pool and joins its threads, until {@code deadlineNanos}; handlers still
     * running then are interrupted. A caller's executor is the caller's to stop.
     */
    void shutdown(long deadlineNanos) {
        if (owned == null) {
            return;
        }
        owned.shutdown();
        try {
            if (!owned.awaitTermination(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                LOG.log(Level.WARNING, config.name() + ": handlers still running after close; interrupting them");
                owned.shutdownNow();
            }
            for (Thread t : workerThreads) {
                t.join(Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            owned.shutdownNow();
        }
    }

    /** A proactor that failed to open: its pool goes at once. */
    void abort() {
        if (owned != null) {
            owned.shutdownNow();
        }
    }
}
