package dev.proactor.internal.uring;

/**
 * The {@code user_data} codec: the core's 56-bit routing token in the high bits, an 8-bit tag in
 * the low bits saying which of an operation's SQEs completed. Tokens are never negative, so the
 * wake-up read uses a reserved value no token can produce.
 */
final class UserData {
    private UserData() {}

    /** The operation's own SQE. */
    static final int OP = 1;
    /** The IORING_OP_LINK_TIMEOUT that carries the operation's deadline. */
    static final int LINK_TIMEOUT = 2;
    /** An IORING_OP_ASYNC_CANCEL aimed at the operation; its result is advisory only. */
    static final int CANCEL = 3;

    /** A file transfer's second splice (pipe to socket), or a later one draining its pipe. */
    static final int SPLICE_OUT = 4;
    /** An IORING_OP_ASYNC_CANCEL aimed at {@link #SPLICE_OUT}; -ENOENT may mean "not issued yet". */
    static final int CANCEL_OUT = 5;

    /** The eventfd read that wakes the dispatcher: all ones, above any token. */
    static final long WAKE = -1L;

    static long encode(long token, int tag) {
        return (token << 8) | tag;
    }

    static long token(long userData) {
        return userData >>> 8;
    }

    static int tag(long userData) {
        return (int) (userData & 0xFF);
    }
}
