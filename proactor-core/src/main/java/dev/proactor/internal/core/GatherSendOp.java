package dev.proactor.internal.core;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Errno;
import dev.proactor.internal.spi.Request;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A gather send on a stream socket: the remaining bytes of several buffers, in order, in one or
 * several kernel rounds. Each round sends what the completed rounds left: buffers already sent are
 * skipped, the one sent in part is sliced where the last round stopped. It is a send like any
 * other: it counts against the socket's write budget and takes its place in the send order.
 */
abstract sealed class GatherSendOp extends OperationImpl<Long> permits GatherSendOp.Once, GatherSendOp.Fully {
    final CallerBuffers data;
    /** The last request built, and the progress it was built for: backends ask more than once a round. */
    private Request.SendV last;
    private long lastDone = -1;

    GatherSendOp(CoreProactor p, Resource socket, Duration timeout, ByteBuffer[] srcs) {
        super(p, OperationKind.SEND, socket, timeout);
        this.data = CallerBuffers.of(srcs, false, p.bounces(), "srcs");
        // A send counts its bytes against the socket's write budget.
        this.writeBytes = data.total;
    }

    @Override
    final int lane() {
        return SEND_LANE;
    }

    @Override
    final long transferLength() {
        return data.total;
    }

    @Override
    public final Request request() {
        long done = bytesDone;
        if (done != lastDone) {
            last = new Request.SendV(resource.fd, remaining(done));
            lastDone = done;
        }
        return last;
    }

    /** The segments still to send after {@code done} bytes: whole ones skipped, the partly sent one sliced. */
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
        data.deliver(bytesDone, false);
    }

    /** One round: the bytes the kernel took, possibly fewer than the buffers hold. */
    static final class Once extends GatherSendOp {
        Once(CoreProactor p, Resource socket, Duration timeout, ByteBuffer[] srcs) {
            super(p, socket, timeout, srcs);
        }

        @Override
        void onResult(long n, Object attachment) {
            bytesDone = n;
            succeed(n);
        }
    }

    /** As many rounds as it takes to send every buffer's remaining bytes. */
    static final class Fully extends GatherSendOp {
        Fully(CoreProactor p, Resource socket, Duration timeout, ByteBuffer[] srcs) {
            super(p, socket, timeout, srcs);
        }

        @Override
        void onResult(long n, Object attachment) {
            bytesDone += n;
            if (bytesDone >= data.total) {
                succeed(bytesDone);
            } else if (n > 0) {
                again();
            } else {
                // A send that moves nothing while bytes remain would loop forever.
                failErrno(Errno.EIO);
            }
        }
    }
}
