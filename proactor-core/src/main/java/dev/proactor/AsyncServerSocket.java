package dev.proactor;

import java.net.SocketAddress;
import java.time.Duration;

/**
 * A listening TCP or Unix-domain socket. Every method is safe from any thread; several accepts may
 * be pending at once, each taking one connection.
 */
public interface AsyncServerSocket {

    /** The address it listens on (with the port the system chose when asked for port 0). */
    SocketAddress localAddress();

    /** Whether {@link #close()} has not been initiated. */
    boolean isOpen();

    /**
     * Accepts one connection. If the accept is cancelled after the kernel took a connection, the
     * proactor closes that connection: it never leaks.
     */
    Operation<AsyncSocket> accept();

    /** Ends every pending accept (cancelled), then closes the socket. Calling it again returns the same operation. */
    Operation<Void> close();

    /** A view whose operations carry a deadline of {@code timeout} after their initiation. */
    AsyncServerSocket withTimeout(Duration timeout);
}
