package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.*;

import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Errno;
import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import dev.proactor.internal.uring.ffi.Syscalls;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.function.BiConsumer;

/**
 * File-to-socket transfers on the ring: each round is a splice from the file into a pipe, linked
 * (IOSQE_IO_LINK) to a splice from the pipe into the socket, so the bytes never cross into user
 * space.
 *
 * <p>A stalled peer costs a poll, not a thread. The kernel runs every IORING_OP_SPLICE in an io-wq
 * worker ({@code io_uring/splice.c}, {@code __io_splice_prep}: {@code REQ_F_FORCE_ASYNC}), and a
 * splice into a blocking socket whose send buffer is full sleeps in that worker until the peer
 * reads. So a transfer's socket is made non-blocking (O_NONBLOCK on its open file description, set
 * at its first round and left on; io_uring's own socket opcodes poll either way): the socket leg
 * then sends what fits and returns ({@code fs/splice.c}, {@code splice_to_socket}: MSG_DONTWAIT
 * when the socket's file has O_NONBLOCK; SPLICE_F_NONBLOCK alone only stops waits on the pipe).
 * What the socket did not take stays in the pipe while an IORING_OP_POLL_ADD (POLLOUT) on the socket
 * waits on the ring for room, and a drain splice then sends more. The file leg never waits for the
 * peer: the pipe is empty when a round starts. What makes it more than two SQEs:
 * <ul>
 *   <li>A short file splice breaks the link: the socket splice completes -ECANCELED having sent
 *       nothing, and what the pipe holds is sent by a drain splice before the round ends, so the
 *       round's count is what the socket got and the pipe goes back to its pool empty.
 *   <li>A socket splice that sent less than it asked (-EAGAIN or a short count: the send buffer is
 *       full) is followed by the poll, then by a drain; the deadline is a link timeout on each poll,
 *       with the operation's absolute expiry. The socket splices themselves return at once.
 *   <li>A cancel aimed at the head of the chain stops a socket splice not yet issued; one already
 *       issued, or a poll, needs its own cancel (both carry {@code SPLICE_OUT}), and one that is
 *       between the two (the file splice done, the linked one not yet issued) is not found and is
 *       asked again.
 *   <li>A round that ends with bytes in its pipe (failed, cancelled, timed out) discards the pipe
 *       rather than let the bytes reach the next transfer's socket.
 * </ul>
 * Drains, polls and cancels that find no room in the ring are held and prepared at the next turn.
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
     * Socket splices in a row that moved nothing, each after a poll that reported room, before the
     * round gives up with EAGAIN (the core's RetryPolicy then decides). POLLOUT and a send that
     * finds no room disagree only under memory pressure (tcp_mem); the bound keeps such a socket
     * from spinning the dispatcher. Every other drain moves at least one byte, so a round's drains
     * are bounded by its pipe's bytes.
     */
    private static final int MAX_FRUITLESS = 16;
    /**
     * Cancels one round may re-send at its pipe-to-socket splice after -ENOENT: between the file
     * splice's completion and the issue of the linked one, a cancel finds nothing. The linked
     * request is issued by task work in the same io_uring_enter, so a few turns suffice.
     */
    private static final int MAX_CANCEL_RETRIES = 64;
    /** {@link Round#filled} before the file splice's CQE. */
    private static final int UNSEEN = Integer.MIN_VALUE;

    /** What a round has in the kernel on the socket side, under {@code SPLICE_OUT}. */
    enum SocketLeg { NONE, SPLICE, POLL }

    /** One round of a transfer: its pipe and what each splice did. */
    static final class Round extends OpState {
        /** Lent for the round, empty when it goes back (see {@link PipePool}); null when set-up failed. */
        PipePool.Pipe pipe;
        /**
         * The operation's deadline as a timespec in the round's arena, null without one. Each poll's
         * link timeout points at it again: the kernel copies it when it prepares the SQE
         * ({@code io_uring/timeout.c}, {@code __io_timeout_prep}), so one copy serves them all.
         */
        MemorySegment deadline;
        /** What the round asked of the file splice. */
        int spliceLength;
        /** The file splice's result (bytes into the pipe, or -errno); {@link #UNSEEN} until its CQE. */
        int filled = UNSEEN;
        /** Bytes the pipe-to-socket splices moved. */
        int sent;
        /** The first real failure of a pipe-to-socket splice or poll; 0 if none. */
        int outErrno;
        /** The linked pipe-to-socket splice got -ECANCELED: a broken link, or a real cancel. */
        boolean outCancelled;
        /** What is in the kernel on the socket side (its CQE not reaped). */
        SocketLeg leg = SocketLeg.NONE;
        /** What the last socket splice asked for. */
        int outAsked;
        /** The last socket splice sent less than it asked: wait for POLLOUT before the next. */
        boolean socketFull;
        /** Socket splices in a row that moved nothing; see {@link #MAX_FRUITLESS}. */
        int fruitless;
        /** Drain splices sent so far; also tells the linked splice's CQE from a drain's. */
        int drains;
        int cancelRetries;

        Round(Scratch arena, int cqes, PipePool.Pipe pipe, int setupErrno) {
            super(arena, cqes);
            this.pipe = pipe;
            this.setupErrno = setupErrno;
        }
    }

    private final SubmissionQueue sq;
    private final RingRoom room;
    /** Ends a round's submission: frees its state and tells the core. */
    private final BiConsumer<Submission, OpState> release;
    private final PipePool pipes = new PipePool();
    /** Rounds whose drain splice or poll found no SQE or CQ room; prepared at the next turn. */
    private final ArrayDeque<Submission> deferredLegs = new ArrayDeque<>();
    /** Rounds whose pipe-to-socket cancel found no room, or must be sent again. */
    private final ArrayDeque<Submission> deferredOutCancels = new ArrayDeque<>();
    private Completions sink;
    private int acquireErrno;

    Transfers(SubmissionQueue sq, RingRoom room, BiConsumer<Submission, OpState> release) {
        this.sq = sq;
        this.room = room;
        this.release = release;
    }

    void start(Completions completions) {
        this.sink = completions;
    }

    /**
     * Readies a new round: makes its socket non-blocking and lends an empty pipe; null with the
     * errno in {@link #acquireErrno()} when either fails. One fcntl(F_GETFL) a round: the socket's
     * flag is set once, but a descriptor number is not a socket's identity, so it is not cached.
     */
    PipePool.Pipe acquire(Request.Splice sp) {
        int r = Syscalls.nonBlocking(sp.socketFd(), true);
        if (r < 0) {
            acquireErrno = -r;
            return null;
        }
        PipePool.Pipe p = pipes.acquire();
        if (p == null) {
            acquireErrno = pipes.lastErrno();
        }
        return p;
    }

    /** Why the last {@link #acquire} returned null. */
    int acquireErrno() {
        return acquireErrno;
    }

    /** Takes back the pipe of a round that was never submitted. */
    void unused(PipePool.Pipe pipe) {
        if (pipe != null) {
            pipes.release(pipe);
        }
    }

    /** SQEs a round takes: the two splices, or the NOP that reports a set-up failure. */
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
        st.leg = SocketLeg.SPLICE;
        st.outAsked = length;
        return sq.prepSplice(st.pipe.read(), -1, sp.socketFd(), -1, length, SPLICE_F_MOVE,
                UserData.encode(UserData.token(ud), UserData.SPLICE_OUT));
    }

    /**
     * After the cancel aimed at a round's head went out: cancels what it has on the socket side (a
     * splice or a poll) now, or at the next turn if there is no room.
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
        if (res == -ENOENT && s != null && s.backendState instanceof Round st && st.leg != SocketLeg.NONE
                && st.filled != UNSEEN && st.cancelRetries++ < MAX_CANCEL_RETRIES) {
            // The file splice is done and the linked one not issued yet.
            deferredOutCancels.add(s);
        }
    }

    /** Whether drains, polls or cancels wait for room. */
    boolean holds() {
        return !deferredLegs.isEmpty() || !deferredOutCancels.isEmpty();
    }

    /** Prepares the held drains, polls and cancels where there is room, before a turn's SQEs are published. */
    void prepareHeld() {
        int n = deferredLegs.size();
        for (int i = 0; i < n; i++) {
            Submission s = deferredLegs.poll();
            proceed(s, (Round) s.backendState);
        }
        n = deferredOutCancels.size();
        for (int i = 0; i < n; i++) {
            Submission s = deferredOutCancels.poll();
            if (s.backendState instanceof Round st && st.leg != SocketLeg.NONE) {
                cancelOut(s);
            }
        }
    }

    /** One CQE of a round: the file splice (OP), a socket splice or poll, or a link timeout. */
    void onCqe(Submission s, Round st, int tag, int res) {
        switch (tag) {
            case UserData.OP -> {
                st.filled = res;
                if (res == st.spliceLength && s.cancelRequested()) {
                    // The linked splice will run: the cancel aimed at the head no longer stops it.
                    cancelOut(s);
                }
            }
            case UserData.SPLICE_OUT -> onSocketLeg(st, res);
            case UserData.LINK_TIMEOUT -> st.linkResult = res;
            default -> { }
        }
        if (--st.cqesLeft > 0) {
            return;
        }
        if (st.outCancelled && st.filled == st.spliceLength && st.outErrno == 0) {
            // The file splice was whole, so the link held: the cancel or the deadline ended it.
            st.outErrno = ECANCELED;
        }
        proceed(s, st);
    }

    /** The CQE of what the round had on the socket side. */
    private static void onSocketLeg(Round st, int res) {
        SocketLeg was = st.leg;
        st.leg = SocketLeg.NONE;
        if (was == SocketLeg.POLL) {
            if (res >= 0) {
                // POLLOUT, or POLLERR/POLLHUP, which the next splice reports as its errno.
                st.socketFull = false;
            } else if (st.outErrno == 0) {
                // -ECANCELED: a cancel, or the deadline (its link timeout says which).
                st.outErrno = -res;
            }
            return;
        }
        if (res > 0) {
            st.sent += res;
            st.fruitless = 0;
            st.socketFull = res < st.outAsked;
        } else if (res == 0 || res == -EAGAIN) {
            st.fruitless++;
            st.socketFull = true;
        } else if (res == -ECANCELED && st.drains == 0) {
            st.outCancelled = true;
        } else if (st.outErrno == 0) {
            st.outErrno = -res;
        }
    }

    /**
     * Every CQE of the round's last step is in: send what its pipe still holds (a drain, after a
     * poll when the socket was full), or end the round.
     */
    private void proceed(Submission s, Round st) {
        boolean timedOut = st.linkResult == -ETIME;
        int residue = Math.max(st.filled, 0) - st.sent;
        if (residue > 0 && st.outErrno == 0 && !timedOut && !s.cancelRequested()) {
            if (!st.socketFull) {
                drain(s, st, residue);
                return;
            }
            if (st.fruitless < MAX_FRUITLESS) {
                awaitRoom(s, st);
                return;
            }
            st.outErrno = EAGAIN;
        }
        finish(s, st, residue, timedOut);
    }

    /** Sends what a round left in its pipe to the socket, now or at the next turn. */
    private void drain(Submission s, Round st, int residue) {
        if (!room.take(1, 1)) {
            deferredLegs.add(s);
            return;
        }
        Request.Splice sp = (Request.Splice) s.request();
        sq.prepSplice(st.pipe.read(), -1, sp.socketFd(), -1, residue, SPLICE_F_MOVE,
                UserData.encode(s.token(), UserData.SPLICE_OUT));
        st.drains++;
        st.cqesLeft = 1;
        st.leg = SocketLeg.SPLICE;
        st.outAsked = residue;
    }

    /**
     * Waits on the ring for room in the socket's send buffer, under the operation's deadline; at
     * the next turn if the ring has no room itself.
     */
    private void awaitRoom(Submission s, Round st) {
        int sqes = st.deadline != null ? 2 : 1;
        if (!room.take(sqes, sqes)) {
            deferredLegs.add(s);
            return;
        }
        Request.Splice sp = (Request.Splice) s.request();
        long poll = sq.prepPollAdd(sp.socketFd(), POLLOUT, UserData.encode(s.token(), UserData.SPLICE_OUT));
        st.linkResult = 0;
        st.cqesLeft = sqes;
        st.leg = SocketLeg.POLL;
        if (st.deadline != null) {
            sq.setFlags(poll, IOSQE_IO_LINK);
            sq.prepLinkTimeout(st.deadline, IORING_TIMEOUT_ABS, UserData.encode(s.token(), UserData.LINK_TIMEOUT));
        }
    }

    /** Ends the round: its pipe goes back if empty, else is closed; its count or failure goes to the core. */
    private void finish(Submission s, Round st, int residue, boolean timedOut) {
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
