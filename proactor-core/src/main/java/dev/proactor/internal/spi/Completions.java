package dev.proactor.internal.spi;

import java.lang.foreign.MemorySegment;

/**
 * Where a backend reports outcomes. Implemented by the core's dispatcher. All methods must be
 * called on the dispatcher thread.
 *
 * <p>For every submission it accepted, a backend calls exactly one of the settling methods
 * ({@link #complete}, {@link #fail}, {@link #timedOut}, {@link #cancelled}) once its outcome is
 * known, and then {@link #released} once it will never touch the submission's memory again. The core
 * ignores and counts any settling after the first.
 */
public interface Completions {

    /** The submission routed by {@code token}, or null when none is pending under it (a stray). */
    Submission lookup(long token);

    /** Ended with a non-negative result; {@code attachment} carries a structured result, or null. */
    void complete(Submission s, long result, Object attachment);

    /**
     * One result of a multishot submission ({@link Request.AcceptEach}, {@link Request.ReceiveEach})
     * that stays in the kernel: more results, and the round's own end, follow. A sink that never
     * submits multishot requests need not take it.
     */
    default void next(Submission s, long result, Object attachment) {
        throw new UnsupportedOperationException("multishot result for " + s);
    }

    /**
     * One chunk of a {@link Request.ReceiveEach} that stays in the kernel: {@link #next} with the
     * {@link Request.Chunk} in its parts, so that the hot path allocates no record per chunk (the
     * core keeps the parts, never the record). The round's own last chunk comes through
     * {@link #complete} with a {@code Request.Chunk}.
     */
    default void nextChunk(Submission s, long result, int bufferId, MemorySegment data) {
        next(s, result, new Request.Chunk(bufferId, data));
    }

    /** Ended with a positive errno. */
    void fail(Submission s, int errno);

    /** Ended because its deadline passed first. */
    void timedOut(Submission s);

    /** Ended by a cancellation the core requested. */
    void cancelled(Submission s);

    /** The backend holds no reference to the submission or its memory any more. */
    void released(Submission s);

    /** A completion arrived for an unknown token (counted; never fatal). */
    void stray(long userData, int result);

    /** The kernel held completions back for lack of room ({@code n} times since the last call). */
    void overflowed(long n);
}
