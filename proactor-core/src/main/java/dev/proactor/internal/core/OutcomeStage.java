package dev.proactor.internal.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The read-only stage of one operation's outcome, shared by every caller of
 * {@link dev.proactor.Operation#stage()}. Only the operation completes it, once its outcome is
 * published; a caller cannot, because the stage completing tells everyone who shares it that the
 * operation ended and its buffers are theirs again.
 *
 * <p>Why a subclass rather than {@link CompletableFuture#minimalCompletionStage()}: a minimal stage
 * is completed through a relay that wraps the failure in a {@link java.util.concurrent.CompletionException},
 * so {@code whenComplete} and {@code exceptionally} on it would no longer see the
 * {@link dev.proactor.ProactorException} itself. Dependent stages are plain, writable
 * {@link CompletableFuture}s ({@link #newIncompleteFuture} is not overridden): completing one of
 * them affects only that caller's own chain.
 *
 * @param <T> the result type
 */
final class OutcomeStage<T> extends CompletableFuture<T> {
    private final long operationId;

    OutcomeStage(long operationId) {
        this.operationId = operationId;
    }

    /** Completes the stage with the operation's result; the operation's delivery calls it once. */
    void publish(T value) {
        super.complete(value);
    }

    /** Completes the stage with the operation's failure; the operation's delivery calls it once. */
    void publishFailure(Throwable failure) {
        super.completeExceptionally(failure);
    }

    /**
     * An independent copy: completing, cancelling or timing it out changes only the copy. It
     * completes when this stage does, with the same result or the same (unwrapped) failure.
     */
    @Override
    public CompletableFuture<T> toCompletableFuture() {
        CompletableFuture<T> copy = new CompletableFuture<>();
        whenComplete((v, e) -> {
            if (e == null) {
                copy.complete(v);
            } else {
                copy.completeExceptionally(e);
            }
        });
        return copy;
    }

    /**
     * Does nothing and returns false: the stage cannot be cancelled, only the operation can
     * ({@link dev.proactor.Operation#cancel()}). Returning false rather than throwing keeps code
     * that cancels any {@link java.util.concurrent.Future} it stops waiting for working, as
     * {@link java.util.concurrent.Future#cancel} allows an attempt to fail.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return false;
    }

    @Override
    public boolean complete(T value) {
        throw refused("complete");
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        throw refused("completeExceptionally");
    }

    @Override
    public void obtrudeValue(T value) {
        throw refused("obtrudeValue");
    }

    @Override
    public void obtrudeException(Throwable ex) {
        throw refused("obtrudeException");
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        throw refused("completeAsync");
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        throw refused("completeAsync");
    }

    @Override
    public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        throw refused("orTimeout");
    }

    @Override
    public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        throw refused("completeOnTimeout");
    }

    private UnsupportedOperationException refused(String method) {
        return new UnsupportedOperationException(method + " on the stage of operation " + operationId
                + ": the stage is read-only and completes only when the operation ends; use"
                + " toCompletableFuture() for a copy of your own, Operation.cancel() to cancel,"
                + " await(Duration) or withTimeout to bound the wait");
    }

    @Override
    public String toString() {
        return "stage of operation " + operationId + " " + super.toString();
    }
}
