package dev.proactor.internal.core;

import dev.proactor.internal.spi.Errno;
import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A positional read or write of one buffer, in one or several kernel rounds. Each round starts where
 * the completed rounds stopped, at the file offset and the buffer offset both advanced by
 * {@link #bytesDone}.
 *
 * @param <R> the result type
 */
abstract sealed class RwOp<R> extends OperationImpl<R> permits RwOp.Once, RwOp.Fully {
    final boolean write;
    final long position;
    final MemorySegment segment;
    private final CallerBuffer data;

    RwOp(CoreProactor p, Resource f, Duration timeout, boolean write, long position, CallerBuffer data) {
        super(p, write ? OperationKind.WRITE : OperationKind.READ, f, timeout);
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        this.write = write;
        this.position = position;
        this.data = data;
        this.segment = data.segment;
    }

    @Override
    final long transferLength() {
        return segment.byteSize();
    }

    @Override
    public final Request request() {
        long off = bytesDone;
        MemorySegment s = off == 0 ? segment : segment.asSlice(off);
        int index = data.registeredIndex();
        return write ? new Request.Write(resource.fd, position + off, s, index) : new Request.Read(resource.fd, position + off, s, index);
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
        data.deliver(bytesDone, !write);
    }

    /** One round; the result is what the kernel did, -1 at end of file. */
    static final class Once extends RwOp<Integer> {
        Once(CoreProactor p, Resource f, Duration timeout, boolean write, long position, CallerBuffer data) {
            super(p, f, timeout, write, position, data);
        }

        @Override
        void onResult(long n, Object attachment) {
            bytesDone = n;
            succeed(n == 0 && !write && segment.byteSize() > 0 ? -1 : (int) n);
        }
    }

    /** As many rounds as it takes to transfer the whole buffer. */
    static final class Fully extends RwOp<Long> {
        Fully(CoreProactor p, Resource f, Duration timeout, boolean write, long position, CallerBuffer data) {
            super(p, f, timeout, write, position, data);
        }

        @Override
        void onResult(long n, Object attachment) {
            bytesDone += n;
            if (bytesDone >= segment.byteSize()) {
                succeed(bytesDone);
            } else if (n > 0) {
                again();
            } else if (!write) {
                fail(new dev.proactor.EndOfFileException(kind, resource(), position + bytesDone, bytesDone));
            } else {
                // A write that moves nothing for a non-empty buffer would loop forever.
                failErrno(Errno.EIO);
            }
        }
    }
}
