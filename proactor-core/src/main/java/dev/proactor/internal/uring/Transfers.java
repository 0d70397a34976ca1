package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.*;

import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Errno;
import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import java.lang.foreign.Arena;
import java.util.ArrayDeque;
import java.util.function.BiConsumer;

/**
 * File-to-socket transfers on the ring: each round is a splice from the file into a pipe, linked
 * (IOSQE_IO_LINK) to a splice from the pipe into the socket, so the bytes never cross into user
 * space. What makes it more than two SQEs:
 * <ul>
 *   <li>A short file splice breaks the link: the socket splice completes -ECANCELED having sent
 *       nothing, and what the pipe holds is sent by a drain splice before the round ends, so the
 *       round's count is what the socket got and the pipe goes back to its pool empty.
 *   <li>A cancel aimed at the head of the chain stops a socket splice not yet issued; one already
 *       issued (blocked on a full socket) needs its own cancel, and one that is between the two
 *       (the file splice done, the linked one not yet issued) is not found and is asked again.
 *   <li>A round that ends with bytes in its pipe (failed, cancelled, timed out) discards the pipe
 *       rather than let the bytes reach the next transfer's socket.
 * </ul>
 * Drains and cancels that find no room in the ring are held and prepared at the next turn.
 *
 * <p>Dispatcher thread only.
 */
final class Transfers {

    /**
     * The most a round asks for: a default pipe's capacity (16 pages). A file-to-pipe splice never
     * waits for room: it stops short when the pipe is full, which breaks the link to the
     * pipe-to-socket splice, so asking for more than the pipe holds would only force a drain.
     */
    static final int ROUND_BYTES = 64 * 1024;
    /**
     * Drain splices one round may add after its linked pair. A splice into a blocking socket sends
     * everything unless a signal (a cancel) interrupts it, so one drain is the rule; the bound keeps
     * a misbehaving kernel from holding a round for ever.
     */
    private static final int MAX_DRAINS = 16;
    /**
     * Cancels one round may re-send at its pipe-to-socket splice after -ENOENT: between the file
     * splice's completion and the issue of the linked one, a cancel finds nothing. The linked
     * request is issued by task work in the same io_uring_enter, so a few turns suffice.
     */
    private static final int MAX_CANCEL_RETRIES = 64;
    /** {@link Round#filled} before the file splice's CQE. */
    private static final int UNSEEN = Integer.MIN_VALUE;

    /** One round of a transfer: its pipe and what each splice did. */
    static final class Round extends OpState {
        /** Lent for the round, empty when it goes back (see {@link PipePool}); null when pipe2 failed. */
        PipePool.Pipe pipe;
        /** What the round asked of the file splice. */
        int spliceLength;
        /** The file splice's result (bytes into the pipe, or -errno); {@link #UNSEEN} until its CQE. */
        int filled = UNSEEN;
        /** Bytes the pipe-to-socket splices moved. */
        int sent;
        /** The first real failure of a pipe-to-socket splice; 0 if none. */
        int outErrno;
        /** The linked pipe-to-socket splice got -ECANCELED: a broken link, or a real cancel. */
        boolean outCancelled;
        /** A pipe-to-socket splice is in the kernel (its CQE not reaped). */
        boolean outInFlight;
        /** Drain splices sent so far; also tells the linked splice's CQE from a drain's. */
        int drains;
        int cancelRetries;

        Round(Arena arena, long bytes, int cqes, PipePool.Pipe pipe, int pipeErrno) {
            super(arena, bytes, cqes);
            this.pipe = pipe;
            this.setupErrno = pipeErrno;
        }
    }

    private final SubmissionQueue sq;
    private final RingRoom room;
    /** Ends a round's submission: frees its state and tells the core. */
    private final BiConsumer<Submission, OpState> release;
    private final PipePool pipes = new PipePool();
    /** Rounds whose drain splice found no SQE or CQ room; prepared at the next turn. */
    private final ArrayDeque<Submission> deferredDrains = new ArrayDeque<>();
    /** Rounds whose pipe-to-socket cancel found no room, or must be sent again. */
    private final ArrayDeque<Submission> deferredOutCancels = new ArrayDeque<>();
    private Completions sink;

    Transfers(SubmissionQueue sq, RingRoom room, BiConsumer<Submission, OpState> release) {
        this.sq = sq;
        this.room = room;
        this.release = release;
    }

    void start(Completions completions) {
        this.sink = completions;
    }

    /** An empty pipe for a new round, or null with pipe2's errno in {@link #pipeErrno()}. */
    PipePool.Pipe acquirePipe() {
        return pipes.acquire();
    }

    /** The errno of the last pipe2 that failed. */
    int pipeErrno() {
        return pipes.lastErrno();
    }

    /** Takes back the pipe of a round that was never submitted. */
    void unused(PipePool.Pipe pipe) {
        if (pipe != null) {
            pipes.release(pipe);
        }
    }

    /** SQEs a round takes: the two splices, or the NOP that reports a pipe2 failure. */
    static int sqes(PipePool.Pipe pipe) {
        return pipe != null ? 2 : 1;
    }

