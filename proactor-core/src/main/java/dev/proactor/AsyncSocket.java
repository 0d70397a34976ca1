package dev.proactor;

import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A connected TCP or Unix-domain stream socket. Every method is safe from any thread. Buffers follow
 * the same rules as {@link AsyncFile}'s: the operation owns them until it ends, and a
 * {@link ByteBuffer}'s position advances by the bytes transferred. Reads are ordered among
 * themselves and so are writes, in the order they were initiated; interleaving several pending
 * writes from different threads interleaves their bytes at operation boundaries. A read or write
 * with no bytes remaining completes with 0 at once, like a channel's, without waiting for data,
 * for send-buffer room or for the operations ahead of it.
 *
 * <p>The reads and writes form the same matrix as a file's, without the position: {@code read}
 * and {@code write} make one kernel call, {@code readFully} and {@code writeAll} as many as it
 * takes; each takes a {@link ByteBuffer}, a native {@link MemorySegment}, the first {@code length}
 * bytes of a {@link BufferLease}, or several {@code ByteBuffer}s in order (a scatter receive or
 * gather send, {@code recvmsg}/{@code sendmsg} with an iovec per buffer; 1 to 1024 buffers, none
 * null). Each is one read or one write in the ordering above, whatever its number of buffers.
 */
public interface AsyncSocket extends java.io.Closeable {

    /** The local address. */
    SocketAddress localAddress();

    /** The peer's address (an equal object at each call, not always the same one). */
    SocketAddress remoteAddress();

    /** Whether a close ({@link #closeAsync()}) has not been initiated. */
    boolean isOpen();

    /** Receives once: the bytes received, or -1 when the peer has shut down its side (end of stream). */
    Operation<Integer> read(ByteBuffer dst);

    /** Receives once into a native segment; see {@link #read(ByteBuffer)}. */
    Operation<Integer> read(MemorySegment dst);

    /** Sends once: the bytes sent, possibly fewer than asked. */
    Operation<Integer> write(ByteBuffer src);

    /** Sends once from a native segment; see {@link #write(ByteBuffer)}. */
    Operation<Integer> write(MemorySegment src);

    /**
     * A receive whose operation object is used again for every run
     * ({@link ReusableOperation#restart()}), with {@code handler} run once per run: each run receives
     * once, as {@link #read(ByteBuffer)}, into the bytes {@code dst} has remaining when the run
     * begins, and advances its position. A loop of reads into a direct buffer allocates nothing per
     * read (a heap buffer takes bounce memory per run). The buffer belongs to the operation while a
     * run is in progress and to the caller between runs. The first run is initiated now.
     */
    ReusableOperation<Integer> reusableRead(ByteBuffer dst, ResultHandler<? super Integer> handler);

    /**
     * A send of a whole buffer whose operation object is used again for every run, as
     * {@link #reusableRead}: each run sends all the bytes {@code src} has remaining when the run
     * begins, as {@link #writeAll(ByteBuffer)}. The first run is initiated now.
     */
    ReusableOperation<Long> reusableWriteAll(ByteBuffer src, ResultHandler<? super Long> handler);

    /**
     * A gather send of whole native segments whose operation object is used again for every run, as
     * {@link #reusableRead}: each run sends every byte of the segments in {@code srcs}, in order, as
     * one write ({@code sendmsg} with an iovec per segment, continuing after short sends, as
     * {@link #writeAll(ByteBuffer...)}); the result is their total. The array is read as each run
     * begins (now, and at each {@link ReusableOperation#restart()}): the caller may put other
     * segments in it between runs, and must not change it from a restart until that run's handler
     * runs. A segment may be empty. Nothing is copied, and a run's first round sends the same request
     * every run: a response whose head and body are shared, prepared segments goes out without a
     * copy, a buffer view or an operation per response. The segments' memory
     * belongs to the operation while a run is in progress. A failure carries the bytes sent, which
     * the peer receives in order. The first run is initiated now.
     *
     * @param srcs 1 to 1024 native segments (IOV_MAX), none null, none confined to a thread; checked
     *     again at each restart
     * @throws IllegalArgumentException for no segments or more than 1024, or one that is not native
     *     or is confined to a thread
     * @throws NullPointerException if {@code srcs}, {@code handler} or an element of {@code srcs} is null
     */
    ReusableOperation<Long> reusableWriteAll(MemorySegment[] srcs, ResultHandler<? super Long> handler);

