package dev.proactor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * An open file whose operations run asynchronously through the proactor that opened it. Every
 * method is safe to call from any thread and returns at once; several operations may be in flight
 * on the same file.
 *
 * <p>Buffers: a {@link ByteBuffer} is read into from its position to its limit (or written from),
 * and its position advances by the bytes transferred before the handler runs. A direct buffer or a
 * native {@link MemorySegment} is handed to the kernel as it is; a heap buffer goes through a
 * native bounce buffer. A {@link BufferLease} from {@link Proactor#buffers()} uses the registered
 * buffer path. Whatever the kind, the operation owns the buffer until it ends. A native segment
 * must be usable by other threads (shared, global or automatic arena); a confined one is refused.
 * A read or write with no bytes remaining completes with 0 at once, even on a pipe or FIFO.
 *
 * <p>The reads and writes form one matrix. {@code read} and {@code write} make one kernel call
 * (the result may be short); {@code readFully} and {@code writeAll} make as many as it takes to
 * move every byte. Each of the four takes a {@link ByteBuffer}, a native {@link MemorySegment}, the
 * first {@code length} bytes of a {@link BufferLease}, or several {@code ByteBuffer}s in order
 * (vectored: {@code preadv}/{@code pwritev}, one call a round, each buffer filled or drained before
 * the next; 1 to 1024 buffers, none null). A single buffer's result is an {@code Integer} for one
 * call and a {@code Long} otherwise.
 *
 * <p>Cancellation and deadlines: on io_uring they stop any pending operation. The portable backend
 * runs file calls on a small pool of threads, and a call already running there cannot be stopped
 * (interrupting a {@code FileChannel} closes it): a cancel or a deadline then takes effect only for
 * operations still queued, and a read blocked on a pipe or FIFO ends only when data arrives or the
 * file is closed. Regular files are never blocked long, so this matters only for pipes and FIFOs.
 */
public interface AsyncFile extends java.io.Closeable {

    /** The path the file was opened with. */
    java.nio.file.Path path();

    /** Whether a close ({@link #closeAsync()}) has not yet been initiated. */
    boolean isOpen();

    /**
     * Reads once at {@code position}. The result is the number of bytes read: fewer than asked near
     * the end of the file, and -1 when {@code position} is at or past the end.
     */
    Operation<Integer> read(long position, ByteBuffer dst);

    /** Reads once into a native segment; the result is as for {@link #read(long, ByteBuffer)}. */
    Operation<Integer> read(long position, MemorySegment dst);

    /** Reads once into the first {@code length} bytes of a pooled, registered buffer. */
    Operation<Integer> read(long position, BufferLease dst, int length);

    /** Writes once at {@code position}; the result is the number of bytes written, possibly short. */
    Operation<Integer> write(long position, ByteBuffer src);

    /** Writes once from a native segment; the result may be short. */
    Operation<Integer> write(long position, MemorySegment src);

    /**
     * Writes once from the first {@code length} bytes of a pooled, registered buffer, or of a chunk
     * a socket's {@code receiveEach} delivered; the lease is lent to the operation until it ends.
     */
    Operation<Integer> write(long position, BufferLease src, int length);

    /**
     * Reads until the buffer is full, continuing after short reads at the right offsets. Fails with
     * {@link EndOfFileException} carrying the count read when the file ends first.
     */
    Operation<Long> readFully(long position, ByteBuffer dst);

    /** Reads until the native segment is full; see {@link #readFully(long, ByteBuffer)}. */
    Operation<Long> readFully(long position, MemorySegment dst);

    /** Writes the whole buffer, continuing after short writes; a failure carries the count written. */
    Operation<Long> writeAll(long position, ByteBuffer src);

    /** Writes the whole native segment; see {@link #writeAll(long, ByteBuffer)}. */
    Operation<Long> writeAll(long position, MemorySegment src);

    /** Reads until the first {@code length} bytes of a pooled lease are full; see {@link #readFully(long, ByteBuffer)}. */
    Operation<Long> readFully(long position, BufferLease dst, int length);

    /** Writes the first {@code length} bytes of a lease, as {@link #write(long, BufferLease, int)} takes it, continuing after short writes. */
    Operation<Long> writeAll(long position, BufferLease src, int length);

    /**
     * Reads once into several buffers in order ({@code preadv}), filling each before the next; the
     * result is the total read, -1 when {@code position} is at or past the end. Each buffer's
     * position advances by what it received.
     *
     * @throws IllegalArgumentException for no buffers or more than 1024, or a read-only one
     * @throws NullPointerException if {@code dsts} or one of its elements is null
     */
    Operation<Long> read(long position, ByteBuffer... dsts);

    /**
     * Writes once from several buffers in order ({@code pwritev}); the result is the total written,
     * possibly short, and each buffer's position advances by what was taken from it.
     *
     * @throws IllegalArgumentException for no buffers or more than 1024
     * @throws NullPointerException if {@code srcs} or one of its elements is null
     */
    Operation<Long> write(long position, ByteBuffer... srcs);

    /**
     * Reads until every buffer is full, in order, continuing after short reads; fails with
     * {@link EndOfFileException} carrying the count read when the file ends first, the buffers'
     * positions saying where those bytes went. See {@link #read(long, ByteBuffer...)}.
     */
    Operation<Long> readFully(long position, ByteBuffer... dsts);

    /**
     * Writes every remaining byte of several buffers in order, continuing after short writes; a
     * failure carries the count written. See {@link #write(long, ByteBuffer...)}.
     */
    Operation<Long> writeAll(long position, ByteBuffer... srcs);

    /** Flushes data and metadata to the device. */
    Operation<Void> fsync();

    /** Flushes data, and only the metadata needed to read it back. */
    Operation<Void> fdatasync();

    /** Size, times and mode. */
    Operation<FileStat> stat();

    /** The size in bytes. */
    Operation<Long> size();

    /**
     * Ends every pending operation on the file (each fails with {@link OperationCancelledException}
     * unless it completed first), then closes the descriptor. Later operations fail with
     * {@link ProactorClosedException}. Calling it again returns the same operation. Once initiated it
     * cannot be cancelled: {@link Operation#cancel()} on it changes nothing and is answered
     * {@link CancelResult.Kind#TOO_LATE} once the descriptor is closed.
     */
    Operation<Void> closeAsync();

    /**
     * Closes the file as {@link #closeAsync()} does and waits until the descriptor is closed, so
     * that {@code try (AsyncFile file = ...)} leaves nothing open. A second call waits for the same
     * close.
     * On a thread of the proactor itself (a handler, inline or on a worker) it does not wait, since
     * the close may need that very thread to be delivered: it initiates the close and returns, and
     * {@link #closeAsync()} returns the same operation for whoever wants its outcome.
     *
     * @throws ProactorException the close's failure
     */
    @Override
    void close() throws ProactorException;

    /** A view whose operations carry a deadline of {@code timeout} after their initiation. */
    AsyncFile withTimeout(Duration timeout);
}
