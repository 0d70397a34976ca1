package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.ECANCELED;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_CQE_BUFFER_SHIFT;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_CQE_F_BUFFER;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_CQE_F_MORE;

import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Errno;
import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import java.lang.foreign.MemorySegment;

/**
 * The CQEs of multishot accepts and receives ({@link Request.AcceptEach},
 * {@link Request.ReceiveEach}): what each one delivers, and when the round ends. With
 * IORING_CQE_F_MORE a CQE is an item and the request stays armed, so the room for its final CQE
 * stays reserved; without it, it ends the round: a last item (which the core takes as the round's
 * result and re-arms), end of stream (0), or a failure: -ENOBUFS when the buffer ring ran dry,
 * -ECANCELED after a cancel.
 */
final class MultishotCqes {
    private final RingRoom room;
    private final SocketCalls sockets;
    /** The provided buffer ring receives take their buffers from, or null when there is none. */
    private final BufferRing bufferRing;
    private Completions sink;

    MultishotCqes(RingRoom room, SocketCalls sockets, BufferRing bufferRing) {
        this.room = room;
        this.sockets = sockets;
        this.bufferRing = bufferRing;
    }

    void start(Completions completions) {
        this.sink = completions;
    }

    /** Reports one CQE of {@code s}; true when it ended the round, which the caller then releases. */
    boolean onCqe(Submission s, int res, int flags) {
        Object item = null;
        if (s.request() instanceof Request.ReceiveEach) {
            if ((flags & IORING_CQE_F_BUFFER) != 0) {
                int bid = flags >>> IORING_CQE_BUFFER_SHIFT;
                MemorySegment data = bufferRing.take(bid, Math.max(res, 0));
                if (res > 0 && (flags & IORING_CQE_F_MORE) != 0) {
                    // The hot path: a chunk, the round still armed; no record to carry it.
                    room.promise(1);
                    sink.nextChunk(s, res, bid, data);
                    return false;
                }
                if (res > 0) {
                    item = new Request.Chunk(bid, data);
                } else {
                    bufferRing.recycle(bid);
                }
            }
        } else if (res >= 0) {
            item = new Request.Endpoints(sockets.address(res, false, null), sockets.address(res, true, null));
        }
        if ((flags & IORING_CQE_F_MORE) != 0) {
            room.promise(1);
            if (item != null) {
                sink.next(s, res, item);
            }
            return false;
        }
        if (res > 0 && item == null) {
            // A receive result without a buffer: nothing to deliver it in.
            sink.fail(s, Errno.EIO);
        } else if (res >= 0) {
            sink.complete(s, res, item);
        } else if (res == -ECANCELED && s.cancelRequested()) {
            sink.cancelled(s);
        } else {
            sink.fail(s, -res);
        }
        return true;
    }
}
