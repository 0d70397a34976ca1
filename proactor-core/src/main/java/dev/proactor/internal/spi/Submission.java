package dev.proactor.internal.spi;

/**
 * One kernel round of an operation, as a backend sees it. The core owns it; a backend reads it and
 * keeps its own per-submission state in {@link #backendState}. All fields are confined to the
 * dispatcher thread.
 */
public abstract class Submission {

    /** Backend-private state, for instance native memory the kernel may write until release. */
    public Object backendState;

    private long token = -1;

    /** For subclasses. */
    protected Submission() {}

    /** What to do in this round. */
    public abstract Request request();

    /** Absolute deadline on the {@link System#nanoTime()} clock, or 0 for none. */
    public abstract long deadlineNanos();

    /** Whether the core has asked for this submission to be cancelled. */
    public abstract boolean cancelRequested();

    /**
     * The routing token of this round: at most 56 bits, never negative, unique among the rounds the
     * backend holds. A backend may use the 8 bits above it for its own tags.
     */
    public final long token() {
        return token;
    }

    /** Set by the core before each submission. */
    public final void token(long token) {
        this.token = token;
    }
}
