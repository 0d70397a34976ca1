package dev.proactor;

import java.time.Duration;

/** The operation's deadline passed before it completed; its buffers are back with the caller. */
public final class OperationTimeoutException extends ProactorException {
    private static final long serialVersionUID = 1L;

    /** The timeout the operation carried. */
    private final Duration timeout;

    /** Creates the exception for a deadline set {@code timeout} after the operation started. */
    public OperationTimeoutException(OperationKind kind, String resource, Duration timeout, long bytesDone) {
        super(kind, resource, bytesDone, describe(kind, resource, "timed out after " + timeout, bytesDone), null);
        this.timeout = timeout;
    }

    /**
     * Creates the exception for a deadline whose expiry did more than end the operation, saying what
     * ({@code consequence}): a socket close whose writes did not drain in time cancels them and
     * resets the connection, and still closes the socket.
     */
    public OperationTimeoutException(OperationKind kind, String resource, Duration timeout, long bytesDone,
            String consequence) {
        super(kind, resource, bytesDone, describe(kind, resource, "timed out after " + timeout + "; " + consequence,
                bytesDone), null);
        this.timeout = timeout;
    }

    /** The timeout the operation carried. */
    public Duration timeout() {
        return timeout;
    }
}
