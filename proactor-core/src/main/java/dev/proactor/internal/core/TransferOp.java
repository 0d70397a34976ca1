package dev.proactor.internal.core;

import dev.proactor.EndOfFileException;
import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;
import java.time.Duration;

/**
 * Sends {@link #count} bytes of a file to a socket, in as many kernel rounds as it takes; each
 * round continues at the file offset the completed rounds reached ({@link #position} plus
 * {@link #bytesDone}). It is a send: the dispatcher runs it in its socket's send order, one send
 * direction operation at a time, so its bytes never interleave with a {@code writeAll}'s. It also
 * sits in the file's pending set, so closing the file cancels it rather than leaving the descriptor
 * number to be reused under it.
 */
final class TransferOp extends OperationImpl<Long> {
    /** The file the bytes come from; {@link #resource} is the socket. */
    final Resource file;
    final long position;
    final long count;
    // Dispatcher-confined: its links in the file's PendingSet (the socket's are OperationImpl's).
    OperationImpl<?> filePrev;
    OperationImpl<?> fileNext;

    TransferOp(CoreProactor p, Resource socket, Duration timeout, Resource file, long position, long count) {
        super(p, OperationKind.TRANSFER, socket, timeout);
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        if (count < 0) {
            throw new IllegalArgumentException("negative count: " + count);
        }
        if (position + count < 0) {
            throw new IllegalArgumentException("position + count overflows: " + position + " + " + count);
        }
        this.file = file;
        this.position = position;
        this.count = count;
    }

    @Override
    int lane() {
        return SEND_LANE;
    }

    @Override
    public Request request() {
        int length = (int) Math.min(count - bytesDone, Integer.MAX_VALUE);
        return new Request.Splice(file.fd, position + bytesDone, resource.fd, length);
    }

    @Override
    void onResult(long n, Object attachment) {
        bytesDone += n;
        if (bytesDone >= count) {
            succeed(bytesDone);
        } else if (n > 0) {
            again();
        } else {
            // Nothing moved for a non-empty remainder: the file ended first.
            fail(new EndOfFileException(kind, resource(), position + bytesDone, bytesDone));
        }
    }
}
