package dev.proactor;

import java.net.SocketAddress;
import java.time.Duration;

/**
 * A listening TCP or Unix-domain socket. Every method is safe from any thread; several accepts may
 * be pending at once, each taking one connection, in the order they were initiated (on every
 * backend: the oldest accept still pending gets the next connection).
 */
public interface AsyncServerSocket extends java.io.Closeable {

    /** The address it listens on (with the port the system chose when asked for port 0). */
    SocketAddress localAddress();

    /** Whether a close ({@link #closeAsync()}) has not been initiated. */
    boolean isOpen();

    /**
     * Accepts one connection. If the accept is cancelled after the kernel took a connection, the
     * proactor closes that connection: it never leaks.
     */
    Operation<AsyncSocket> accept();

    /**
     * Accepts connections until cancelled, handing each to {@code handler} in the order they were
     * accepted (see {@link StreamHandler} for the thread). The handler owns each socket it is given
     * and must close it. On io_uring a single multishot accept stays armed (re-armed when the
     * kernel ends it); elsewhere, and on kernels without it, accepts are armed one after another
     * (the {@link CapabilityReport} says which). {@link OperationStream#pause()} stops accepting:
     * connections wait in the listen backlog. A connection the kernel accepted after the stream was
     * cancelled (or the proactor closed) is closed by the proactor, never leaked. Closing the
     * listener ends the stream as cancelled; a failure of accept ends it with that failure.
     */
    OperationStream acceptEach(StreamHandler<? super AsyncSocket> handler);

    /**
     * Changes a standard option of this listener: {@code SO_RCVBUF}, {@code SO_REUSEADDR} or
     * {@code SO_REUSEPORT} of {@link java.net.StandardSocketOptions} (a Unix-domain listener:
     * {@code SO_RCVBUF} only), as {@link AsyncSocket#setOption} does for a connected socket, with
     * the same result, threading and failures. Sockets accepted later start with the listener's
     * receive buffer size (the kernel copies it); those accepted before keep theirs.
     *
     * @param name the option
     * @param value its new value
     * @param <T> the option's type, {@code Boolean} or {@code Integer}
     * @return the operation, completing with the value in effect
     * @throws NullPointerException if {@code name} is null
     * @throws UnsupportedOperationException if a listener does not support {@code name}
     * @throws IllegalArgumentException if {@code value} is null, not of the option's type, or a
     *     negative buffer size
     */
    <T> Operation<T> setOption(java.net.SocketOption<T> name, T value);

    /**
     * Reads a standard option of this listener as the kernel has it now; see {@link #setOption}.
     *
     * @param name the option
     * @param <T> the option's type
     * @return the operation, completing with the value
     * @throws NullPointerException if {@code name} is null
     * @throws UnsupportedOperationException if a listener does not support {@code name}
     */
    <T> Operation<T> option(java.net.SocketOption<T> name);

    /**
     * Ends every pending accept (cancelled), then closes the socket. Calling it again returns the
     * same operation. Once initiated it cannot be cancelled: {@link Operation#cancel()} on it
     * changes nothing and is answered {@link CancelResult.Kind#TOO_LATE} once the descriptor is
     * closed.
     */
    Operation<Void> closeAsync();

    /**
     * Closes the listener as {@link #closeAsync()} does and waits until the descriptor is closed,
     * so that {@code try (AsyncServerSocket listener = ...)} leaves nothing open. A second call
     * waits for the same close.
     * On a thread of the proactor itself (a handler, inline or on a worker) it does not wait, since
     * the close may need that very thread to be delivered: it initiates the close and returns, and
     * {@link #closeAsync()} returns the same operation for whoever wants its outcome.
     *
     * @throws ProactorException the close's failure
     */
    @Override
    void close() throws ProactorException;

    /** A view whose operations carry a deadline of {@code timeout} after their initiation. */
    AsyncServerSocket withTimeout(Duration timeout);
}
