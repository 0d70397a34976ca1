package dev.proactor.internal.core;

import dev.proactor.EndOfFileException;
import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Errno;
import dev.proactor.internal.spi.Request;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A receive or send on a stream socket, in one or several kernel rounds; each round continues at
 * the buffer offset the completed rounds reached.
 *
 * @param <R> the result type
 */
abstract sealed class SocketIoOp<R> extends OperationImpl<R> permits SocketIoOp.Once, SocketIoOp.Fully {
    final boolean send;
    final MemorySegment segment;
    private final CallerBuffer data;

    SocketIoOp(CoreProactor p, Resource socket, Duration timeout, boolean send, CallerBuffer data) {
        super(p, send ? OperationKind.SEND : OperationKind.RECV, socket, timeout);
        this.send = send;
        this.data = data;
        this.segment = data.segment;
    }

    @Override
    final int lane() {
        return send ? SEND_LANE : RECEIVE_LANE;
    }

    @Override
    final long transferLength() {
        return segment.byteSize();
    }

    @Override
    public final Request request() {
        long off = bytesDone;
        MemorySegment s = off == 0 ? segment : segment.asSlice(off);
        return send ? new Request.Send(resource.fd, s) : new Request.Recv(resource.fd, s);
    }

    @Override
    final void afterKernel() {
        data.returnLease();
    }

    @Override
    final void beforeDelivery() {
        if (abandoned) {
            return;
        }
        data.deliver(bytesDone, !send);
    }

    /** One round: what the kernel did, -1 at end of stream. */
    static final class Once extends SocketIoOp<Integer> {
        Once(CoreProactor p, Resource socket, Duration timeout, boolean send, CallerBuffer data) {
            super(p, socket, timeout, send, data);
        }

        @Override
        void onResult(long n, Object attachment) {
            bytesDone = n;
            succeed(n == 0 && !send && segment.byteSize() > 0 ? -1 : (int) n);
        }
    }

    /** As many rounds as it takes to transfer the whole buffer. */
    static final class Fully extends SocketIoOp<Long> {
        Fully(CoreProactor p, Resource socket, Duration timeout, boolean send, CallerBuffer data) {
            super(p, socket, timeout, send, data);
        }

        @Override
        void onResult(long n, Object attachment) {
            bytesDone += n;
            if (bytesDone >= segment.byteSize()) {
                succeed(bytesDone);
            } else if (n > 0) {
                again();
            } else if (!send) {
                fail(new EndOfFileException(kind, resource(), bytesDone, bytesDone));
            } else {
                // A send that moves nothing for a non-empty buffer would loop forever.
                failErrno(Errno.EIO);
            }
        }
    }
}
