package dev.proactor.internal.uring;

import dev.proactor.internal.spi.Request;
import java.lang.foreign.MemorySegment;

/**
 * What the backend keeps for a submission between its SQEs and its last CQE, held in
 * {@code Submission.backendState}; a submission with no memory of its own and a single CQE has
 * none. Each family of requests adds only what it needs, so a field's presence says which
 * operations it serves.
 *
 * <p>The scratch ({@link #arena}) holds the native memory the kernel reads or writes for the request besides its
 * buffer (a timespec, iovecs, a path, a sockaddr, a statx buffer) and is closed only when the
 * last CQE is reaped, however long before the operation was cancelled.
 *
 * <p>Dispatcher thread only.
 */
sealed class OpState permits OpState.Stat, OpState.Socket, OpState.Option, OpState.Send, OpState.Stream, Transfers.Round {

    /** Null when the request needs no memory of its own (a zero-copy send without deadline). */
    final Scratch arena;
    /** CQEs still to come before the round's outcome is decided (the op's, its link timeout's). */
    int cqesLeft;
    /** The op's CQE result. */
    int opResult;
    /** The link timeout's CQE result: -ETIME when the deadline passed first. */
    int linkResult;
    /**
     * The errno of a set-up step made on the dispatcher (a listen's system calls, a connect's
     * socket, a transfer's pipe, a socket option's setsockopt); the NOP submitted in place of the request reports it.
     */
    int setupErrno;

    OpState(Scratch arena, int cqes) {
        this.arena = arena;
        this.cqesLeft = cqes;
    }

    /** A file's statx: the buffer the kernel fills. */
    static final class Stat extends OpState {
        MemorySegment statx;

        Stat(Scratch arena, int cqes) {
            super(arena, cqes);
        }
    }

    /** A listen, connect or accept: a socket made here until the core takes it, and the addresses. */
    static final class Socket extends OpState {
        /**
         * The socket a listen or connect made, until it is handed to the core by completing;
         * closed here if the request fails, is cancelled or times out. -1 when none.
         */
        int socketFd = -1;
        /** What a listen completes with. */
        Request.Endpoints endpoints;
        /** Accept: the peer's sockaddr and its socklen_t, both written by the kernel. */
        MemorySegment peer;
        MemorySegment peerLen;

        Socket(Scratch arena, int cqes) {
            super(arena, cqes);
        }
    }

    /** A socket option set or read on the dispatcher: the value its NOP reports, unless {@link #setupErrno} is set. */
    static final class Option extends OpState {
        int value;

        Option(Scratch arena, int cqes) {
            super(arena, cqes);
        }
    }

    /** A zero-copy send: its CQ room was reserved for a notification too. */
    static final class Send extends OpState {
        /** Still a zero-copy send: cleared once settled, and kept by a refused one that goes again as a plain send. */
        boolean zeroCopy = true;
        /**
         * Notifications announced (IORING_CQE_F_MORE) minus notifications reaped: until it is back to
         * 0 the kernel may still read the buffer, so the submission is not released.
         */
        int notifications;

        Send(Scratch arena, int cqes) {
            super(arena, cqes);
        }
    }

    /**
     * A multishot accept or receive: CQEs with IORING_CQE_F_MORE are items, the one without ends
     * the round.
     */
    static final class Stream extends OpState {
        Stream(Scratch arena, int cqes) {
            super(arena, cqes);
        }
    }
}
