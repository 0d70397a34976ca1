package dev.proactor.internal.core;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;

/** A positional read or write of several buffers in order, in one kernel round. */
final class VectorOp extends OperationImpl<Long> {
    private final boolean write;
    private final long position;
    private final ByteBuffer[] buffers;
    private final Bounce[] bounces;
    private final MemorySegment[] segments;
    private final long total;

    VectorOp(CoreProactor p, Resource f, Duration timeout, boolean write, long position, ByteBuffer[] buffers) {
        super(p, write ? OperationKind.WRITEV : OperationKind.READV, f, timeout);
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        if (buffers.length == 0 || buffers.length > 1024) {
            throw new IllegalArgumentException("between 1 and 1024 buffers (IOV_MAX), got " + buffers.length);
        }
        this.write = write;
        this.position = position;
        this.buffers = buffers.clone();
        this.bounces = new Bounce[buffers.length];
        this.segments = new MemorySegment[buffers.length];
        long sum = 0;
        try {
            for (int i = 0; i < buffers.length; i++) {
                bounces[i] = Bounce.of(this.buffers[i], !write, p.bounces());
                segments[i] = bounces[i].segment;
                sum += segments[i].byteSize();
            }
        } catch (RuntimeException e) {
            freeBounces();
            throw e;
        }
        this.total = sum;
    }

    @Override
    public Request request() {
        return write ? new Request.WriteV(resource.fd, position, segments) : new Request.ReadV(resource.fd, position, segments);
    }

    @Override
    void onResult(long n, Object attachment) {
        bytesDone = n;
        succeed(n == 0 && !write && total > 0 ? -1L : n);
    }

    @Override
    void beforeDelivery() {
        if (abandoned) {
            return;
        }
        long left = bytesDone;
        for (int i = 0; i < buffers.length && left > 0; i++) {
            int n = (int) Math.min(left, segments[i].byteSize());
            if (!write) {
                bounces[i].copyBack(n);
            }
            buffers[i].position(buffers[i].position() + n);
            left -= n;
        }
        freeBounces();
    }

    private void freeBounces() {
        for (Bounce b : bounces) {
            if (b != null) {
                b.free();
            }
        }
    }
}
