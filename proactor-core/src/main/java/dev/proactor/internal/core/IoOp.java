package dev.proactor.internal.core;

import dev.proactor.EndOfFileException;
import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Errno;
import java.time.Duration;

/**
 * A read or write of caller memory, on a file at a position or on a stream socket: the rules every
 * such operation shares, whatever holds its bytes ({@link BufferOp}: one buffer, {@link VectoredOp}:
 * several). What it is (one buffer or several, in or out, file or socket) gives its kind, its lane
 * and its write budget. A single round ends with what the kernel moved, -1 for a read that met the
 * end ({@link #onceResult}); a full transfer goes on until every byte moved, and a round that moves
 * nothing ends it: at the end of data with {@link EndOfFileException}, on a write with EIO
 * ({@link #fullyRound}). Each round starts where the completed ones stopped, {@link #bytesDone}
 * into the bytes and, on a file, as far past the position.
 *
 * @param <R> the result type
 */
abstract sealed class IoOp<R> extends OperationImpl<R> permits BufferOp, VectoredOp, GatherSendOp {
    /** The position of a socket's operation, which has none. */
    static final long STREAM = -1;

    /** The bytes are written (sent), not read into. */
    final boolean outbound;
    /** The file offset of the first byte, or {@link #STREAM}. */
    final long position;
    /** The bytes asked for, in all (renewed for each run of a reusable operation). */
    long total;

    /**
     * @param vectored several buffers (kinds READV/WRITEV on a file)
     * @param position the file offset (checked by the caller before any buffer was taken), or
     *        {@link #STREAM} on a socket
     * @param total the bytes to move
     */
    IoOp(CoreProactor p, Resource r, Duration timeout, boolean vectored, boolean outbound, long position, long total) {
        super(p, kindOf(vectored, outbound, position), r, timeout);
        this.outbound = outbound;
        this.position = position;
        runs(total);
    }

    /** The bytes this run moves: at construction, and again for each run of a reusable operation. */
    final void runs(long bytes) {
        this.total = bytes;
        if (outbound && position == STREAM) {
            // A send counts its bytes against the socket's write budget.
            this.writeBytes = bytes;
        }
    }

    private static OperationKind kindOf(boolean vectored, boolean outbound, long position) {
        if (position == STREAM) {
            return outbound ? OperationKind.SEND : OperationKind.RECV;
        }
        if (vectored) {
            return outbound ? OperationKind.WRITEV : OperationKind.READV;
        }
        return outbound ? OperationKind.WRITE : OperationKind.READ;
    }

    @Override
    final int lane() {
        return position == STREAM ? (outbound ? SEND_LANE : RECEIVE_LANE) : -1;
    }

    @Override
    final long transferLength() {
        return total;
    }

    /** The file offset of the next round, {@link #bytesDone} past the position (meaningless on a socket). */
    final long roundPosition() {
        return position + bytesDone;
    }

    /** A single round's result for {@code n} bytes moved: -1 for a read that moved nothing (the end). */
    final long onceResult(long n) {
        bytesDone = n;
        return n == 0 && !outbound && total > 0 ? -1 : n;
    }

    /**
     * A full transfer's round of {@code n} bytes: true once every byte moved (the caller succeeds
     * with {@link #bytesDone}); otherwise it goes on or fails, and the answer is false.
     */
    final boolean fullyRound(long n) {
        bytesDone += n;
        if (bytesDone >= total) {
            return true;
        }
        if (n > 0) {
            again();
        } else if (!outbound) {
            fail(new EndOfFileException(kind, resource(), position == STREAM ? bytesDone : roundPosition(), bytesDone));
        } else {
            // A write that moves nothing while bytes remain would loop forever.
            failErrno(Errno.EIO);
        }
        return false;
    }
}
