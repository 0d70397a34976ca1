package dev.proactor.internal.core;

import dev.proactor.internal.spi.Request;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A read or write of one caller buffer (a {@code ByteBuffer}, a native segment or a lent lease), on
 * a file or a stream socket, in one kernel round ({@link Once}) or as many as it takes to move the
 * whole buffer ({@link Fully}); the rules are {@link IoOp}'s. A lent lease goes back once the
 * kernel has let go, the bytes and the buffer's position are handed over before the handlers run.
 *
 * @param <R> the result type
 */
abstract sealed class BufferOp<R> extends IoOp<R> permits BufferOp.Once, BufferOp.Fully {
    private final CallerBuffer data;
    /**
     * The last request built, and the progress it was built for: a backend asks for it more than
     * once a round (io_uring: at submission and again to settle), and a retried round moves nothing.
     */
    private Request last;
    private long lastDone = -1;

    BufferOp(CoreProactor p, Resource r, Duration timeout, boolean outbound, long position, CallerBuffer data) {
        super(p, r, timeout, false, outbound, position, data.segment.byteSize());
        this.data = data;
    }

    @Override
    public final Request request() {
        long off = bytesDone;
        if (off != lastDone) {
            last = build(off);
            lastDone = off;
        }
        return last;
    }

    private Request build(long off) {
        MemorySegment s = off == 0 ? data.segment : data.segment.asSlice(off);
        int fd = resource.fd;
        if (position == STREAM) {
            if (off == 0) {
                return resource.streamRequest(s, outbound);
            }
            return outbound ? new Request.Send(fd, s) : new Request.Recv(fd, s);
        }
        int index = data.registeredIndex();
        long at = roundPosition();
        return outbound ? new Request.Write(fd, at, s, index) : new Request.Read(fd, at, s, index);
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
        data.deliver(bytesDone, !outbound);
    }

    /** One round: what the kernel moved, -1 at the end of the file or stream. */
    static final class Once extends BufferOp<Integer> {
        Once(CoreProactor p, Resource r, Duration timeout, boolean outbound, long position, CallerBuffer data) {
            super(p, r, timeout, outbound, position, data);
        }

        @Override
        void onResult(long n, Object attachment) {
            succeed((int) onceResult(n));
        }
    }

    /** As many rounds as it takes to move the whole buffer; the result is its length. */
    static final class Fully extends BufferOp<Long> {
        Fully(CoreProactor p, Resource r, Duration timeout, boolean outbound, long position, CallerBuffer data) {
            super(p, r, timeout, outbound, position, data);
        }

        @Override
        void onResult(long n, Object attachment) {
            if (fullyRound(n)) {
                succeed(bytesDone);
            }
        }
    }
}
