package dev.proactor.nio2;

import dev.proactor.BackendChoice;
import dev.proactor.CloseReport;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.ShutdownChannelGroupException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link AsynchronousChannelGroup} that is one {@link Proactor}: its channels' sockets belong to
 * the proactor, whose dispatcher performs their operations, and the completion handlers run on the
 * group's {@link HandlerPool}, the proactor's handler executor, which takes each dispatcher turn's
 * completions as one batch: the threads of {@code withFixedThreadPool}'s factory, loops run on the
 * executor of {@code withThreadPool} and {@code withCachedThreadPool}, or the default group's
 * threads.
 *
 * <p>Life-cycle, as the JDK's specifies: {@link #shutdown()} refuses new channels; once the last
 * channel is closed the group terminates: the proactor is closed (its dispatcher, ring and native
 * memory go), then the pool (and a caller's executor) is shut down and the handlers already handed
 * to it run. {@link
 * #shutdownNow()} also closes every open channel, failing their pending operations with
 * {@code AsynchronousCloseException}. Every method is safe from any thread, handlers included.
 */
final class ProactorChannelGroup extends AsynchronousChannelGroup {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Proactor proactor;
    private final HandlerPool pool;
    /** The caller's executor the pool's loops run on, shut down with the group; null if none. */
    private final ExecutorService executor;
    /** The default group can never be shut down, as the JDK's. */
    private final boolean isDefault;
    private final Set<Member> channels = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private boolean shutdown;
    /** Guarded by {@link #lock}: termination began. */
    private boolean terminating;
    /** Completes once the proactor is closed and the executor has been told to shut down. */
    private final CompletableFuture<CloseReport> closed = new CompletableFuture<>();

    /** What the group needs of its channels: to close them all on {@link #shutdownNow()}. */
    interface Member {
        void close() throws IOException;
    }

    /** A group whose handlers run on {@code pool}, itself on {@code executor} if that is not null. */
    ProactorChannelGroup(ProactorChannelProvider provider, BackendChoice backend, HandlerPool pool,
            ExecutorService executor, boolean isDefault) throws IOException {
        super(provider);
        this.pool = pool;
        this.executor = executor;
        this.isDefault = isDefault;
        try {
            this.proactor = Proactor.open(ProactorConfig.builder()
                    .name("nio2-group-" + SEQUENCE.incrementAndGet())
                    .backend(backend)
                    .handlerExecutor(pool)
                    .build());
        } catch (UncheckedIOException e) {
            shutdownThreads();
            throw e.getCause();
        }
    }

    /** The proactor performing this group's operations. */
    Proactor proactor() {
        return proactor;
    }

    /** The threads that run this group's handlers. */
    HandlerPool pool() {
        return pool;
    }

    /**
     * Runs {@code task} on one of the group's threads.
     *
     * @throws java.util.concurrent.RejectedExecutionException once the group has terminated
     */
    void execute(Runnable task) {
        pool.execute(task);
    }

    private void shutdownThreads() {
        pool.shutdown();
        if (executor != null) {
            executor.shutdown();
        }
    }

    /**
     * Initiates an operation and waits for its outcome, without deadlocking when called on a group
     * thread: {@link HelpingWait}.
     */
    <T> T await(java.util.function.Supplier<dev.proactor.Operation<T>> initiate) throws IOException {
        return HelpingWait.await(pool, initiate);
    }

    /**
     * Registers a new channel.
     *
     * @throws ShutdownChannelGroupException if the group is shut down
     */
    void register(Member channel) {
        synchronized (lock) {
            if (shutdown) {
                throw new ShutdownChannelGroupException();
            }
            channels.add(channel);
        }
    }

    /** Forgets a closed channel; the last one of a shut-down group terminates it. */
    void unregister(Member channel) {
        channels.remove(channel);
        terminateIfIdle();
    }

    /** Whether the group has terminated or is terminating: no handler can be dispatched any more. */
    boolean isTerminating() {
        synchronized (lock) {
            return terminating;
        }
    }

    @Override
    public boolean isShutdown() {
        synchronized (lock) {
            return shutdown;
        }
    }

    @Override
    public boolean isTerminated() {
        return closed.isDone() && pool.isTerminated() && (executor == null || executor.isTerminated());
    }

    @Override
    public void shutdown() {
        if (isDefault) {
            throw new UnsupportedOperationException("the default group cannot be shut down");
        }
        synchronized (lock) {
            shutdown = true;
        }
        terminateIfIdle();
    }

    @Override
    public void shutdownNow() throws IOException {
        if (isDefault) {
            throw new UnsupportedOperationException("the default group cannot be shut down");
        }
        synchronized (lock) {
            shutdown = true;
        }
        IOException first = null;
        for (Member c : new ArrayList<>(channels)) {
            try {
                c.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        terminateIfIdle();
        if (first != null) {
            throw first;
        }
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        try {
            closed.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            // The proactor's close failed; the threads' termination still decides.
        }
        return pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                && (executor == null
                        || executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
    }

    /**
     * Begins termination if the group is shut down and has no channel left. The proactor's close
     * runs on a thread of its own (it may be reached from a handler, on which it must not wait);
     * the pool is shut down after it, so the outcomes the close publishes still find a thread.
     */
    private void terminateIfIdle() {
        synchronized (lock) {
            if (!shutdown || terminating || !channels.isEmpty()) {
                return;
            }
            terminating = true;
        }
        proactor.closeAsync(Duration.ofSeconds(10)).whenComplete((report, failure) -> {
            shutdownThreads();
            if (failure != null) {
                closed.completeExceptionally(failure);
            } else {
                closed.complete(report);
            }
        });
    }

    @Override
    public String toString() {
        return "ProactorChannelGroup[" + proactor.config().name() + ", " + proactor.backendName()
                + (isShutdown() ? ", shutdown" : "") + "]";
    }
}