    /**
     * Receives once into the first {@code length} bytes of a pooled lease (not a received chunk,
     * which holds exactly what arrived); see {@link #read(ByteBuffer)}. The lease is lent to the
     * operation until it ends.
     */
    Operation<Integer> read(BufferLease dst, int length);

    /** Sends once from the first {@code length} bytes of a lease, as {@link #writeAll(BufferLease, int)} takes it. */
    Operation<Integer> write(BufferLease src, int length);

    /**
     * Receives once into several buffers, as one scatter receive ({@code recvmsg} with an iovec per
     * buffer), filling each before the next. The result is the bytes received, or -1 at end of
     * stream; each buffer's position advances by what it received.
     *
     * @param dsts 1 to 1024 buffers (IOV_MAX), none null or read-only
     * @throws IllegalArgumentException for no buffers or more than 1024, or a read-only one
     * @throws NullPointerException if {@code dsts} or one of its elements is null
     */
    Operation<Long> read(ByteBuffer... dsts);

    /**
     * Sends once from several buffers, as one gather send ({@code sendmsg} with an iovec per
     * buffer): their remaining bytes in order, as if they were one buffer. The result is the bytes
     * sent, possibly fewer than the buffers hold; each buffer's position advances by what was taken
     * from it, so the first buffer with bytes remaining is where a later send goes on. An empty
     * buffer anywhere is allowed and sends nothing. It is one write: it counts against the
     * {@link #writeBudget(long) write budget} for the buffers' total and takes its place among this
     * socket's writes in initiation order. Heap buffers are copied once into native memory at
     * initiation, direct ones are sent in place.
     *
     * @param srcs 1 to 1024 buffers (IOV_MAX), none null
     * @throws IllegalArgumentException for no buffers or more than 1024
     * @throws NullPointerException if {@code srcs} or one of its elements is null
     */
    Operation<Long> write(ByteBuffer... srcs);

    /**
     * Sends every remaining byte of several buffers in order, continuing after short sends; see
     * {@link #write(ByteBuffer...)}. The result is the buffers' total, and every buffer is then
     * empty; a failure (or cancellation, or deadline) carries the bytes sent, which the peer
     * receives in order, and the buffers' positions say which of their bytes those were.
     *
     * @param srcs 1 to 1024 buffers (IOV_MAX), none null
     * @throws IllegalArgumentException for no buffers or more than 1024
     * @throws NullPointerException if {@code srcs} or one of its elements is null
     */
    Operation<Long> writeAll(ByteBuffer... srcs);

    /** Receives until the buffer is full; fails with {@link EndOfFileException} (bytes done) at end of stream. */
    Operation<Long> readFully(ByteBuffer dst);

    /** Receives until the native segment is full; see {@link #readFully(ByteBuffer)}. */
    Operation<Long> readFully(MemorySegment dst);

    /** Receives until the first {@code length} bytes of a pooled lease are full; see {@link #read(BufferLease, int)}. */
    Operation<Long> readFully(BufferLease dst, int length);

    /**
     * Receives until every buffer is full, in order, continuing after short receives; fails with
     * {@link EndOfFileException} (bytes done) at end of stream, the buffers' positions saying
     * where those bytes went. See {@link #read(ByteBuffer...)}.
     */
    Operation<Long> readFully(ByteBuffer... dsts);

    /** Sends the whole buffer, continuing after short sends; a failure carries the bytes sent. */
    Operation<Long> writeAll(ByteBuffer src);

    /** Sends the whole native segment; see {@link #writeAll(ByteBuffer)}. */
    Operation<Long> writeAll(MemorySegment src);

