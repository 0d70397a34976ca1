package dev.proactor.internal.core;

import dev.proactor.ResultHandler;
import dev.proactor.ReusableOperation;
import dev.proactor.internal.spi.Request;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A socket's gather send of whole native segments, in order, continuing after short sends, and
 * initiated again for each run ({@code AsyncSocket.reusableWriteAll(MemorySegment[], handler)}).
 * The caller's array is read as each run begins ({@link #renewArguments}): its elements are copied
 * into this operation's own array, so that a run's rounds, its retries and its delivery see the
 * segments the run began with, and a caller may put other segments into its array between runs.
 * A run's first round sends a request made once, over that own array; only a round after a short
 * send builds another (what {@link VectoredOp#remaining} leaves). Segments have no position to move:
 * the result says what was sent.
 */
final class GatherSendOp extends IoOp<Long> implements ReusableOperation<Long> {
    /** The caller's array, read at each run's start. */
    private final MemorySegment[] callerSegments;
    /** This run's segments: the caller's, as they were when it began. */
    private final MemorySegment[] segments;
    /** The first round's request over {@link #segments}, the same object every run. */
    private final Request.SendV whole;
    private final Reuse reuse;
    /** The last request built after a short send, and the progress it was built for. */
    private Request last;
    private long lastDone = -1;

    GatherSendOp(CoreProactor p, Resource r, Duration timeout, MemorySegment[] srcs,
            ResultHandler<? super Long> handler) {
        long total = checked(srcs);
        super(p, r, timeout, true, true, STREAM, total);
        this.callerSegments = srcs;
        this.segments = srcs.clone();
        this.whole = new Request.SendV(r.fd, segments);
        this.reuse = new Reuse(handler);
    }

    /**
     * The bytes of {@code srcs} in all, each checked as a send's segment is.
     *
     * @throws IllegalArgumentException for no segments or more than {@link CallerBuffers#MAX}, or one
     *         that is not native or is confined to a thread
     * @throws NullPointerException naming the element that is null
     */
    static long checked(MemorySegment[] srcs) {
        if (srcs.length == 0 || srcs.length > CallerBuffers.MAX) {
            throw new IllegalArgumentException("between 1 and " + CallerBuffers.MAX + " segments (IOV_MAX), got "
                    + srcs.length);
        }
        long total = 0;
        for (int i = 0; i < srcs.length; i++) {
            if (srcs[i] == null) {
                throw new NullPointerException("srcs[" + i + "] is null");
            }
            total += Bounce.checkNative(srcs[i], false).byteSize();
        }
        return total;
    }

    @Override
    Reuse reuse() {
        return reuse;
    }

    @Override
    public ReusableOperation<Long> restart() {
        checked(callerSegments); // the caller's mistake is the caller's exception, not the dispatcher's
        rerun();
        return this;
    }

    @Override
    public Request request() {
        long done = bytesDone;
        if (done == 0) {
            return whole;
        }
        if (done != lastDone) {
            last = new Request.SendV(resource.fd, VectoredOp.remaining(segments, done));
            lastDone = done;
        }
        return last;
    }

    @Override
    void renewArguments() {
        long total = 0;
        for (int i = 0; i < segments.length; i++) {
            segments[i] = callerSegments[i];
            total += segments[i].byteSize();
        }
        runs(total);
        last = null;
        lastDone = -1;
    }

    @Override
    void onResult(long n, Object attachment) {
        if (fullyRound(n)) {
            succeed(bytesDone);
        }
    }
}
