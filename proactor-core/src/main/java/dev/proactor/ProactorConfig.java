package dev.proactor;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * How a {@link Proactor} is built. Immutable; start from {@link #defaults()} or {@link #builder()}.
 *
 * <p>A final class rather than a record, so that a setting can be added without breaking callers:
 * build one with {@link #builder()} or {@link #toBuilder()}. Two configurations are equal when every
 * setting is.
 */
public final class ProactorConfig {

    /** The smallest submission queue accepted: the most SQEs one operation takes (3), plus the wake-up read. */
    public static final int MIN_SUBMISSION_QUEUE_ENTRIES = 4;

    /** The longest {@link #dispatcherSpin()} accepted. */
    public static final Duration MAX_DISPATCHER_SPIN = Duration.ofMillis(10);

    /** The default {@link #dispatcherSpin()}. */
    public static final Duration DEFAULT_DISPATCHER_SPIN = Duration.ofNanos(50_000);

    private final String name;
    private final BackendChoice backend;
    private final int submissionQueueEntries;
    private final int completionQueueEntries;
    private final Executor handlerExecutor;
    private final int workerThreads;
    private final boolean inlineHandlers;
    private final ThreadFactory dispatcherThreadFactory;
    private final int maxInFlight;
    private final int maxInFlightPerResource;
    private final AdmissionPolicy admission;
    private final RetryPolicy retry;
    private final HandlerFailurePolicy handlerFailures;
    private final int bufferSize;
    private final int bufferCount;
    private final boolean registerBuffers;
    private final Duration slowOperationThreshold;
    private final Duration closeTimeout;
    private final int zeroCopySendThreshold;
    private final int receiveBufferSize;
    private final int receiveBufferCount;
    private final int receiveBacklog;
    private final long writeBudget;
    private final Duration dispatcherSpin;

    /** Takes the builder's values and validates each, so that a bad value fails here, not in the dispatcher. */
    private ProactorConfig(Builder b) {
        this.name = b.name;
        this.backend = b.backend;
        this.submissionQueueEntries = b.submissionQueueEntries;
        this.completionQueueEntries = b.completionQueueEntries;
        this.handlerExecutor = b.handlerExecutor;
        this.workerThreads = b.workerThreads;
        this.inlineHandlers = b.inlineHandlers;
        this.dispatcherThreadFactory = b.dispatcherThreadFactory;
        this.maxInFlight = b.maxInFlight;
        this.maxInFlightPerResource = b.maxInFlightPerResource;
        this.admission = b.admission;
        this.retry = b.retry;
        this.handlerFailures = b.handlerFailures;
        this.bufferSize = b.bufferSize;
        this.bufferCount = b.bufferCount;
        this.registerBuffers = b.registerBuffers;
        this.slowOperationThreshold = b.slowOperationThreshold;
        this.closeTimeout = b.closeTimeout;
        this.zeroCopySendThreshold = b.zeroCopySendThreshold;
        this.receiveBufferSize = b.receiveBufferSize;
        this.receiveBufferCount = b.receiveBufferCount;
        this.receiveBacklog = b.receiveBacklog;
        this.writeBudget = b.writeBudget;
        this.dispatcherSpin = b.dispatcherSpin;

        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(handlerFailures, "handlerFailures");
        Objects.requireNonNull(slowOperationThreshold, "slowOperationThreshold");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        Objects.requireNonNull(dispatcherSpin, "dispatcherSpin");
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
        if (dispatcherSpin.isNegative() || dispatcherSpin.compareTo(MAX_DISPATCHER_SPIN) > 0) {
            throw new IllegalArgumentException("dispatcherSpin must be in [0, " + MAX_DISPATCHER_SPIN.toMillis()
                    + " ms]: " + dispatcherSpin);
        }
        if (inlineHandlers && handlerExecutor != null) {
            throw new IllegalArgumentException("inlineHandlers and handlerExecutor exclude each other");
        }
    }

    /** Prefix of the proactor's thread names, and its name in logs and JFR events. */
    public String name() {
        return name;
    }

    /** Which backend performs the operations. */
    public BackendChoice backend() {
        return backend;
    }

    /**
     * The io_uring submission queue size (a power of two, clamped by the kernel); at least {@value
     * #MIN_SUBMISSION_QUEUE_ENTRIES}, since one operation may need 3 entries (a file-to-socket
     * transfer with a deadline: two splices and a linked timeout) and the dispatcher's wake-up
     * read one more. The portable backend sizes its file-call queue by it.
     */
    public int submissionQueueEntries() {
        return submissionQueueEntries;
    }

    /** The io_uring completion queue size; at least the submission queue size. */
    public int completionQueueEntries() {
        return completionQueueEntries;
    }

    /** Where completion handlers run; null for a pool owned by the proactor. */
    public Executor handlerExecutor() {
        return handlerExecutor;
    }

    /** Size of the proactor's own pool when {@code handlerExecutor} is null. */
    public int workerThreads() {
        return workerThreads;
    }

    /**
     * Whether handlers run on the dispatcher thread itself: fastest, but a slow handler then stalls
     * every completion.
     */
    public boolean inlineHandlers() {
        return inlineHandlers;
    }

    /**
     * Makes the dispatcher thread, or null for a daemon platform thread named
     * {@code <name>-dispatcher}. The factory is called once, on the thread that opens the proactor,
     * and must return a thread not yet started (the proactor starts it); the thread runs the backend
     * and blocks in the kernel between loop turns, so a platform thread suits it best. For a caller
     * whose handlers must run on threads of its own making (a NIO.2 group's factory) while they run on
     * the dispatcher: with {@link #inlineHandlers()}, or a {@link BatchingExecutor} that runs what the
     * dispatcher hands it right there. Virtual threads are accepted but pin their carrier in the
     * kernel wait.
     */
    public ThreadFactory dispatcherThreadFactory() {
        return dispatcherThreadFactory;
    }

    /** Operations admitted at once across the proactor. */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** Operations admitted at once on one file or socket. */
    public int maxInFlightPerResource() {
        return maxInFlightPerResource;
    }

    /** What happens to an operation initiated at either limit. */
    public AdmissionPolicy admission() {
        return admission;
    }

    /** Which errors are retried, how often and with what backoff. */
    public RetryPolicy retry() {
        return retry;
    }

    /** What happens when a completion handler throws. */
    public HandlerFailurePolicy handlerFailures() {
        return handlerFailures;
    }

    /** Bytes in each slab of the buffer pool. */
    public int bufferSize() {
        return bufferSize;
    }

    /** Slabs in the buffer pool (allocated once, off-heap). */
    public int bufferCount() {
        return bufferCount;
    }

    /**
     * Whether the pool's slabs are registered with the kernel, so that reads and writes through a
     * lease skip the per-operation page pinning.
     */
    public boolean registerBuffers() {
        return registerBuffers;
    }

    /** Operations slower than this emit a {@code dev.proactor.SlowOperation} JFR event. */
    public Duration slowOperationThreshold() {
        return slowOperationThreshold;
    }

    /** How long {@link Proactor#close()} lets pending operations finish before it cancels them. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /**
     * Sends of at least this many bytes go out without copying the data into the kernel (io_uring
     * IORING_OP_SEND_ZC where the kernel has it; the portable backend ignores it); 0, the default,
     * turns zero-copy off; at most 1 GiB. It costs a page pinning per send and a second completion
     * (the kernel's notification that it no longer reads the buffer), which is why small sends are
     * better copied: 16 KiB is a reasonable threshold. The send's operation, and the buffer with
     * it, is handed back only after that notification, which on TCP comes once the peer
     * <em>acknowledged</em> the data, not when it was queued. So a zero-copy write larger than
     * what the peer's receive window takes ends only once the peer reads: a protocol in which the
     * peer reads only after the writer's write ended deadlocks (with copying sends the socket's
     * send buffer absorbs it), which is why it is off unless asked for. Against a peer that stops
     * reading, neither a deadline nor a cancel ends such a send; closing the socket does, by
     * resetting the connection.
     */
    public int zeroCopySendThreshold() {
        return zeroCopySendThreshold;
    }

    /**
     * Bytes in each buffer that {@link AsyncSocket#receiveEach} receives into (one chunk holds at
     * most this much); in [256, 16 MiB], default 16 KiB.
     */
    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    /**
     * Buffers for {@link AsyncSocket#receiveEach}, shared by every connection of the proactor and
     * taken only while data waits for its handler (io_uring: the provided buffer ring; portable:
     * its own buffer set); a power of two in [1, 32768], default 256. Allocated once, off-heap,
     * when the proactor opens.
     */
    public int receiveBufferCount() {
        return receiveBufferCount;
    }

    /**
     * Chunks per connection that {@link AsyncSocket#receiveEach} may have undelivered or
     * unreleased before it stops receiving on that connection; in [1, 65536], default 16.
     */
    public int receiveBacklog() {
        return receiveBacklog;
    }

    /**
     * Bytes of writes that may be pending on one socket before further writes meet the {@link
     * AdmissionPolicy} (see {@link AsyncSocket#writeBudget(long)}, which overrides it per socket);
     * at least 1, default 64 MiB.
     */
    public long writeBudget() {
        return writeBudget;
    }

    /**
     * How long the dispatcher keeps polling for work before it sleeps in the kernel: operations
     * and commands posted by other threads, and completions the backend can see without waiting
     * (io_uring: the completion queue and the kernel's task-work flag, no system call; portable: a
     * {@code selectNow()} and the file threads' results). An operation initiated from another
     * thread (a worker's handler, a thread waiting on a result) while the dispatcher polls needs no
     * wake-up, which on a virtual machine costs tens of microseconds; the price is the CPU the
     * dispatcher burns when no work comes, at most this much each time it runs out of work. In
     * [0, 10 ms] ({@link #MAX_DISPATCHER_SPIN}); {@link Duration#ZERO} turns it off (the
     * dispatcher sleeps as soon as it is idle); default {@link #DEFAULT_DISPATCHER_SPIN} (50 µs,
     * somewhat above the wake-up it saves on a two-vCPU VM). Ignored, the dispatcher never spinning,
     * when the JVM has one usable CPU: there, polling would take the CPU from the threads that
     * produce the work.
     */
    public Duration dispatcherSpin() {
        return dispatcherSpin;
    }

    private Object[] values() {
        return new Object[] {name, backend, submissionQueueEntries, completionQueueEntries, handlerExecutor, workerThreads, inlineHandlers, dispatcherThreadFactory, maxInFlight, maxInFlightPerResource, admission, retry, handlerFailures, bufferSize, bufferCount, registerBuffers, slowOperationThreshold, closeTimeout, zeroCopySendThreshold, receiveBufferSize, receiveBufferCount, receiveBacklog, writeBudget, dispatcherSpin};
    }

    private static final String[] NAMES = {"name", "backend", "submissionQueueEntries", "completionQueueEntries", "handlerExecutor", "workerThreads", "inlineHandlers", "dispatcherThreadFactory", "maxInFlight", "maxInFlightPerResource", "admission", "retry", "handlerFailures", "bufferSize", "bufferCount", "registerBuffers", "slowOperationThreshold", "closeTimeout", "zeroCopySendThreshold", "receiveBufferSize", "receiveBufferCount", "receiveBacklog", "writeBudget", "dispatcherSpin"};

    @Override
    public boolean equals(Object o) {
        return o instanceof ProactorConfig c && Arrays.equals(values(), c.values());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values());
    }

    /** Every setting by name, as a record would show it. */
    @Override
    public String toString() {
        return ValueText.of("ProactorConfig", NAMES, values());
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
        private ThreadFactory dispatcherThreadFactory;
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
        private Duration dispatcherSpin = DEFAULT_DISPATCHER_SPIN;

        private Builder() {}

        private Builder(ProactorConfig c) {
            name = c.name;
            backend = c.backend;
            submissionQueueEntries = c.submissionQueueEntries;
            completionQueueEntries = c.completionQueueEntries;
            handlerExecutor = c.handlerExecutor;
            workerThreads = c.workerThreads;
            inlineHandlers = c.inlineHandlers;
            dispatcherThreadFactory = c.dispatcherThreadFactory;
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
            dispatcherSpin = c.dispatcherSpin;
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

        /**
         * Runs handlers on {@code v}; the proactor does not shut it down. Virtual threads are fine.
         * A {@link BatchingExecutor} is handed each dispatcher loop turn's completions as one batch.
         */
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

        /** See {@link ProactorConfig#dispatcherThreadFactory()}; null restores the default thread. */
        public Builder dispatcherThreadFactory(ThreadFactory v) { dispatcherThreadFactory = v; return this; }

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

        /** See {@link ProactorConfig#dispatcherSpin()}; {@link Duration#ZERO} turns the spin off. */
        public Builder dispatcherSpin(Duration v) { dispatcherSpin = v; return this; }

        /** Validates and builds. */
        public ProactorConfig build() {
            return new ProactorConfig(this);
        }
    }
}
