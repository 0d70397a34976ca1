package dev.proactor.nio2;

import dev.proactor.Operation;
import dev.proactor.ProactorException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The waits of a group's channels, made so that they cannot deadlock the group: a channel method
 * that returns a proactor operation's outcome (a live socket option, a shutdown) and the
 * {@code get} of a Future form. The proactor delivers every outcome on the group's pool; a handler
 * that waits on a pool thread for an outcome would wait for itself when the pool has one thread (or
 * when every thread of a fixed pool does it). So a waiting pool thread runs the pool's tasks
 * meanwhile, the delivery it waits for among them, as a {@code ForkJoinPool} worker helps while it
 * joins ({@link HandlerPool#helpUntil}).
 *
 * <p>Any thread may call it; threads that are not the group's simply wait.
 */
final class HelpingWait {

    private HelpingWait() {}

    /**
     * Initiates an operation and waits for its outcome. The operation is delivered on the
     * dispatcher ({@link HandlerPool#deliverDirect}, or on this thread when it ended before it was
     * marked): its only handler, when there is one, is this wait's wake-up, so the wait depends on
     * the kernel and the dispatcher alone, never on a pool thread, on a pool thread or not.
     *
     * @throws IOException the operation's failure, as {@link Failures#toIo} maps it, or
     *     {@link InterruptedIOException} when the thread is interrupted (the operation goes on)
     */
    static <T> T await(HandlerPool pool, Supplier<Operation<T>> initiate) throws IOException {
        Operation<T> op = initiate.get();
        try {
            if (pool.isPoolThread()) {
                Thread me = Thread.currentThread();
                AtomicBoolean delivered = new AtomicBoolean();
                op.onComplete((v, f) -> {
                    delivered.set(true);
                    LockSupport.unpark(me);
                });
                pool.deliverDirect(op);
                try {
                    pool.helpUntil(delivered::get, false, 0);
                } catch (InterruptedException e) {
                    me.interrupt();
                    throw new InterruptedIOException("interrupted while waiting for " + op.kind());
                }
                // Its handlers ran; the operation's own delivery, before them, published the outcome.
            } else {
                pool.deliverDirect(op);
            }
            return op.await();
        } catch (ProactorException e) {
            throw Failures.toIo(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + op.kind());
        } finally {
            pool.forgetDirect(op);
        }
    }

    /** Waits for {@code outcome} and returns it as {@link java.util.concurrent.Future#get()} does. */
    static <V> V get(HandlerPool pool, CompletableFuture<V> outcome) throws InterruptedException, ExecutionException {
        help(pool, outcome, false, 0);
        return outcome.get();
    }

    /** Waits at most {@code timeout} for {@code outcome}, as {@link java.util.concurrent.Future#get(long, TimeUnit)}. */
    static <V> V get(HandlerPool pool, CompletableFuture<V> outcome, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        long nanos = unit.toNanos(timeout);
        if (!help(pool, outcome, true, System.nanoTime() + nanos)) {
            throw new TimeoutException();
        }
        return outcome.get(nanos, TimeUnit.NANOSECONDS);
    }

    /** On a pool thread, runs the pool's tasks until {@code outcome} is done; false if the deadline passed first. */
    private static boolean help(HandlerPool pool, CompletableFuture<?> outcome, boolean timed, long deadline)
            throws InterruptedException {
        if (outcome.isDone() || !pool.isPoolThread()) {
            return true;
        }
        Thread me = Thread.currentThread();
        outcome.whenComplete((v, f) -> LockSupport.unpark(me));
        return pool.helpUntil(outcome::isDone, timed, deadline);
    }
}