    /**
     * Sends {@code count} bytes of {@code file}, starting at file offset {@code position}, without
     * copying them through the Java heap or any user-space buffer: on io_uring the kernel splices
     * the file's pages through a pipe to the socket, on the portable backend
     * {@code FileChannel.transferTo} does it (sendfile on Linux). Continues after short transfers
     * until all {@code count} bytes are sent; the result is then {@code count}.
     *
     * <p>It is a send: it takes its place among this socket's writes in initiation order and runs
     * alone in the send direction, so its bytes never interleave with a {@link #writeAll}'s. It does
     * not move any position of {@code file}, which must belong to the same proactor; it counts as
     * pending on the file too, so closing the file (or the socket) cancels it.
     *
     * <p>Failure: {@link EndOfFileException} when the file ends before {@code count} bytes were
     * sent, and otherwise the usual failure, cancellation or deadline; each carries, as
     * {@link ProactorException#bytesDone()}, the bytes that reached the socket, which the peer
     * receives in order. A transfer the file does not allow (a pipe, a directory) fails with the
     * kernel's errno.
     *
     * <p>Cost while the peer does not read: a wait for room in the socket, never a thread, and no
     * delay to other operations. On io_uring the socket is made non-blocking at its first transfer
     * (and stays so; the proactor's own operations do not notice), the splices return at once, and
     * a full socket is awaited by a poll on the ring; meanwhile the transfer holds one pipe (two
     * descriptors) with at most 64 KiB of the file in it. The kernel's io-wq workers that run the
     * splices are capped at 16 per proactor, and none of them waits for a peer. On the portable
     * backend {@code transferTo} is called on the non-blocking socket by the dispatcher, which waits
     * for writability with its selector. The timeout of {@link #withTimeout}, a cancel or a close ends
     * a stalled transfer, with the bytes sent so far.
     *
     * @throws IllegalArgumentException if {@code position} or {@code count} is negative, or
     *         {@code file} belongs to another proactor
     */
    Operation<Long> transferFrom(AsyncFile file, long position, long count);

    /**
     * Sends the first {@code length} bytes of a pooled buffer, or of a chunk {@link #receiveEach}
     * delivered (to send it on from the buffer it arrived in), continuing after short sends. The lease
     * is lent to the operation until it ends ({@link BufferLease#release()} fails meanwhile); on
     * io_uring a zero-copy send ends only once the kernel no longer reads the buffer
     * ({@link ProactorConfig#zeroCopySendThreshold()}).
     */
    Operation<Long> writeAll(BufferLease src, int length);

    /**
     * Receives until end of stream, handing each chunk to {@code handler} as a {@link BufferLease}
     * whose {@link BufferLease#segment()} holds exactly the bytes received. Chunks arrive in order,
     * one handler call at a time. The handler owns each lease and must {@link BufferLease#release()}
     * it, at once or later from any thread: only then may its buffer receive again.
     *
     * <p>Buffers: the proactor takes a buffer only when data has arrived (io_uring: a multishot
     * receive into a ring of provided buffers, {@link ProactorConfig#receiveBufferCount()} of
     * {@link ProactorConfig#receiveBufferSize()} bytes; portable: a buffer taken once the socket is
     * readable), so an idle connection holds none. Where the kernel lacks provided buffer rings, each
     * armed receive holds a slab of the {@link BufferPool} instead, idle or not: then at most
     * {@link ProactorConfig#bufferCount()} receive streams are armed at once, and the others wait
     * for a slab (the {@link CapabilityReport}'s RECV line says which path a proactor takes).
     *
     * <p>Back-pressure: at most {@link ProactorConfig#receiveBacklog()} chunks per connection may be
     * delivered-and-unreleased or waiting for delivery; beyond that the proactor stops receiving on
     * the socket (the kernel's receive buffer and TCP's window then hold the peer back) and resumes
     * once the handler releases. On io_uring's multishot receive the stop takes effect
     * asynchronously: chunks the kernel had already received by then still come (at most what the
     * socket's receive buffer held). When all buffers are lent, receiving stops on every such socket
     * until some come back. {@link OperationStream#pause()} stops receiving too.
     *
     * <p>End: end of stream completes the stream with the bytes received; a reset or another error
     * fails it with {@link OperationFailedException} (the errno, and the bytes delivered); cancel or
     * close ends it as cancelled. Receives run in this socket's receive order: a {@link #read} initiated
     * while the stream runs waits until it ends.
     */
    OperationStream receiveEach(StreamHandler<? super BufferLease> handler);

