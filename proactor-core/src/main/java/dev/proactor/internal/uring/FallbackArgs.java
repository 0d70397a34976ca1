package dev.proactor.internal.uring;

import dev.proactor.internal.spi.Request;
import dev.proactor.internal.uring.ffi.IoUringLayouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * What one family of fallback jobs carries beside the life-cycle every job shares: the native
 * arguments its system call takes, in the job's arena, and the state only that family has (a
 * connect's socket, a transfer's chunk). {@link #NONE} for the calls that take the request's own
 * buffers and nothing else.
 */
sealed interface FallbackArgs {
    /** Nothing beyond the request: plain reads, writes, sends, receives, fsync, close, shutdown. */
    FallbackArgs NONE = new None();

    record None() implements FallbackArgs {}

    /** Open: the path, NUL-terminated. */
    record Path(MemorySegment path) implements FallbackArgs {}

    /** OpenAt: the path, NUL-terminated, and the struct open_how. */
    record OpenHow(MemorySegment path, MemorySegment how) implements FallbackArgs {}

    /** Stat: the empty path of AT_EMPTY_PATH and the statx buffer. */
    record Stat(MemorySegment emptyPath, MemorySegment statx) implements FallbackArgs {}

    /** A vectored file call: the iovecs. */
    record Iovecs(MemorySegment iov) implements FallbackArgs {}

    /** A vectored send or receive: the msghdr, pointing at its iovecs. */
    record Header(MemorySegment msghdr) implements FallbackArgs {}

    /** Accept: room for the peer's address and its length. */
    record Peer(MemorySegment addr, MemorySegment addrLen) implements FallbackArgs {}

    /** Connect: the address, room for SO_ERROR, and the socket it made until the core takes it. */
    final class Connect implements FallbackArgs {
        final MemorySegment addr;
        final MemorySegment scratch;
        int addrLength;
        /** The socket the connect made, until it is handed to the core; closed on any other outcome. */
        int socketFd = -1;
        /** The last connect(2) answered EAGAIN (a full Unix-domain backlog): call it again once writable. */
        boolean again;

        Connect(MemorySegment addr, MemorySegment scratch) {
            this.addr = addr;
            this.scratch = scratch;
        }
    }

    /** A transfer: the chunk read from the file on the pool, then sent from the dispatcher. */
    final class Chunk implements FallbackArgs {
        final MemorySegment chunk;
        int length;

        Chunk(MemorySegment chunk) {
            this.chunk = chunk;
        }
    }

    /** Native bytes {@code r}'s arguments take (besides a linked timeout's timespec). */
    static long bytesFor(Request r) {
        return switch (r) {
            case Request.Open o -> (long) o.path().toString().getBytes(StandardCharsets.UTF_8).length + 1;
            case Request.OpenAt o -> KernelArgs.openAtBytes(o);
            case Request.ReadV v -> IoUringLayouts.IOVEC.byteSize() * v.buffers().length;
            case Request.WriteV v -> IoUringLayouts.IOVEC.byteSize() * v.buffers().length;
            case Request.SendV v -> KernelArgs.msghdrBytes(v.buffers());
            case Request.RecvV v -> KernelArgs.msghdrBytes(v.buffers());
            case Request.Stat x -> IoUringLayouts.STATX.byteSize() + 8;
            case Request.Accept x -> IoUringLayouts.SOCKADDR_STORAGE_SIZE + IoUringLayouts.SOCKLEN_T.byteSize();
            case Request.Connect x -> IoUringLayouts.SOCKADDR_STORAGE_SIZE + 8;
            case Request.Splice sp -> chunkSize(sp);
            case Request.Nop _, Request.Timer _, Request.Read _, Request.Write _, Request.Fsync _,
                    Request.Listen _, Request.Recv _, Request.AcceptEach _, Request.ReceiveEach _,
                    Request.AwaitReadable _, Request.Send _, Request.Shutdown _, Request.Close _,
                    Request.SocketOpt _ -> 0;
        };
    }

    /** {@code r}'s arguments, allocated in {@code arena} (which holds {@link #bytesFor} bytes at least). */
    static FallbackArgs of(Request r, Arena arena) {
        return switch (r) {
            case Request.Open o -> new Path(arena.allocateFrom(o.path().toString()));
            case Request.OpenAt o -> new OpenHow(arena.allocateFrom(o.path().toString()), KernelArgs.openHow(arena, o));
            case Request.ReadV v -> new Iovecs(KernelArgs.iovecs(arena, v.buffers()));
            case Request.WriteV v -> new Iovecs(KernelArgs.iovecs(arena, v.buffers()));
            case Request.SendV v -> new Header(KernelArgs.msghdr(arena, v.buffers()));
            case Request.RecvV v -> new Header(KernelArgs.msghdr(arena, v.buffers()));
            case Request.Stat x -> new Stat(arena.allocate(8, 8), arena.allocate(IoUringLayouts.STATX));
            case Request.Accept x -> new Peer(arena.allocate(IoUringLayouts.SOCKADDR_STORAGE),
                    arena.allocate(IoUringLayouts.SOCKLEN_T));
            case Request.Connect x -> new Connect(arena.allocate(IoUringLayouts.SOCKADDR_STORAGE), arena.allocate(8, 4));
            case Request.Splice sp -> new Chunk(arena.allocate(chunkSize(sp)));
            case Request.Nop _, Request.Timer _, Request.Read _, Request.Write _, Request.Fsync _,
                    Request.Listen _, Request.Recv _, Request.AcceptEach _, Request.ReceiveEach _,
                    Request.AwaitReadable _, Request.Send _, Request.Shutdown _, Request.Close _,
                    Request.SocketOpt _ -> NONE;
        };
    }

    /** A transfer round moves at most a default pipe's capacity, as the splice path does. */
    private static int chunkSize(Request.Splice sp) {
        return Math.clamp(sp.length(), 1, Transfers.ROUND_BYTES);
    }
}
