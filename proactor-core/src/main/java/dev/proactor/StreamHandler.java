package dev.proactor;

/**
 * Receives the items of an {@link OperationStream}: each accepted connection of
 * {@link AsyncServerSocket#acceptEach}, each chunk of {@link AsyncSocket#receiveEach}. Called on a
 * worker thread (on the dispatcher only with inline handlers), one call at a time per stream and
 * in the order the kernel produced the items, never concurrently for one stream. A handler that
 * throws is reported to the proactor's {@link HandlerFailurePolicy}; the stream goes on.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface StreamHandler<T> {
    /** Takes one item; see the stream's method for who owns it afterwards. */
    void next(T item);
}
