package dev.proactor.internal.core;

import dev.proactor.EndOfFileException;
import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Errno;
import dev.proactor.internal.spi.Request;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A read or write of several caller buffers in order: positional on a file ({@code preadv},
 * {@code pwritev}), or a scatter receive or gather send on a stream socket. One kernel round
 * ({@link Once}) or as many as it takes to fill or drain every buffer ({@link Fully}). Each round
 * covers what the completed rounds left: buffers already done are skipped, the one done in part is
 * sliced where the last round stopped, and a file round starts at the position advanced by the
 * bytes done. On a socket it is a receive or send like any other: it takes its turn in its lane,
 * and a send counts against the write budget. Positions move by what each buffer took or gave, on
 * delivery.
 */
abstract sealed class VectoredOp extends OperationImpl<Long> permits VectoredOp.Once, VectoredOp.Fully {
    /** The position of a socket's operation, which has none. */
    static final long STREAM = -1;

    final boolean outbound;
    /** The file offset of the first byte, or {@link #STREAM}. */
    final long position;
    final CallerBuffers data;
    /** The last request built, and the progress it was built for: backends ask more than once a round. */
    private Request last;
    private long lastDone = -1;

    /**
     * @param position the file offset, or {@link #STREAM} on a socket
     * @param outbound the buffers are written (sent), not read into
     */
    VectoredOp(CoreProactor p, Resource r, Duration timeout, boolean outbound, long position, ByteBuffer[] buffers) {
        super(p, kindOf(outbound, position), r, timeout);
        if (position < STREAM) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        this.outbound = outbound;
        this.position = position;
        this.data = CallerBuffers.of(buffers, !outbound, p.bounces(), outbound ? "srcs" : "dsts");
        if (outbound && position == STREAM) {
            this.writeBytes = data.total;
        }
    }

    private static OperationKind kindOf(boolean outbound, long position) {
        if (position == STREAM) {
            return outbound ? OperationKind.SEND : OperationKind.RECV;
        }
        return outbound ? OperationKind.WRITEV : OperationKind.READV;
    }

    @Override
    final int lane() {
        return position != STREAM ? -1 : outbound ? SEND_LANE : RECEIVE_LANE;
    }

    @Override
    final long transferLength() {
        return data.total;
    }

    @Override
    public final Request request() {
        long done = bytesDone;
        if (done != lastDone) {
            MemorySegment[] rest = remaining(done);
            int fd = resource.fd;
            if (position == STREAM) {
                last = outbound ? new Request.SendV(fd, rest) : new Request.RecvV(fd, rest);
            } else {
                last = outbound ? new Request.WriteV(fd, position + done, rest) : new Request.ReadV(fd, position + done, rest);
            }
            lastDone = done;
        }
        return last;
    }

    /** The segments still to move after {@code done} bytes: whole ones skipped, the partly done one sliced. */
    private MemorySegment[] remaining(long done) {
        MemorySegment[] segments = data.segments;
        if (done == 0) {
            return segments;
        }
        int first = 0;
        long skipped = 0;
        while (first < segments.length - 1 && skipped + segments[first].byteSize() <= done) {
            skipped += segments[first].byteSize();
            first++;
        }
        MemorySegment[] out = new MemorySegment[segments.length - first];
        System.arraycopy(segments, first, out, 0, out.length);
        out[0] = out[0].asSlice(done - skipped);
        return out;
    }

    @Override
    final void beforeDelivery() {
        if (abandoned) {
            return;
        }
        data.deliver(bytesDone, !outbound);
    }

    /** One round: what the kernel moved, possibly fewer bytes than the buffers hold; -1 at end of file or stream. */
    static final class Once extends VectoredOp {
        Once(CoreProactor p, Resource r, Duration timeout, boolean outbound, long position, ByteBuffer[] buffers) {
            super(p, r, timeout, outbound, position, buffers);
        }

        @Override
        void onResult(long n, Object attachment) {
            bytesDone = n;
            succeed(n == 0 && !outbound && data.total > 0 ? -1L : n);
        }
    }

    /**
     * As many rounds as it takes to fill or drain every buffer; the result is their total. A read
     * that meets the end first fails with {@link EndOfFileException}, its bytes delivered.
     */
    static final class Fully extends VectoredOp {
        Fully(CoreProactor p, Resource r, Duration timeout, boolean outbound, long position, ByteBuffer[] buffers) {
            super(p, r, timeout, outbound, position, buffers);
        }

        @Override
        void onResult(long n, Object attachment) {
            bytesDone += n;
            if (bytesDone >= data.total) {
                succeed(bytesDone);
            } else if (n > 0) {
                again();
            } else if (!outbound) {
                long at = position == STREAM ? bytesDone : position + bytesDone;
                fail(new EndOfFileException(kind, resource(), at, bytesDone));
            } else {
                // A write that moves nothing while bytes remain would loop forever.
                failErrno(Errno.EIO);
            }
        }
    }
}