    /**
     * Bytes of writes initiated on this socket that have not ended (queued behind earlier writes,
     * or in the kernel): what the write budget is measured against.
     */
    long pendingWriteBytes();

    /**
     * Sets this socket's write budget, overriding {@link ProactorConfig#writeBudget()}: the most
     * bytes of writes ({@code write}, {@code writeAll}, {@code transferFrom}) that may be pending on
     * it at once. A write that would go beyond it (while any other write is pending; a single write
     * larger than the budget is allowed alone) is handled like an operation at the in-flight limit,
     * under the proactor's {@link AdmissionPolicy}: rejected at once with
     * {@link AdmissionRejectedException}, or the initiating thread waits for earlier writes to end
     * (then rejected when the wait runs out), or, under a queue policy, it is accepted and waits in
     * order, not submitted to the kernel before the writes ahead of it ended. Writes keep their
     * initiation order whatever the budget.
     *
     * @param bytes the budget, at least 1
     * @return this socket
     */
    AsyncSocket writeBudget(long bytes);

    /**
     * Changes a standard option of this connected socket, which {@link SocketOptions} set only at
     * creation: {@code TCP_NODELAY}, {@code SO_KEEPALIVE}, {@code SO_SNDBUF}, {@code SO_RCVBUF},
     * {@code SO_REUSEADDR} and {@code SO_REUSEPORT} of {@link java.net.StandardSocketOptions}
     * (a Unix-domain socket: the two buffer sizes only). The result is the value then in effect,
     * as {@link #option} would read it. A buffer size reads as the JDK's channels report it: the
     * size asked for, within the kernel's limits (a request below its minimum, 0 included, reads
     * as that minimum, one above {@code net.core.rmem_max} or {@code wmem_max} as that maximum);
     * on Linux that is half of what getsockopt(2) says, since the kernel doubles a request for its
     * bookkeeping, as {@code SocketChannel.getOption} halves it too.
     *
     * <p>The dispatcher makes the call (setsockopt(2) on io_uring, the channel's
     * {@code setOption} on the portable backend), when it takes the operation: it is not ordered
     * after the socket's pending reads or writes, and it affects what the kernel does with them from
     * then on. Like any operation it fails with {@link ProactorClosedException} once a close was
     * initiated, and a close waits for it, so it never reaches a descriptor number the system has
     * given to another file; the kernel's refusal fails it with {@link OperationFailedException}.
     *
     * @param name the option
     * @param value its new value
     * @param <T> the option's type, {@code Boolean} or {@code Integer}
     * @return the operation, completing with the value in effect
     * @throws NullPointerException if {@code name} is null
     * @throws UnsupportedOperationException if this socket does not support {@code name}
     * @throws IllegalArgumentException if {@code value} is null, not of the option's type, or a
     *     negative buffer size
     */
    <T> Operation<T> setOption(java.net.SocketOption<T> name, T value);

    /**
     * Reads a standard option of this socket as the kernel has it now (getsockopt(2), or the
     * channel's {@code getOption}); the options and the threading are those of {@link #setOption}.
     *
     * @param name the option
     * @param <T> the option's type
     * @return the operation, completing with the value
     * @throws NullPointerException if {@code name} is null
     * @throws UnsupportedOperationException if this socket does not support {@code name}
     */
    <T> Operation<T> option(java.net.SocketOption<T> name);

