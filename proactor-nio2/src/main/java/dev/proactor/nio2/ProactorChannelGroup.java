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
 * group's executor (the fixed pool of {@code withFixedThreadPool}, the executor of
 * {@code withThreadPool} and {@code withCachedThreadPool}, or the default group's pool). The
 * proactor is opened with that executor as its handler executor, wrapped so that each task marks
 * its thread as this group's ({@link HandlerInvoker}).
 *
 * <p>Life-cycle, as the JDK's specifies: {@link #shutdown()} refuses new channels; once the last
 * channel is closed the group terminates: the proactor is closed (its dispatcher, ring and native
 * memory go), then the executor is shut down and the handlers already handed to it run. {@link
 * #shutdownNow()} also closes every open channel, failing their pending operations with
 * {@code AsynchronousCloseException}. Every method is safe from any thread, handlers included.
 */
final class ProactorChannelGroup extends AsynchronousChannelGroup {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Proactor proactor;
    private final ExecutorService executor;
    /** The default group can never be shut down, as the JDK's. */
    private final boolean isDefault;
    private final Set<Member> channels = ConcurrentHashMap.newKeySet();
    private final HelpingWait waits = new HelpingWait(this);
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

    ProactorChannelGroup(ProactorChannelProvider provider, BackendChoice backend, ExecutorService executor,
            boolean isDefault) throws IOException {
        super(provider);
        this.executor = executor;
        this.isDefault = isDefault;
        try {
            this.proactor = Proactor.open(ProactorConfig.builder()
                    .name("nio2-group-" + SEQUENCE.incrementAndGet())
                    .backend(backend)
                    .handlerExecutor(this::execute)
                    .build());
        } catch (UncheckedIOException e) {
            executor.shutdown();
            throw e.getCause();
        }
    }

    /** The proactor performing this group's operations. */
    Proactor proactor() {
        return proactor;
    }

    /**
     * Runs {@code task} on the group's executor, its thread marked as this group's; while a group
     * thread waits in {@link #await}, that thread may run it instead.
     */
    void execute(Runnable task) {
        Runnable t = waits.offer(task);
        executor.execute(() -> HandlerInvoker.runMarked(this, t));
    }

    /**
     * Initiates an operation and waits for its outcome, without deadlocking when called on a group
     * thread: {@link HelpingWait}.
     */
    <T> T await(java.util.function.Supplier<dev.proactor.Operation<T>> initiate) throws IOException {
        return waits.await(initiate);
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
        return closed.isDone() && executor.isTerminated();
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
            // The proactor's close failed; the executor's termination still decides.
        }
        return executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /**
     * Begins termination if the group is shut down and has no channel left. The proactor's close
     * runs on a thread of its own (it may be reached from a handler, on which it must not wait);
     * the executor is shut down after it, so the outcomes the close publishes still find a thread.
     */
    private void terminateIfIdle() {
        synchronized (lock) {
            if (!shutdown || terminating || !channels.isEmpty()) {
                return;
            }
            terminating = true;
        }
        proactor.closeAsync(Duration.ofSeconds(10)).whenComplete((report, failure) -> {
            executor.shutdown();
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
