package dev.proactor.internal.spi;

import dev.proactor.OperationKind;
import dev.proactor.ResolveOption;
import dev.proactor.SocketOptions;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * What the kernel is asked to do, one record per operation. Sealed, so that every backend's
 * exhaustive {@code switch} stops compiling until it answers a new operation.
 *
 * <p>Descriptors ({@code fd}) are the backend's own numbers: real file descriptors on io_uring,
 * handles into a channel table on the portable backend. Segments are native and stay valid until
 * the backend reports the submission released.
 */
public sealed interface Request {

    /** Does nothing; completes with 0. */
    record Nop() implements Request {}

    /**
     * Completes with 0 once {@code System.nanoTime()} reaches {@code deadlineNanos}.
     *
     * @param deadlineNanos absolute expiry on the {@link System#nanoTime()} clock (CLOCK_MONOTONIC)
     */
    record Timer(long deadlineNanos) implements Request {}

    /**
     * Opens a file; completes with the new descriptor.
     *
     * @param path the file
     * @param options validated open options
     * @param mode permission bits for a created file
     */
    record Open(Path path, Set<OpenOption> options, int mode) implements Request {}

    /**
     * Opens a file relative to an open directory ({@code openat2(2)}); completes with the new
     * descriptor.
     *
     * @param dirFd the directory's descriptor
     * @param path the file, resolved from the directory
     * @param options validated open options
     * @param mode permission bits for a created file
     * @param resolve the resolution rules
     */
    record OpenAt(int dirFd, Path path, Set<OpenOption> options, int mode, Set<ResolveOption> resolve)
            implements Request {}

    /**
     * Reads once at a position; completes with the byte count, 0 at end of file.
     *
     * @param fd descriptor
     * @param position file offset
     * @param buffer destination
     * @param bufferIndex registered buffer index, or -1 for an unregistered buffer
     */
    record Read(int fd, long position, MemorySegment buffer, int bufferIndex) implements Request {}

    /**
     * Writes once at a position; completes with the byte count.
     *
     * @param fd descriptor
     * @param position file offset
     * @param buffer source
     * @param bufferIndex registered buffer index, or -1 for an unregistered buffer
     */
    record Write(int fd, long position, MemorySegment buffer, int bufferIndex) implements Request {}

    /**
     * Reads once into several buffers in order; completes with the total.
     *
     * @param fd descriptor
     * @param position file offset
     * @param buffers destinations
     */
    record ReadV(int fd, long position, MemorySegment[] buffers) implements Request {}

    /**
     * Writes once from several buffers in order; completes with the total.
     *
     * @param fd descriptor
     * @param position file offset
     * @param buffers sources
     */
    record WriteV(int fd, long position, MemorySegment[] buffers) implements Request {}

    /**
     * Flushes to the device; completes with 0.
     *
     * @param fd descriptor
     * @param dataOnly {@code fdatasync} rather than {@code fsync}
     */
    record Fsync(int fd, boolean dataOnly) implements Request {}

    /**
     * Reads the file's attributes; completes with 0 and a {@link dev.proactor.FileStat} attachment.
     *
     * @param fd descriptor
     */
    record Stat(int fd) implements Request {}

    /**
     * Creates a stream socket for {@code address}'s family, applies the options, binds and listens;
     * completes with the new descriptor and an {@link Endpoints} attachment whose {@code local} is
     * the bound address (the chosen port for port 0).
     *
     * @param address an {@link java.net.InetSocketAddress} or {@link java.net.UnixDomainSocketAddress}
     * @param options socket options and the backlog
     */
    record Listen(SocketAddress address, SocketOptions options) implements Request {}

    /**
     * Accepts one connection on a listening descriptor; completes with the new descriptor and an
     * {@link Endpoints} attachment.
     *
     * @param fd the listening descriptor
     */
    record Accept(int fd) implements Request {}

    /**
     * Creates a stream socket, applies the options and connects it; completes with the new
     * descriptor and an {@link Endpoints} attachment. A failure (ECONNREFUSED, a deadline) leaves no
     * descriptor behind.
     *
     * @param address the peer
     * @param options socket options
     */
    record Connect(SocketAddress address, SocketOptions options) implements Request {}

    /**
     * Receives once; completes with the byte count, 0 at end of stream.
     *
     * @param fd descriptor
     * @param buffer destination
     */
    record Recv(int fd, MemorySegment buffer) implements Request {}

    /**
     * Waits, holding no buffer, until the socket has data to receive, is at end of stream or has
     * failed; completes with the events ready (a positive poll mask). A receive stream's single-shot
     * rounds wait with it before they take a buffer for their {@link Recv}, so that an idle
     * connection holds none. io_uring does it with IORING_OP_POLL_ADD, which never falls back (every
     * kernel the backend accepts has it); the portable backend settles it when its selector reports
     * the socket readable (its own receive streams are multishot, so only a backend that offers no
     * multishot receive, like the test hook for that path, asks it).
     *
     * @param fd descriptor
     */
    record AwaitReadable(int fd) implements Request {}

    /**
     * Accepts connections until stopped: a multishot request. Each connection is reported through
     * {@link Completions#next} with the new descriptor and an {@link Endpoints} attachment while the
     * request stays armed; the round then ends as any other (a final connection through
     * {@link Completions#complete}, or a failure, or a cancel). Only submitted where
     * {@link Backend#supportsMultishot} says so.
     *
     * @param fd the listening descriptor
     */
    record AcceptEach(int fd) implements Request {}

