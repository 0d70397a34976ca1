package dev.proactor.internal.nio;

import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import dev.proactor.internal.blocking.BlockingTask;

/**
 * The portable backend's state for one accepted submission, kept in
 * {@link Submission#backendState} from {@code submit} until the release. It is also the
 * submission's entry in the timer heap (a timer's expiry, or an operation's deadline) and, for a
 * file request, the task the file pool runs.
 *
 * <p>Threads: everything is written by the dispatcher except the fields under "file thread", which
 * the one file thread that runs the task writes before it posts the op to the backend's result
 * queue; the queue's hand-off orders those writes before the dispatcher reads them. The
 * {@link BlockingTask}'s state is the one field both sides race on, and it is only changed by
 * compare-and-set. A socket request
 * never reaches a file thread: the dispatcher alone writes all its fields, {@link #result} and
 * {@link #attachment} included.
 */
final class NioOp extends DeadlineHeap.Entry {

    final Submission submission;
    final Request request;
    /** The channel a file request works on, resolved on the dispatcher at submission; null for Open. */
    final ChannelTable.OpenFile file;
    /** Performs the file request; null for a Nop or a Timer. */
    private final FilePool pool;

    /** The file call on {@link #pool}; null with it. */
    private final BlockingTask<NioOp> task;

    // ---- dispatcher: socket requests ----
    /** The socket the request waits on, while it is in one of its queues; null otherwise. */
    NioSocket socket;
    /** A send's views of its buffers, kept across attempts so that their positions are the progress. */
    java.nio.ByteBuffer[] io;

    // ---- dispatcher: an outcome decided without a file thread, delivered by the next runOnce ----
    /** One of the OUTCOME_ constants of the backend, or 0 while the op waits for its result. */
    int outcome;
    int outcomeErrno;

    // ---- file thread (or the dispatcher, for a socket request) ----
    /** The byte count or 0, when {@link #errno} is 0; also what an outcome decided as complete reports. */
    long result;
    /** The structured result (a FileStat, or Endpoints), or null. */
    Object attachment;
    /** The failure, or 0. */
    int errno;
    /** What an Open opened, owned by this op until the dispatcher enters it in the table. */
    ChannelTable.OpenFile opened;

    NioOp(Submission submission, ChannelTable.OpenFile file, FilePool pool) {
        this.submission = submission;
        this.request = submission.request();
        this.file = file;
        this.pool = pool;
        this.task = pool == null ? null : pool.taskFor(this);
    }

    /** The pool that runs the task (the bounded one, or the stream pool); null for a request without a file thread. */
    FilePool pool() {
        return pool;
    }

    /** The file call the pool runs; null for a request without a file thread. */
    BlockingTask<NioOp> task() {
        return task;
    }

    /** Whether a file thread has taken the task; once true it stays true. */
    boolean started() {
        return task != null && task.started();
    }

    @Override
    public String toString() {
        return "NioOp[" + request + ", token " + submission.token() + "]";
    }
}
