package dev.proactor.internal.spi;

import dev.proactor.OperationKind;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/**
 * Performs operations for one dispatcher. All methods except {@link #wakeup()} must be called on
 * the dispatcher thread, which is also the thread that created the backend.
 */
public interface Backend {

    /** A short name, such as {@code io_uring} or {@code portable}. */
    String name();

    /** How each operation kind is performed, or why it is not. */
    Map<OperationKind, String> operationSupport();

    /** Whether {@code kind} can be submitted. */
    boolean supports(OperationKind kind);

    /** The ring's setup flags, features and probed opcodes, for the capability report; empty if none. */
    default List<String> setupFlags() {
        return List.of();
    }

    /** Takes the sink that receives outcomes; called once, before anything else. */
    void start(Completions completions);

    /**
     * Registers buffers with the kernel so that {@link Request.Read#bufferIndex()} can name them.
     * Returns false if the backend cannot (it logs why); the core then passes the buffers
     * unregistered, with index -1.
     */
    boolean registerBuffers(MemorySegment[] buffers);

    /**
     * Accepts a submission. Returns false when there is no room now (submission queue full, or its
     * completions might not fit the completion queue): back-pressure, never loss. The core offers it
     * again after the next {@link #runOnce}.
     */
    boolean submit(Submission s);

    /**
     * Asks the kernel to cancel a submission it holds. Returns false when there is no room now; the
     * core asks again later. The outcome still arrives through the submission's own settling call.
     */
    boolean cancel(Submission s);

    /**
     * Hands accepted submissions to the kernel and delivers completions. Waits up to
     * {@code waitNanos} (0: do not wait, negative: until something happens) when nothing is ready.
     * Returns how many completions it delivered.
     */
    int runOnce(long waitNanos);

    /** Makes a current or the next {@link #runOnce} return promptly. Safe from any thread. */
    void wakeup();

    /**
     * Whether a {@code runOnce(0)} now would deliver a completion, told without blocking and as
     * cheaply as the backend can (no system call where it can tell without one): the dispatcher
     * polls it while it spins before it sleeps, and ends the spin when it answers true. Only
     * consulted when {@link #seesCompletions()}. Wrong answers cost only time, never a completion:
     * the wait that follows a spin delivers whatever came.
     */
    default boolean completionsPending() {
        return false;
    }

    /**
     * Whether {@link #completionsPending()} sees every completion a {@code runOnce(0)} would
     * deliver, so that the dispatcher may spin on it before it sleeps; fixed for the backend's life.
     * A backend that cannot tell says false, and its dispatcher goes to the kernel at once rather
     * than spin past completions it cannot see. The default says false.
     */
    default boolean seesCompletions() {
        return false;
    }

    /**
     * The core is about to close descriptor {@code fd} and has asked to cancel everything pending on
     * it. A backend whose requests cannot all be cancelled (a blocking call already running) must
     * now make them end, for example by closing the underlying channel; their outcome is then
     * reported as usual and the core counts it as cancelled. The descriptor itself is still closed
     * by a {@link Request.Close} afterwards.
     */
    default void descriptorClosing(int fd) {}

    /**
     * Aborts the connection of stream socket {@code fd}, which the core is about to close: queued
     * send data is discarded and a TCP peer gets a reset (RST) rather than end of stream, so that
     * a peer never mistakes a stream cut short for a complete one. Sends still pending on it end
     * (the core has asked to cancel them). Quick, never blocks; a socket with no connection to
     * reset (Unix-domain) is left to its close.
     */
    void resetConnection(int fd);

    /**
     * Whether {@code kind} can be submitted as a multishot request: {@link Request.AcceptEach} for
     * ACCEPT, {@link Request.ReceiveEach} for RECV. Where it cannot, the core arms single-shot
     * requests one after another instead.
     */
    default boolean supportsMultishot(OperationKind kind) {
        return false;
    }

    /**
     * Takes back the provided buffer {@code bufferId} that a {@link Request.Chunk} lent to the core,
     * so that a later {@link Request.ReceiveEach} may fill it again.
     */
    default void recycle(int bufferId) {
        throw new UnsupportedOperationException("no provided buffers");
    }

    /** Provided buffers lent to the core now (chunks not yet recycled). */
    default int providedBuffersLent() {
        return 0;
    }

    /** Provided buffers in all (lent or not); 0 if none. */
    default int providedBufferCount() {
        return 0;
    }

    /** Completions the kernel reported lost (IORING_FEAT_NODROP makes this stay 0). */
    default long droppedCompletions() {
        return 0;
    }

    /** Submissions accepted and not yet released. */
    int pending();

    /** Calls into the kernel so far. */
    long kernelCalls();

    /** Native bytes the backend holds now, for leak accounting. */
    long nativeBytes();

    /**
     * Frees the backend's resources. Submissions still pending are abandoned: their memory is kept
     * (leaked on purpose, and counted by {@link #nativeBytes()}) because the kernel may still
     * write to it.
     */
    void close();
}