    /**
     * Prepares a round: file to pipe, linked to pipe to socket, both for the same length; returns
     * the second SQE, the one a deadline's link timeout follows. Without a pipe a NOP carries the
     * errno. The round asks for no more than {@link #ROUND_BYTES}, so the pipe, empty at the start,
     * holds all of it. Room was checked by the caller.
     */
    long prepare(Request.Splice sp, long ud, Round st) {
        if (st.pipe == null) {
            return sq.prepNop(ud);
        }
        int length = Math.min(sp.length(), ROUND_BYTES);
        st.spliceLength = length;
        long in = sq.prepSplice(sp.fileFd(), sp.position(), st.pipe.write(), -1, length, SPLICE_F_MOVE, ud);
        sq.setFlags(in, IOSQE_IO_LINK);
        st.outInFlight = true;
        return sq.prepSplice(st.pipe.read(), -1, sp.socketFd(), -1, length, SPLICE_F_MOVE,
                UserData.encode(UserData.token(ud), UserData.SPLICE_OUT));
    }

    /**
     * After the cancel aimed at a round's head went out: cancels its pipe-to-socket splice now, or
     * at the next turn if there is no room.
     */
    void cancelOut(Submission s) {
        if (!room.take(1, 1)) {
            deferredOutCancels.add(s);
            return;
        }
        sq.prepCancel(UserData.encode(s.token(), UserData.SPLICE_OUT), 0,
                UserData.encode(s.token(), UserData.CANCEL_OUT));
    }

    /** The CQE of a pipe-to-socket cancel: -ENOENT between the two splices asks again next turn. */
    void onCancelOut(Submission s, int res) {
        if (res == -ENOENT && s != null && s.backendState instanceof Round st && st.outInFlight
                && st.filled != UNSEEN && st.cancelRetries++ < MAX_CANCEL_RETRIES) {
            // The file splice is done and the linked one not issued yet.
            deferredOutCancels.add(s);
        }
    }

    /** Whether drains or cancels wait for room. */
    boolean holds() {
        return !deferredDrains.isEmpty() || !deferredOutCancels.isEmpty();
    }

    /** Prepares the held drains and cancels where there is room, before a turn's SQEs are published. */
    void prepareHeld() {
        int n = deferredDrains.size();
        for (int i = 0; i < n; i++) {
            Submission s = deferredDrains.poll();
            drain(s, (Round) s.backendState);
        }
        n = deferredOutCancels.size();
        for (int i = 0; i < n; i++) {
            Submission s = deferredOutCancels.poll();
            if (s.backendState instanceof Round st && st.outInFlight) {
                cancelOut(s);
            }
        }
    }

    /** Sends what a round left in its pipe to the socket, now or at the next turn. */
    private void drain(Submission s, Round st) {
        if (!room.take(1, 1)) {
            deferredDrains.add(s);
            return;
        }
        Request.Splice sp = (Request.Splice) s.request();
        int residue = st.filled - st.sent;
        sq.prepSplice(st.pipe.read(), -1, sp.socketFd(), -1, residue, SPLICE_F_MOVE,
                UserData.encode(s.token(), UserData.SPLICE_OUT));
        st.drains++;
        st.cqesLeft = 1;
        st.outInFlight = true;
    }

    /** One CQE of a round: the file splice (OP), a pipe-to-socket splice, or the link timeout. */
    void onCqe(Submission s, Round st, int tag, int res) {
        switch (tag) {
            case UserData.OP -> {
                st.filled = res;
                if (res == st.spliceLength && s.cancelRequested()) {
                    // The linked splice will run: the cancel aimed at the head no longer stops it.
                    cancelOut(s);
                }
            }
            case UserData.SPLICE_OUT -> {
                st.outInFlight = false;
                if (res >= 0) {
                    st.sent += res;
                } else if (res == -ECANCELED && st.drains == 0) {
                    st.outCancelled = true;
                } else if (st.outErrno == 0) {
                    st.outErrno = -res;
                }
            }
            case UserData.LINK_TIMEOUT -> st.linkResult = res;
            default -> { }
        }
        if (--st.cqesLeft > 0) {
            return;
        }
        boolean timedOut = st.linkResult == -ETIME;
        if (st.outCancelled && st.filled == st.spliceLength && st.outErrno == 0) {
            // The file splice was whole, so the link held: the cancel or the deadline ended it.
            st.outErrno = ECANCELED;
        }
        int residue = Math.max(st.filled, 0) - st.sent;
        if (residue > 0 && st.outErrno == 0 && !timedOut && !s.cancelRequested() && st.drains < MAX_DRAINS) {
            drain(s, st);
            return;
        }
        PipePool.Pipe pipe = st.pipe;
        st.pipe = null;
        if (residue == 0) {
            pipes.release(pipe);
        } else {
            pipes.discard(pipe);
        }
        int errno = st.filled < 0 ? -st.filled : st.outErrno;
        if (st.sent > 0) {
            // What reached the socket counts; a failure shows again on the next round.
            sink.complete(s, st.sent, null);
        } else if (timedOut) {
            sink.timedOut(s);
        } else if (s.cancelRequested() && (errno == 0 || errno == ECANCELED || errno == EINTR)) {
            sink.cancelled(s);
        } else if (errno != 0) {
            sink.fail(s, errno);
        } else if (st.filled == 0) {
            sink.complete(s, 0, null);
        } else {
            sink.fail(s, Errno.EIO);
        }
        release.accept(s, st);
    }

    /** Closes the idle pipes; those of rounds still in the kernel stay open with them. */
    void close() {
        pipes.close();
    }
}
