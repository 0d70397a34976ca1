package dev.proactor.internal.core;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;
import java.nio.ByteBuffer;
import java.time.Duration;

/** A positional read or write of several buffers in order, in one kernel round. */
final class VectorOp extends OperationImpl<Long> {
    private final boolean write;
    private final long position;
    private final CallerBuffers data;

    VectorOp(CoreProactor p, Resource f, Duration timeout, boolean write, long position, ByteBuffer[] buffers) {
        super(p, write ? OperationKind.WRITEV : OperationKind.READV, f, timeout);
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        this.write = write;
        this.position = position;
        this.data = CallerBuffers.of(buffers, !write, p.bounces(), write ? "srcs" : "dsts");
    }

    @Override
    long transferLength() {
        return data.total;
    }

    @Override
    public Request request() {
        return write ? new Request.WriteV(resource.fd, position, data.segments)
                : new Request.ReadV(resource.fd, position, data.segments);
    }

    @Override
    void onResult(long n, Object attachment) {
        bytesDone = n;
        succeed(n == 0 && !write && data.total > 0 ? -1L : n);
    }

    @Override
    void beforeDelivery() {
        if (abandoned) {
            return;
        }
        data.deliver(bytesDone, !write);
    }
}