    /**
     * Receives until stopped, each time into a buffer the backend picks only when data is there
     * (its provided buffers, see {@link Backend#recycle}): a multishot request. Each chunk is
     * reported through {@link Completions#next} with its byte count and a {@link Chunk}
     * attachment, which lends the buffer to the core until it is recycled; end of stream completes
     * the round with 0; a backend out of buffers ends the round with ENOBUFS. Only submitted where
     * {@link Backend#supportsMultishot} says so.
     *
     * @param fd descriptor
     */
    record ReceiveEach(int fd) implements Request {}

    /**
     * One chunk of a {@link ReceiveEach}: the backend's buffer {@code bufferId}, whose first bytes
     * ({@code data}) hold what was received. The buffer is the core's until it calls
     * {@link Backend#recycle}.
     *
     * @param bufferId the backend's buffer number
     * @param data the bytes received
     */
    record Chunk(int bufferId, MemorySegment data) {}

    /**
     * Sends once (never raising SIGPIPE); completes with the byte count.
     *
     * @param fd descriptor
     * @param buffer source
     */
    record Send(int fd, MemorySegment buffer) implements Request {}

    /**
     * Receives once into several buffers in order, as one scatter receive; completes with the byte
     * count, 0 at end of stream, filling each buffer before the next.
     *
     * @param fd descriptor
     * @param buffers destinations, 1 to 1024 (IOV_MAX)
     */
    record RecvV(int fd, MemorySegment[] buffers) implements Request {}

    /**
     * Sends once from several buffers in order, as one gather send (never raising SIGPIPE);
     * completes with the byte count, possibly fewer than the buffers hold.
     *
     * @param fd descriptor
     * @param buffers sources, 1 to 1024 (IOV_MAX)
     */
    record SendV(int fd, MemorySegment[] buffers) implements Request {}

    /**
     * Moves file bytes to a stream socket inside the kernel, never through user memory; completes
     * with the bytes that reached the socket in this round (possibly fewer than {@code length}), 0
     * when {@code position} is at or past the end of the file. Named after splice(2), the kernel's
     * page-moving primitive that io_uring uses; the portable backend gets the same effect from
     * {@code FileChannel.transferTo} (sendfile).
     *
     * @param fileFd the file's descriptor
     * @param position file offset of the first byte
     * @param socketFd the connected socket's descriptor
     * @param length at most this many bytes
     */
    record Splice(int fileFd, long position, int socketFd, int length) implements Request {}

    /**
     * Shuts down one or both directions; completes with 0.
     *
     * @param fd descriptor
     * @param input shut down receiving
     * @param output shut down sending
     */
    record Shutdown(int fd, boolean input, boolean output) implements Request {}

    /**
     * Sets a standard option of a live socket when {@code value} is not null, then reads it back;
     * completes with the value now in effect (a boolean as 1 or 0). The core has checked that the
     * socket supports {@code name} and that {@code value} is of its type (an {@code Integer} buffer
     * size not negative), so a backend only maps the option to its call.
     *
     * @param fd the socket's or listener's descriptor
     * @param name one of {@code TCP_NODELAY}, {@code SO_KEEPALIVE}, {@code SO_SNDBUF},
     *     {@code SO_RCVBUF}, {@code SO_REUSEADDR}, {@code SO_REUSEPORT} of {@link java.net.StandardSocketOptions}
     * @param value a {@code Boolean} or {@code Integer} to set, or null to read only
     */
    record SocketOpt(int fd, java.net.SocketOption<?> name, Object value) implements Request {}

    /**
     * The two ends of a socket, attached to the completion of {@link Listen} (remote null),
     * {@link Accept} and {@link Connect}.
     *
     * @param local the local address
     * @param remote the peer's address, or null
     */
    record Endpoints(SocketAddress local, SocketAddress remote) {}

    /**
     * Closes a descriptor; completes with 0.
     *
     * @param fd descriptor
     */
    record Close(int fd) implements Request {}

    /** The kind of operation {@code r} performs: its one mapping, for backends and test doubles that route by kind. */
    static OperationKind kindOf(Request r) {
        return switch (r) {
            case Nop x -> OperationKind.NOP;
            case Timer x -> OperationKind.TIMER;
            case Open x -> OperationKind.OPEN;
            case OpenAt x -> OperationKind.OPEN;
            case Read x -> OperationKind.READ;
            case Write x -> OperationKind.WRITE;
            case ReadV x -> OperationKind.READV;
            case WriteV x -> OperationKind.WRITEV;
            case Fsync x -> OperationKind.FSYNC;
            case Stat x -> OperationKind.STAT;
            case Close x -> OperationKind.CLOSE;
            case Listen x -> OperationKind.LISTEN;
            case Accept x -> OperationKind.ACCEPT;
            case Connect x -> OperationKind.CONNECT;
            case Recv x -> OperationKind.RECV;
            case AwaitReadable x -> OperationKind.RECV;
            case AcceptEach x -> OperationKind.ACCEPT;
            case ReceiveEach x -> OperationKind.RECV;
            case Send x -> OperationKind.SEND;
            case SendV x -> OperationKind.SEND;
            case RecvV x -> OperationKind.RECV;
            case Shutdown x -> OperationKind.SHUTDOWN;
            case Splice x -> OperationKind.TRANSFER;
            case SocketOpt x -> OperationKind.SOCKET_OPTION;
        };
    }
}