    /**
     * Shuts down the sending side (shutdown(2) with {@code SHUT_WR}): the peer reads end of stream
     * once it has read what was sent. It takes its place among this socket's writes: it runs after
     * every write initiated before it has ended, so their bytes all precede the end of stream. A
     * write initiated after it fails (EPIPE). Its deadline, if any, counts from initiation,
     * but like a write's it ends the shutdown only once the writes ahead of it have ended.
     */
    Operation<Void> shutdownOutput();

    /** Shuts down the receiving side, at once (it is not ordered after pending reads). */
    Operation<Void> shutdownInput();

    /**
     * Closes the socket without losing what was written: the ordinary close.
     *
     * <ol>
     * <li>From the call on, {@link #isOpen()} is false and any operation initiated on the socket
     *     fails with {@link ProactorClosedException} ("socket closed").
     * <li>The writes initiated before the call ({@code write}, {@code writeAll}, gather writes,
     *     {@code transferFrom}, lent chunks, zero-copy sends, and those still queued behind the
     *     write budget) finish in order, while pending reads and receive streams keep running.
     * <li>Then every other pending operation ends cancelled, the connection is shut down for
     *     sending (a TCP peer reads end of stream after all the bytes), and the descriptor is closed.
     * </ol>
     *
     * <p>The writes get a bounded time, counted from this call: the {@link #withTimeout} of the
     * view it is called on, else the socket's {@link SocketOptions#closeLinger()} (30 s by
     * default). If they have not ended by then, they are cancelled (each with the bytes it sent),
     * the connection is reset so that the peer sees a reset rather than an end of stream after a
     * truncated stream, the descriptor is closed all the same, and the close ends
     * {@link OperationState#TIMED_OUT} with an {@link OperationTimeoutException} that says how
     * many writes were cut. Otherwise it completes. The outcomes of every operation pending when
     * it was called are published before its own.
     *
     * <p>As with close(2), bytes the socket had received but nobody read make the kernel reset the
     * connection rather than end it, which can destroy data the peer has not read yet; a protocol
     * that closes before reading everything should shut down output, read until end of stream,
     * then close. Closing the proactor does not wait for writes: it cancels them by its own
     * deadline ({@link Proactor#close(java.time.Duration)}). Calling {@code close()} again
     * returns the same operation. Once initiated a close cannot be cancelled:
     * {@link Operation#cancel()} on it changes nothing and is answered
     * {@link CancelResult.Kind#TOO_LATE} once the descriptor is closed; {@link #abort()} is the
     * way to cut a lingering close short.
     */
    Operation<Void> closeAsync();

    /**
     * Closes the socket as {@link #closeAsync()} does and waits until the descriptor is closed, so
     * that {@code try (AsyncSocket socket = ...)} leaves nothing open. Writes already initiated are
     * sent first, as {@link #closeAsync()} promises, so it returns only once they reached the
     * kernel or the linger deadline cut them. A second call waits for the same close.
     * On a thread of the proactor itself (a handler, inline or on a worker) it does not wait, since
     * the close may need that very thread to be delivered: it initiates the close and returns, and
     * {@link #closeAsync()} returns the same operation for whoever wants its outcome.
     *
     * @throws ProactorException the close's failure: an {@link OperationTimeoutException} when
     *     the linger deadline cut queued writes
     */
    @Override
    void close() throws ProactorException;

    /**
     * Closes the socket at once, dropping what is not sent: every pending operation ends
     * cancelled, writes included, the connection is reset (TCP: RST instead of FIN, as with
     * {@code SO_LINGER} 0, so the peer's reads fail with ECONNRESET) and the descriptor is
     * closed; it completes once the descriptor is closed. Called after {@link #closeAsync()}, it returns
     * that close and makes it stop waiting for its writes (if it still is), without the close
     * then reporting a timeout; calling it again returns the same operation.
     */
    Operation<Void> abort();

    /** A view whose operations carry a deadline of {@code timeout} after their initiation. */
    AsyncSocket withTimeout(Duration timeout);
}
