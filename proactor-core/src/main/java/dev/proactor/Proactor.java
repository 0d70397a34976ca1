package dev.proactor;

import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A proactor: initiate asynchronous operations from any thread; one dispatcher thread hands them to
 * the operating system, collects their completions and passes each handler to a worker thread.
 *
 * <pre>{@code
 * try (Proactor proactor = Proactor.open()) {
 *     AsyncFile file = proactor.openFile(Path.of("data.bin"), StandardOpenOption.READ).await();
 *     ByteBuffer buf = ByteBuffer.allocateDirect(4096);
 *     file.read(0, buf).onComplete((n, failure) -> System.out.println(n + " bytes"));
 * }
 * }</pre>
 *
 * <p>Every method is safe to call from any thread. Operations initiated after {@link #close()} began
 * fail with {@link ProactorClosedException}.
 */
public interface Proactor extends AutoCloseable {

    /** Opens a proactor with {@link ProactorConfig#defaults()}. */
    static Proactor open() {
        return open(ProactorConfig.defaults());
    }

    /**
     * Opens a proactor: picks the backend, sets up its ring or selector, starts the dispatcher.
     *
     * @throws java.io.UncheckedIOException if the requested backend is unavailable (the message
     *     says why) or setting it up failed
     */
    static Proactor open(ProactorConfig config) {
        return dev.proactor.internal.select.Backends.open(config);
    }

    /** What this proactor was opened with. */
    ProactorConfig config();

    /** The backend performing the operations, such as {@code io_uring} or {@code portable}. */
    String backendName();

    /** What the platform offers, which backend was chosen and why, and what is off. */
    CapabilityReport capabilities();

    /** An operation that does nothing in the kernel: the cost of one round trip. */
    Operation<Void> nop();

    /**
     * A nop whose operation object is used again for every run ({@link ReusableOperation#restart()}),
     * with {@code handler} run once per run: a loop of nops that allocates nothing per operation.
     * The first run is initiated now.
     */
    ReusableOperation<Void> reusableNop(ResultHandler<? super Void> handler);

    /**
     * A one-shot timer that completes, with no result, once {@code delay} has passed from this call.
     * It never fires early; timers fire in the order of their expiry.
     */
    Operation<Void> timer(Duration delay);

    /** Opens a file with mode {@code 0644} for created files. See {@link #openFile(Path, Set, int)}. */
    Operation<AsyncFile> openFile(Path path, OpenOption... options);

    /**
     * Opens a file asynchronously. Supported options: {@code READ}, {@code WRITE}, {@code APPEND},
     * {@code CREATE}, {@code CREATE_NEW}, {@code TRUNCATE_EXISTING}, {@code DSYNC}, {@code SYNC}
     * from {@link java.nio.file.StandardOpenOption}, {@link java.nio.file.LinkOption#NOFOLLOW_LINKS}, {@link FileOpenOption#DIRECT} and
     * {@link FileOpenOption#NON_BLOCKING}. If the
     * operation is cancelled after the kernel opened the file, the proactor closes it.
     *
     * @param mode permission bits for a file this call creates, such as {@code 0644}
     * @throws IllegalArgumentException for an unsupported option (the operation is not initiated)
     */
    Operation<AsyncFile> openFile(Path path, Set<? extends OpenOption> options, int mode);

    /**
     * Opens {@code path} relative to the open directory {@code directory} ({@code openat2(2)}),
     * resolving it under the {@code resolve} rules: with {@link ResolveOption#BENEATH} nothing
     * outside the directory can be reached, through {@code ..} or symbolic links, and the failure
     * is EXDEV. Options and mode are those of {@link #openFile(Path, Set, int)}; the opened file's
     * {@link AsyncFile#path()} is {@code directory.path().resolve(path)}. The directory is an
     * {@code AsyncFile} opened on a directory with {@code READ}; it must stay open until this
     * operation ends (closing it cancels the open), and it is not closed by it. If the operation is
     * cancelled after the kernel opened the file, the proactor closes it. Where the rules are
     * enforced by the kernel and where only emulated is said on {@link ResolveOption}.
     *
     * @param directory an open directory of this proactor
     * @param path the file, relative to {@code directory} (an absolute one fails with EXDEV under
     *     {@code BENEATH}, and otherwise ignores the directory, as openat2 does)
     * @param resolve the resolution rules, possibly empty
     * @throws IllegalArgumentException for an unsupported option, a path holding NUL, or a directory
     *     of another proactor (the operation is not initiated)
     */
    Operation<AsyncFile> openFileAt(AsyncFile directory, Path path, Set<ResolveOption> resolve,
            Set<? extends OpenOption> options, int mode);

    /**
     * Creates a socket listening on {@code local} (an {@link java.net.InetSocketAddress}, port 0 for
     * any free port, or a {@link java.net.UnixDomainSocketAddress}).
     */
    Operation<AsyncServerSocket> listen(java.net.SocketAddress local, SocketOptions options);

    /** {@link #listen(java.net.SocketAddress, SocketOptions)} with {@link SocketOptions#defaults()}. */
    default Operation<AsyncServerSocket> listen(java.net.SocketAddress local) {
        return listen(local, SocketOptions.defaults());
    }

    /**
     * Connects a new stream socket to {@code remote}. Refused connections fail with errno
     * {@code ECONNREFUSED}; a deadline (see {@link #withTimeout}) that passes first gives
     * {@link OperationState#TIMED_OUT}. If the connect is cancelled after it succeeded, the proactor
     * closes the socket.
     */
    Operation<AsyncSocket> connect(java.net.SocketAddress remote, SocketOptions options);

    /** {@link #connect(java.net.SocketAddress, SocketOptions)} with {@link SocketOptions#defaults()}. */
    default Operation<AsyncSocket> connect(java.net.SocketAddress remote) {
        return connect(remote, SocketOptions.defaults());
    }

    /**
     * A view of this proactor that attaches a deadline of {@code timeout} after initiation to every
     * operation it initiates. Closing the view closes this proactor.
     */
    Proactor withTimeout(Duration timeout);

    /** The off-heap buffer pool, registered with the kernel where the backend supports it. */
    BufferPool buffers();

    /** Counters, gauges and latency percentiles at this moment. */
    MetricsSnapshot metrics();

    /** The operations not yet ended, oldest first. */
    List<OperationInfo> operations();

    /**
     * Stops admission, lets pending operations finish until {@code deadline} has passed, cancels
     * the rest, waits for the kernel to release them, closes files the proactor opened and still
     * holds, stops the dispatcher and the workers it owns, and frees its native memory. Returns
     * what did not end cleanly. Later calls return the first report.
     *
     * @throws IllegalStateException when called on the dispatcher thread (an inline handler) or on
     *     one of the proactor's own workers (a handler); see {@link #close()}
     */
    CloseReport close(Duration deadline);

    /**
     * {@link #close(Duration)} with {@link ProactorConfig#closeTimeout()}.
     *
     * @throws IllegalStateException when called from an inline handler (on the dispatcher thread)
     *     or from a handler on one of the proactor's own workers: close waits for both, so it would
     *     never return or would interrupt its own handler. Call {@link #closeAsync(Duration)} there.
     */
    @Override
    void close();

    /**
     * Begins {@link #close(Duration)} on a thread of its own and returns at once: the way to close
     * the proactor from one of its own completion handlers, where {@link #close()} throws. The stage
     * completes with the report once the close is done.
     */
    java.util.concurrent.CompletionStage<CloseReport> closeAsync(Duration deadline);

    /**
     * Whether the proactor refuses new operations: {@link #close()} has begun, or its dispatcher
     * failed ({@link #failure()}). Operations initiated then fail at once with
     * {@link ProactorClosedException}.
     */
    boolean isClosed();

    /**
     * The error that stopped the dispatcher, if one did (an unexpected kernel error, a bug). It is
     * logged once at ERROR; every operation still pending then fails with
     * {@link ProactorClosedException}, and so does every later initiation, with this error as its
     * cause. {@link #close()} still frees the proactor's threads and memory.
     */
    java.util.Optional<Throwable> failure();
}
