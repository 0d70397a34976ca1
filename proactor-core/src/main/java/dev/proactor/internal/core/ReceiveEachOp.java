package dev.proactor.internal.core;

import dev.proactor.BufferLease;
import dev.proactor.OperationKind;
import dev.proactor.StreamHandler;
import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.Errno;
import dev.proactor.internal.spi.Request;
import java.lang.foreign.MemorySegment;

/**
 * Receives until end of stream, each chunk handed to the handler as a {@link ChunkLease}.
 *
 * <p>Multishot rounds ({@link Request.ReceiveEach}) receive into the backend's provided buffers,
 * taken only when data is there. Where the backend has no provided buffers, rounds are single-shot
 * and come in pairs: a wait for data that holds no buffer ({@link Request.AwaitReadable}), then a
 * slab of the proactor's pool taken for one {@link Request.Recv}; the slab becomes the chunk, or goes
 * back to the pool when the round ends empty or the stream parks. So on either path an idle
 * connection holds no buffer, and the pool's few slabs serve any number of idle connections.
 *
 * <p>Back-pressure: {@link #outstanding} chunks (delivered or waiting for delivery, not yet
 * released) stop the stream from wanting a round at {@code receiveBacklog}; each release brings it
 * back under. A multishot round ended by ENOBUFS (no provided buffer left) parks the stream as
 * {@link #starved} until a buffer is recycled.
 */
final class ReceiveEachOp extends StreamingOp<BufferLease> {
    // ---- dispatcher-confined ----
    /** Chunks lent to the handler and not released yet. */
    int outstanding;
    /** The pool slab of the armed single-shot round, or null. */
    private BufferPoolImpl.Lease roundLease;
    /**
     * The last single-shot wait found data (or end of stream, or a failure) that the next round's
     * {@link Request.Recv} takes; until then single-shot rounds are waits.
     */
    private boolean readable;

    ReceiveEachOp(CoreProactor p, Resource socket, StreamHandler<? super BufferLease> handler) {
        super(p, OperationKind.RECV, socket, handler);
    }

    @Override
    int lane() {
        return RECEIVE_LANE;
    }

    @Override
    boolean wantsArm() {
        // The backlog from the config each time rather than a field: every idle connection has one of these.
        return super.wantsArm() && outstanding < proactor.config().receiveBacklog();
    }

    @Override
    boolean beforeRound(Backend backend) {
        super.beforeRound(backend);
        if (!multishot && readable && roundLease == null) {
            if (proactor.pool().capacity() == 0) {
                // Nothing to receive into, ever: bufferCount 0 and no provided buffers.
                failErrno(Errno.ENOBUFS);
                return false;
            }
            roundLease = (BufferPoolImpl.Lease) proactor.pool().tryLease();
            return roundLease != null;
        }
        return true;
    }

    @Override
    public Request request() {
        if (multishot) {
            return new Request.ReceiveEach(resource.fd);
        }
        return readable ? new Request.Recv(resource.fd, roundLease.slice(proactor.pool().bufferSize()))
                : new Request.AwaitReadable(resource.fd);
    }

    @Override
    void onItem(long n, Object attachment) {
        Request.Chunk c = (Request.Chunk) attachment;
        onChunk(n, c.bufferId(), c.data());
    }

    /** One chunk of a multishot round that stays in the kernel, in its parts (dispatcher). */
    void onChunk(long n, int bufferId, MemorySegment data) {
        chunk(n, bufferId, data, null);
    }

    @Override
    void onResult(long n, Object attachment) {
        if (!multishot && !readable) {
            // The wait ended: the next round takes a slab and receives what is there.
            readable = true;
            again();
            return;
        }
        if (n == 0) {
            // End of stream: the stream completes with what it delivered.
            succeed(bytesDone);
            return;
        }
        if (attachment instanceof Request.Chunk c) {
            chunk(n, c.bufferId(), c.data(), null);
        } else {
            BufferPoolImpl.Lease l = roundLease;
            roundLease = null;
            readable = false;
            chunk(n, -1, l.slice((int) n), l);
        }
        again();
    }

    private void chunk(long n, int bufferId, MemorySegment data, BufferPoolImpl.Lease lease) {
        bytesDone += n;
        outstanding++;
        ChunkLease c = new ChunkLease(this, bufferId, data, lease);
        proactor.chunkLent(lease == null);
        deliver(c);
    }

    @Override
    boolean absorbFailure(int errno) {
        if (super.absorbFailure(errno)) {
            return true;
        }
        if (errno == Errno.ENOBUFS && multishot && !cancelRequested) {
            starved = true;
            again();
            proactor.receiveRearmed();
            return true;
        }
        return false;
    }

    @Override
    void parked() {
        returnRoundLease();
    }

    @Override
    void afterKernel() {
        returnRoundLease();
    }

    private void returnRoundLease() {
        if (roundLease != null) {
            roundLease.release();
            roundLease = null;
        }
    }
}
