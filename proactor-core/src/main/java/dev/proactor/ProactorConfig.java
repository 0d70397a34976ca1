package dev.proactor;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * How a {@link Proactor} is built. Immutable; start from {@link #defaults()} or {@link #builder()}.
 *
 * @param name prefix of the proactor's thread names, and its name in logs and JFR events
 * @param backend which backend performs the operations
 * @param submissionQueueEntries io_uring submission queue size (a power of two, clamped by the kernel);
 *     at least {@value #MIN_SUBMISSION_QUEUE_ENTRIES}, since one operation may need 3 entries (a
 *     file-to-socket transfer with a deadline: two splices and a linked timeout) and the
 *     dispatcher's wake-up read one more. The portable backend sizes its file-call queue by it
 * @param completionQueueEntries io_uring completion queue size; at least the submission queue size
 * @param handlerExecutor where completion handlers run; null for a pool owned by the proactor
 * @param workerThreads size of the proactor's own pool when {@code handlerExecutor} is null
 * @param inlineHandlers run handlers on the dispatcher thread itself: fastest, but a slow handler
 *     then stalls every completion
 * @param maxInFlight operations admitted at once across the proactor
 * @param maxInFlightPerResource operations admitted at once on one file or socket
 * @param admission what happens to an operation initiated at either limit
 * @param retry which errors are retried, how often and with what backoff
 * @param handlerFailures what happens when a completion handler throws
 * @param bufferSize bytes in each slab of the buffer pool
 * @param bufferCount slabs in the buffer pool (allocated once, off-heap)
 * @param registerBuffers register the pool's slabs with the kernel so reads and writes through a
 *     lease skip the per-operation page pinning
 * @param slowOperationThreshold operations slower than this emit a {@code dev.proactor.SlowOperation}
 *     JFR event
 * @param closeTimeout how long {@link Proactor#close()} lets pending operations finish before it
 *     cancels them
 * @param zeroCopySendThreshold sends of at least this many bytes go out without copying the data
 *     into the kernel (io_uring IORING_OP_SEND_ZC where the kernel has it; the portable backend
 *     ignores it); 0, the default, turns zero-copy off; at most 1 GiB. It costs a page pinning per
 *     send and a second completion (the kernel's notification that it no longer reads the buffer),
 *     which is why small sends are better copied: 16 KiB is a reasonable threshold. The send's
 *     operation, and the buffer with it, is handed back only after that notification, which on TCP
 *     comes once the peer <em>acknowledged</em> the data, not when it was queued. So a zero-copy
 *     write larger than what the peer's receive window takes ends only once the peer reads: a
 *     protocol in which the peer reads only after the writer's write ended deadlocks (with copying
 *     sends the socket's send buffer absorbs it), which is why it is off unless asked for. Against
 *     a peer that stops reading, neither a deadline nor a cancel ends such a send; closing the
 *     socket does, by resetting the connection
 * @param receiveBufferSize bytes in each buffer that {@link AsyncSocket#receiveEach} receives into
 *     (one chunk holds at most this much); in [256, 16 MiB], default 16 KiB
 * @param receiveBufferCount buffers for {@link AsyncSocket#receiveEach}, shared by every connection
 *     of the proactor and taken only while data waits for its handler (io_uring: the provided buffer
 *     ring; portable: its own buffer set); a power of two in [1, 32768], default 256. Allocated once,
 *     off-heap, when the proactor opens
 * @param receiveBacklog chunks per connection that {@link AsyncSocket#receiveEach} may have
 *     undelivered or unreleased before it stops receiving on that connection; in [1, 65536], default 16
 * @param writeBudget bytes of writes that may be pending on one socket before further writes meet
 *     the {@link AdmissionPolicy} (see {@link AsyncSocket#writeBudget(long)}, which overrides it per
 *     socket); at least 1, default 64 MiB
 */
public record ProactorConfig(
        String name,
        BackendChoice backend,
        int submissionQueueEntries,
        int completionQueueEntries,
        Executor handlerExecutor,
        int workerThreads,
        boolean inlineHandlers,
        int maxInFlight,
        int maxInFlightPerResource,
        AdmissionPolicy admission,
        RetryPolicy retry,
        HandlerFailurePolicy handlerFailures,
        int bufferSize,
        int bufferCount,
        boolean registerBuffers,
        Duration slowOperationThreshold,
        Duration closeTimeout,
        int zeroCopySendThreshold,
        int receiveBufferSize,
        int receiveBufferCount,
        int receiveBacklog,
        long writeBudget) {

    /** The smallest submission queue accepted: the most SQEs one operation takes (3), plus the wake-up read. */
    public static final int MIN_SUBMISSION_QUEUE_ENTRIES = 4;

    /** Validates every field, so that a bad value fails here and not deep inside the dispatcher. */
    public ProactorConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(handlerFailures, "handlerFailures");
        Objects.requireNonNull(slowOperationThreshold, "slowOperationThreshold");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (submissionQueueEntries < MIN_SUBMISSION_QUEUE_ENTRIES) {
            throw new IllegalArgumentException("submissionQueueEntries must be at least " + MIN_SUBMISSION_QUEUE_ENTRIES
                    + " (an operation with a deadline takes 2 entries, a transfer with a deadline 3, and the"
                    + " wake-up read 1): " + submissionQueueEntries);
        }
        requireRange("submissionQueueEntries", submissionQueueEntries, MIN_SUBMISSION_QUEUE_ENTRIES, 32768);
        requireRange("completionQueueEntries", completionQueueEntries, submissionQueueEntries, 65536);
        requireRange("workerThreads", workerThreads, 1, 4096);
        requireRange("maxInFlight", maxInFlight, 1, 1 << 24);
        requireRange("maxInFlightPerResource", maxInFlightPerResource, 1, 1 << 24);
        requireRange("bufferSize", bufferSize, 512, 1 << 30);
        requireRange("bufferCount", bufferCount, 0, 16384);
        requireRange("zeroCopySendThreshold", zeroCopySendThreshold, 0, 1 << 30);
        requireRange("receiveBufferSize", receiveBufferSize, 256, 1 << 24);
        requireRange("receiveBufferCount", receiveBufferCount, 1, 32768);
        if (Integer.bitCount(receiveBufferCount) != 1) {
            throw new IllegalArgumentException("receiveBufferCount must be a power of two: " + receiveBufferCount);
        }
        requireRange("receiveBacklog", receiveBacklog, 1, 65536);
        requireRange("writeBudget", writeBudget, 1, Long.MAX_VALUE);
        if (closeTimeout.isNegative() || slowOperationThreshold.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
        if (inlineHandlers && handlerExecutor != null) {
            throw new IllegalArgumentException("inlineHandlers and handlerExecutor exclude each other");
        }
    }

    private static void requireRange(String what, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " must be in [" + min + ", " + max + "]: " + value);
        }
    }

    /** The defaults: automatic backend, a worker per core, 4096 in flight, 64 slabs of 64 KiB. */
    public static ProactorConfig defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds a {@link ProactorConfig}; every setter returns the builder. */
    public static final class Builder {
        private String name = "proactor";
        private BackendChoice backend = BackendChoice.AUTO;
        private int submissionQueueEntries = 256;
        private int completionQueueEntries = 4096;
        private Executor handlerExecutor;
        private int workerThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private boolean inlineHandlers;
        private int maxInFlight = 4096;
        private int maxInFlightPerResource = 1 << 24;
        private AdmissionPolicy admission = AdmissionPolicy.waitUpTo(Duration.ofSeconds(30));
        private RetryPolicy retry = RetryPolicy.defaults();
        private HandlerFailurePolicy handlerFailures = HandlerFailurePolicy.log();
        private int bufferSize = 64 * 1024;
        private int bufferCount = 64;
        private boolean registerBuffers = true;
        private Duration slowOperationThreshold = Duration.ofMillis(100);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private int zeroCopySendThreshold;
        private int receiveBufferSize = 16 * 1024;
        private int receiveBufferCount = 256;
        private int receiveBacklog = 16;
        private long writeBudget = 64L << 20;

        private Builder() {}

        private Builder(ProactorConfig c) {
            name = c.name;
            backend = c.backend;
            submissionQueueEntries = c.submissionQueueEntries;
            completionQueueEntries = c.completionQueueEntries;
            handlerExecutor = c.handlerExecutor;
            workerThreads = c.workerThreads;
            inlineHandlers = c.inlineHandlers;
            maxInFlight = c.maxInFlight;
            maxInFlightPerResource = c.maxInFlightPerResource;
            admission = c.admission;
            retry = c.retry;
            handlerFailures = c.handlerFailures;
            bufferSize = c.bufferSize;
            bufferCount = c.bufferCount;
            registerBuffers = c.registerBuffers;
            slowOperationThreshold = c.slowOperationThreshold;
            closeTimeout = c.closeTimeout;
            zeroCopySendThreshold = c.zeroCopySendThreshold;
            receiveBufferSize = c.receiveBufferSize;
            receiveBufferCount = c.receiveBufferCount;
            receiveBacklog = c.receiveBacklog;
            writeBudget = c.writeBudget;
        }

        /** See {@link ProactorConfig#name()}. */
        public Builder name(String v) { name = v; return this; }

        /** See {@link ProactorConfig#backend()}. */
        public Builder backend(BackendChoice v) { backend = v; return this; }

        /** Sets the submission queue size and, keeping the default ratio, a completion queue 16 times larger. */
        public Builder ringEntries(int sq) {
            submissionQueueEntries = sq;
            completionQueueEntries = Math.min(65536, Math.max(sq, sq * 16));
            return this;
        }

        /** See {@link ProactorConfig#submissionQueueEntries()}. */
        public Builder submissionQueueEntries(int v) { submissionQueueEntries = v; return this; }

        /** See {@link ProactorConfig#completionQueueEntries()}. */
        public Builder completionQueueEntries(int v) { completionQueueEntries = v; return this; }

        /** Runs handlers on {@code v}; the proactor does not shut it down. Virtual threads are fine. */
        public Builder handlerExecutor(Executor v) { handlerExecutor = v; inlineHandlers = false; return this; }

        /** See {@link ProactorConfig#workerThreads()}. */
        public Builder workerThreads(int v) { workerThreads = v; return this; }

        /** See {@link ProactorConfig#inlineHandlers()}. */
        public Builder inlineHandlers(boolean v) {
            inlineHandlers = v;
            if (v) {
                handlerExecutor = null;
            }
            return this;
        }

        /** See {@link ProactorConfig#maxInFlight()}. */
        public Builder maxInFlight(int v) { maxInFlight = v; return this; }

        /** See {@link ProactorConfig#maxInFlightPerResource()}. */
        public Builder maxInFlightPerResource(int v) { maxInFlightPerResource = v; return this; }

        /** See {@link ProactorConfig#admission()}. */
        public Builder admission(AdmissionPolicy v) { admission = v; return this; }

        /** See {@link ProactorConfig#retry()}. */
        public Builder retry(RetryPolicy v) { retry = v; return this; }

        /** See {@link ProactorConfig#handlerFailures()}. */
        public Builder handlerFailures(HandlerFailurePolicy v) { handlerFailures = v; return this; }

        /** See {@link ProactorConfig#bufferSize()}. */
        public Builder bufferSize(int v) { bufferSize = v; return this; }

        /** See {@link ProactorConfig#bufferCount()}. */
        public Builder bufferCount(int v) { bufferCount = v; return this; }

        /** See {@link ProactorConfig#registerBuffers()}. */
        public Builder registerBuffers(boolean v) { registerBuffers = v; return this; }

        /** See {@link ProactorConfig#slowOperationThreshold()}. */
        public Builder slowOperationThreshold(Duration v) { slowOperationThreshold = v; return this; }

        /** See {@link ProactorConfig#closeTimeout()}. */
        public Builder closeTimeout(Duration v) { closeTimeout = v; return this; }

        /** See {@link ProactorConfig#zeroCopySendThreshold()}; 0 turns zero-copy sends off. */
        public Builder zeroCopySendThreshold(int v) { zeroCopySendThreshold = v; return this; }

        /** See {@link ProactorConfig#receiveBufferSize()}. */
        public Builder receiveBufferSize(int v) { receiveBufferSize = v; return this; }

        /** See {@link ProactorConfig#receiveBufferCount()}. */
        public Builder receiveBufferCount(int v) { receiveBufferCount = v; return this; }

        /** See {@link ProactorConfig#receiveBacklog()}. */
        public Builder receiveBacklog(int v) { receiveBacklog = v; return this; }

        /** See {@link ProactorConfig#writeBudget()}. */
        public Builder writeBudget(long v) { writeBudget = v; return this; }

        /** Validates and builds. */
        public ProactorConfig build() {
            return new ProactorConfig(name, backend, submissionQueueEntries, completionQueueEntries,
                    handlerExecutor, workerThreads, inlineHandlers, maxInFlight, maxInFlightPerResource,
                    admission, retry, handlerFailures, bufferSize, bufferCount, registerBuffers,
                    slowOperationThreshold, closeTimeout, zeroCopySendThreshold, receiveBufferSize,
                    receiveBufferCount, receiveBacklog, writeBudget);
        }
    }
}
