package dev.proactor.internal.core;

import dev.proactor.internal.spi.Request;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A read or write of several caller buffers in order: positional on a file ({@code preadv},
 * {@code pwritev}), or a scatter receive or gather send on a stream socket, in one kernel round
 * ({@link Once}) or as many as it takes to fill or drain every buffer ({@link Fully}); the rules
 * are {@link IoOp}'s. Each round covers what the completed rounds left: buffers already done are
 * skipped, the one done in part is sliced where the last round stopped. Positions move by what each
 * buffer took or gave, on delivery.
 */
abstract sealed class VectoredOp extends IoOp<Long> permits VectoredOp.Once, VectoredOp.Fully {
    final CallerBuffers data;
    /** The last request built, and the progress it was built for: backends ask more than once a round. */
    private Request last;
    private long lastDone = -1;

    /**
     * @param position the file offset, or {@link #STREAM} on a socket
     * @param outbound the buffers are written (sent), not read into
     */
    VectoredOp(CoreProactor p, Resource r, Duration timeout, boolean outbound, long position, ByteBuffer[] buffers) {
        CallerBuffers data = CallerBuffers.of(buffers, !outbound, p.bounces(), outbound ? "srcs" : "dsts");
        super(p, r, timeout, true, outbound, position, data.total);
        this.data = data;
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
                long at = roundPosition();
                last = outbound ? new Request.WriteV(fd, at, rest) : new Request.ReadV(fd, at, rest);
            }
            lastDone = done;
        }
        return last;
    }

    /** The segments still to move after {@code done} bytes: whole ones skipped, the partly done one sliced. */
    private MemorySegment[] remaining(long done) {
        return remaining(data.segments, done);
    }

    /**
     * What is left of {@code segments} after {@code done} bytes moved, in order: whole ones skipped,
     * the partly done one sliced; {@code segments} itself when nothing moved yet.
     */
    static MemorySegment[] remaining(MemorySegment[] segments, long done) {
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

    /** One round: what the kernel moved, possibly fewer bytes than the buffers hold; -1 at the end. */
    static final class Once extends VectoredOp {
        Once(CoreProactor p, Resource r, Duration timeout, boolean outbound, long position, ByteBuffer[] buffers) {
            super(p, r, timeout, outbound, position, buffers);
        }

        @Override
        void onResult(long n, Object attachment) {
            succeed(onceResult(n));
        }
    }

    /** As many rounds as it takes to fill or drain every buffer; the result is their total. */
    static final class Fully extends VectoredOp {
        Fully(CoreProactor p, Resource r, Duration timeout, boolean outbound, long position, ByteBuffer[] buffers) {
            super(p, r, timeout, outbound, position, buffers);
        }

        @Override
        void onResult(long n, Object attachment) {
            if (fullyRound(n)) {
                succeed(bytesDone);
            }
        }
    }
}
