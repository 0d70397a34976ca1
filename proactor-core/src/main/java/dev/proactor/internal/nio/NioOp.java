package dev.proactor.internal.nio;

import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The portable backend's state for one accepted submission, kept in
 * {@link Submission#backendState} from {@code submit} until the release. It is also the
 * submission's entry in the timer heap (a timer's expiry, or an operation's deadline) and, for a
 * file request, the task the file pool runs.
 *
 * <p>Threads: everything is written by the dispatcher except the fields under "file thread", which
 * the one file thread that runs the task writes before it posts the op to the backend's result
 * queue; the queue's hand-off orders those writes before the dispatcher reads them. {@link #state}
 * is the one field both sides race on, and it is only changed by compare-and-set. A socket request
 * never reaches a file thread: the dispatcher alone writes all its fields, {@link #result} and
 * {@link #attachment} included.
 */
final class NioOp extends DeadlineHeap.Entry implements Runnable {

    /** A file task waiting in the pool's queue. */
    static final int QUEUED = 0;
    /** A file thread took it: it will run to its end and post a result, whatever happens meanwhile. */
    static final int RUNNING = 1;
    /** Taken out of the queue before it started (cancelled, timed out, or the backend closed). */
    static final int WITHDRAWN = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(NioOp.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Submission submission;
    final Request request;
    /** The channel a file request works on, resolved on the dispatcher at submission; null for Open. */
    final ChannelTable.OpenFile file;
    /** Performs the file request; null for a Nop or a Timer. */
    private final FilePool pool;

    @SuppressWarnings("unused") // through STATE
    private volatile int state;

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
    }

    /** The pool that runs the task (the bounded one, or the stream pool); null for a request without a file thread. */
    FilePool pool() {
        return pool;
    }

    /** Marks the task started, unless it was withdrawn first; only the file thread calls this. */
    boolean start() {
        return STATE.compareAndSet(this, QUEUED, RUNNING);
    }

    /** Withdraws the task if it has not started; returns whether it had not. */
    boolean withdraw() {
        return STATE.compareAndSet(this, QUEUED, WITHDRAWN);
    }

    /** Whether a file thread has taken the task; once true it stays true. */
    boolean started() {
        return (int) STATE.getVolatile(this) == RUNNING;
    }

    /** On a file thread: runs the file request and posts its result, unless it was withdrawn first. */
    @Override
    public void run() {
        if (!start()) {
            return;
        }
        pool.perform(this);
    }

    @Override
    public String toString() {
        return "NioOp[" + request + ", token " + submission.token() + "]";
    }
}
