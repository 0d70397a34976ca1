package dev.proactor;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * What the proactor does when a completion handler throws. Whatever the policy, the failure is
 * counted in the metrics, the other handlers of the operation still run, and the dispatcher and
 * the worker keep going.
 */
public sealed interface HandlerFailurePolicy {

    /** Log the failure through {@link System.Logger} at WARNING, with its stack trace. */
    static HandlerFailurePolicy log() {
        return Log.INSTANCE;
    }

    /** Log, then close the resource (file or socket) the operation belonged to. */
    static HandlerFailurePolicy closeResource() {
        return CloseResource.INSTANCE;
    }

    /** Hand the failure to {@code sink}, on the worker that ran the handler; if the sink throws, log. */
    static HandlerFailurePolicy report(Consumer<HandlerFailure> sink) {
        return new Report(Objects.requireNonNull(sink, "sink"));
    }

    /** See {@link #log()}. */
    enum Log implements HandlerFailurePolicy {
        /** The only instance. */
        INSTANCE
    }

    /** See {@link #closeResource()}. */
    enum CloseResource implements HandlerFailurePolicy {
        /** The only instance. */
        INSTANCE
    }

    /**
     * See {@link #report(Consumer)}.
     *
     * @param sink receives each failure
     */
    record Report(Consumer<HandlerFailure> sink) implements HandlerFailurePolicy {}
}
