package dev.proactor.internal.core;

import dev.proactor.ResultHandler;
import dev.proactor.ReusableOperation;
import dev.proactor.internal.spi.Request;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A read or write of one caller buffer (a {@code ByteBuffer}, a native segment or a lent lease), on
 * a file or a stream socket, in one kernel round ({@link Once}) or as many as it takes to move the
 * whole buffer ({@link Fully}); the rules are {@link IoOp}'s. A lent lease goes back once the
 * kernel has let go, the bytes and the buffer's position are handed over before the handlers run.
 * A reusable one ({@link ReusableOnce}, {@link ReusableFully}: a socket's {@code reusableRead} and
 * {@code reusableWriteAll}) keeps its {@code ByteBuffer} and takes its remaining bytes again for
 * each run, so that a read and write loop allocates no operation per read or write.
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
    /** A reusable one's state across runs, else null. */
    private final Reuse reuse;

    BufferOp(CoreProactor p, Resource r, Duration timeout, boolean outbound, long position, CallerBuffer data,
            Reuse reuse) {
        super(p, r, timeout, false, outbound, position, data.segment.byteSize());
        this.data = data;
        this.reuse = reuse;
    }

    @Override
    final Reuse reuse() {
        return reuse;
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
            if (off == 0 && data.isView()) {
                return resource.streamRequest(s, outbound);
            }
            return outbound ? new Request.Send(fd, s) : new Request.Recv(fd, s);
        }
        int index = data.registeredIndex();
        long at = roundPosition();
        return outbound ? new Request.Write(fd, at, s, index) : new Request.Read(fd, at, s, index);
    }

    @Override
    final void renewArguments() {
        data.renew(!outbound, resource);
        runs(data.segment.byteSize());
        last = null;
        lastDone = -1;
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
    static sealed class Once extends BufferOp<Integer> permits ReusableOnce {
        Once(CoreProactor p, Resource r, Duration timeout, boolean outbound, long position, CallerBuffer data) {
            this(p, r, timeout, outbound, position, data, null);
        }

        private Once(CoreProactor p, Resource r, Duration timeout, boolean outbound, long position, CallerBuffer data,
                Reuse reuse) {
            super(p, r, timeout, outbound, position, data, reuse);
        }

        @Override
        void onResult(long n, Object attachment) {
            succeed((int) onceResult(n));
        }
    }

    /** As many rounds as it takes to move the whole buffer; the result is its length. */
    static sealed class Fully extends BufferOp<Long> permits ReusableFully {
        Fully(CoreProactor p, Resource r, Duration timeout, boolean outbound, long position, CallerBuffer data) {
            this(p, r, timeout, outbound, position, data, null);
        }

        private Fully(CoreProactor p, Resource r, Duration timeout, boolean outbound, long position, CallerBuffer data,
                Reuse reuse) {
            super(p, r, timeout, outbound, position, data, reuse);
        }

        @Override
        void onResult(long n, Object attachment) {
            if (fullyRound(n)) {
                succeed(bytesDone);
            }
        }
    }

    /** A socket's one-round receive, initiated again for each run ({@code AsyncSocket.reusableRead}). */
    static final class ReusableOnce extends Once implements ReusableOperation<Integer> {
        ReusableOnce(CoreProactor p, Resource r, Duration timeout, CallerBuffer dst, ResultHandler<? super Integer> handler) {
            super(p, r, timeout, false, STREAM, dst, new Reuse(handler));
        }

        @Override
        public ReusableOperation<Integer> restart() {
            rerun();
            return this;
        }
    }

    /** A socket's send of a whole buffer, initiated again for each run ({@code AsyncSocket.reusableWriteAll}). */
    static final class ReusableFully extends Fully implements ReusableOperation<Long> {
        ReusableFully(CoreProactor p, Resource r, Duration timeout, CallerBuffer src, ResultHandler<? super Long> handler) {
            super(p, r, timeout, true, STREAM, src, new Reuse(handler));
        }

        @Override
        public ReusableOperation<Long> restart() {
            rerun();
            return this;
        }
    }
}
