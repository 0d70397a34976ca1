package dev.proactor;

/**
 * A completion handler threw.
 *
 * @param operation the operation whose handler threw; its outcome is final
 * @param error what the handler threw
 * @param threadName the thread the handler ran on
 */
public record HandlerFailure(Operation<?> operation, Throwable error, String threadName) {}
