package dev.proactor.internal.uring;

import java.io.IOException;

/**
 * {@code io_uring_setup} or the mapping of the new ring failed; carries the errno and a sentence
 * a user can act on.
 */
public final class RingSetupException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * @param errno positive errno of the failed call
     * @param cause human explanation, used as the message
     */
    public RingSetupException(int errno, String cause) {
        super(cause);
        this.errno = errno;
    }

    /** The positive errno number of the failed call. */
    public int errno() {
        return errno;
    }
}
