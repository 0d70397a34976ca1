package dev.proactor.internal.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.ArrayDeque;

/**
 * The shared state of one open file or socket: its descriptor, its per-resource admission permits,
 * and the operations pending on it. {@link #open} is read by any thread; the dispatcher-confined
 * part is marked below.
 *
 * <p>An idle connection is mostly this object, so it keeps only what every socket needs: the
 * description is built when asked for (errors and listings), the queues behind a busy lane are
 * made when an operation first waits in one, the write counters and the two lanes' owners are
 * fields (not atomics, not an array), it is its own {@link PendingSet}, and a one-buffer request is
 * kept only inside a direct buffer's view, never for a segment that is new every time.
 */
final class Resource extends PendingSet {
    private static final VarHandle PENDING_WRITES;
    private static final VarHandle WRITE_WAITERS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PENDING_WRITES = l.findVarHandle(Resource.class, "pendingWrites", long.class);
            WRITE_WAITERS = l.findVarHandle(Resource.class, "writeWaiters", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What the descriptor is. */
    enum Kind { FILE, SOCKET, LISTENER }

    final CoreProactor proactor;
    final Kind kind;
    final int fd;
    /** The socket's local address; null for a file. */
    final SocketAddress local;
    /**
     * A file's {@link Path}; a socket's peer: its IP address, whose port is {@link #remotePort}, or,
     * for any other kind of address, the address itself; null for a listener. One field for both,
     * and not an {@code InetSocketAddress}, which is two objects (40 bytes) per idle connection:
     * {@link #path()} and {@link #remote()} give them.
     */
    private final Object where;
    private final int remotePort;
    /**
     * How long an ordinary close of this socket lets its writes drain ({@code SocketOptions.closeLinger});
     * a listener's is passed on to the sockets it accepts; null for a file.
     */
    final java.time.Duration closeLinger;
    /** Null when the per-resource limit is effectively unlimited. */
    final Permits permits;

    /** False once close() was initiated: later operations are refused at initiation. */
    volatile boolean open = true;

    /** Bytes of writes initiated and not ended on this socket; see {@link #writeBudget}. */
    private volatile long pendingWrites;
    /** The most bytes of writes that may be pending before the admission policy decides. */
    volatile long writeBudget;
    /**
     * Initiators waiting for write room. They wait on this object's monitor, which also guards
     * {@link #closeOperation}: a wait releases it, and a close holds it only briefly.
     */
    private volatile int writeWaiters;

    /**
     * The last direct buffer each direction used (0 inbound, 1 outbound) and the segment over its
     * bytes then; see {@link #view}. Read and written by any initiating thread without a lock: a
     * {@link View} is immutable, so a thread sees one whole or another, and either is right.
     */
    private volatile View inView;
    private volatile View outView;

    /** The one close of this resource, guarded by this object's monitor. */
    CloseOp closeOperation;
    /**
     * This resource's links in its proactor's list of open resources (toward newer and older ones;
     * null at either end and once unlisted), guarded by that list ({@code CoreProactor.adopt}):
     * the resource is its own list node, where a set would add a map node per idle connection.
     */
    Resource newerOpen;
    Resource olderOpen;

    // ---- dispatcher-confined ----
    /** The close waiting for the pending set ({@link PendingSet}) to empty, or null. */
    CloseOp closing;
    boolean closed;
    /**
     * Stream operations in flight, one per direction (0 receive, 1 send), and those waiting behind
     * them in initiation order: a stream's bytes stay in order even when a {@code readFully} or
     * {@code writeAll} needs several rounds.
     */
    private OperationImpl<?> receiveOwner;
    private OperationImpl<?> sendOwner;
    /** Null until an operation first waits behind a lane's owner. */
    private ArrayDeque<OperationImpl<?>> receiveWaiting;
    private ArrayDeque<OperationImpl<?>> sendWaiting;

    private Resource(CoreProactor proactor, Kind kind, int fd, Path path, SocketAddress local, SocketAddress remote,
            int perResourceLimit, java.time.Duration closeLinger) {
        this.proactor = proactor;
        this.kind = kind;
        this.fd = fd;
        this.local = local;
        if (remote instanceof InetSocketAddress inet && !inet.isUnresolved()) {
            this.where = inet.getAddress();
            this.remotePort = inet.getPort();
        } else {
            this.where = kind == Kind.FILE ? path : remote;
            this.remotePort = -1;
        }
        this.closeLinger = closeLinger;
        this.permits = perResourceLimit >= (1 << 24) ? null : new Permits(perResourceLimit);
        this.writeBudget = proactor.config().writeBudget();
    }

    /**
     * The native segment over a direct buffer's remaining bytes, for a read ({@code inbound}) or a
     * write on this resource. {@code MemorySegment.ofBuffer} makes a segment and, for a buffer
     * that no segment made, a memory session object each time (14% of the bytes a fixed-response
     * HTTP request allocated); a connection reads into, and writes from, the same buffer again and
     * again, so the segment made for the last one is kept and given again while the buffer, its
     * position and its limit are the same: it then covers the same bytes (a direct buffer's
     * address never changes). The segment holds the buffer, as the kernel's view does; the
     * resource's close drops it.
     */
    java.lang.foreign.MemorySegment view(java.nio.ByteBuffer bb, boolean inbound) {
        int position = bb.position();
        int limit = bb.limit();
        View v = inbound ? inView : outView;
        if (v != null && v.buffer == bb && v.position == position && v.limit == limit) {
            return v.segment;
        }
        java.lang.foreign.MemorySegment s = java.lang.foreign.MemorySegment.ofBuffer(bb);
        v = new View(bb, position, limit, s);
        if (inbound) {
            inView = v;
        } else {
            outView = v;
        }
        return s;
    }

    /**
     * The first round's request of a one-buffer receive ({@code outbound} false) or send of
     * {@code segment}, a {@link #view} of this socket's (dispatcher thread). Requests are immutable,
     * so the one built for a view is kept in the view and given again while the view is the same
     * object, as it is for a connection that reads into or writes from the same direct buffer. Only
     * for views: a caller's segment or a lent chunk is new with each operation, and keeping its
     * request would only hold it for as long as the connection idles.
     */
    dev.proactor.internal.spi.Request streamRequest(java.lang.foreign.MemorySegment segment, boolean outbound) {
        View v = outbound ? outView : inView;
        if (v == null || v.segment != segment) {
            // Another thread's newer view replaced it meanwhile: this once, a request of its own.
            return outbound ? new dev.proactor.internal.spi.Request.Send(fd, segment)
                    : new dev.proactor.internal.spi.Request.Recv(fd, segment);
        }
        dev.proactor.internal.spi.Request r = v.request;
        if (r == null) {
            v.request = r = outbound ? new dev.proactor.internal.spi.Request.Send(fd, segment)
                    : new dev.proactor.internal.spi.Request.Recv(fd, segment);
        }
        return r;
    }

    /** Forgets the buffers {@link #view} kept, and their requests; the resource is closed. */
    void dropViews() {
        inView = null;
        outView = null;
    }

    /**
     * A direct buffer, its position and limit, and the segment over its bytes between them: made
     * by any initiating thread and then never changed, but for the request built over the segment,
     * which only the dispatcher sets and reads ({@link #streamRequest}).
     */
    private static final class View {
        final java.nio.ByteBuffer buffer;
        final int position;
        final int limit;
        final java.lang.foreign.MemorySegment segment;
        /** Dispatcher-confined. */
        dev.proactor.internal.spi.Request request;

        View(java.nio.ByteBuffer buffer, int position, int limit, java.lang.foreign.MemorySegment segment) {
            this.buffer = buffer;
            this.position = position;
            this.limit = limit;
            this.segment = segment;
        }
    }

    // ---- lanes (dispatcher thread) ----

    /**
     * The stream operation in flight in {@code lane} ({@link OperationImpl#RECEIVE_LANE} or
     * {@link OperationImpl#SEND_LANE}), or null. Two fields, not an array: an array is one more
     * object per idle connection.
     */
    OperationImpl<?> laneOwner(int lane) {
        return lane == OperationImpl.RECEIVE_LANE ? receiveOwner : sendOwner;
    }

    void setLaneOwner(int lane, OperationImpl<?> op) {
        if (lane == OperationImpl.RECEIVE_LANE) {
            receiveOwner = op;
        } else {
            sendOwner = op;
        }
    }

    /** Queues {@code op} behind the owner of {@code lane}. */
    void waitInLane(int lane, OperationImpl<?> op) {
        ArrayDeque<OperationImpl<?>> q = lane == OperationImpl.RECEIVE_LANE ? receiveWaiting : sendWaiting;
        if (q == null) {
            q = new ArrayDeque<>(4);
            if (lane == OperationImpl.RECEIVE_LANE) {
                receiveWaiting = q;
            } else {
                sendWaiting = q;
            }
        }
        q.add(op);
    }

    /** Takes the earliest operation waiting in {@code lane}, or null. */
    OperationImpl<?> nextInLane(int lane) {
        ArrayDeque<OperationImpl<?>> q = lane == OperationImpl.RECEIVE_LANE ? receiveWaiting : sendWaiting;
        return q == null ? null : q.poll();
    }

    /** Takes {@code op} out of the queue of {@code lane} (it is being cancelled). */
    void leaveLane(int lane, OperationImpl<?> op) {
        ArrayDeque<OperationImpl<?>> q = lane == OperationImpl.RECEIVE_LANE ? receiveWaiting : sendWaiting;
        if (q != null) {
            q.remove(op);
        }
    }

    /** Forgets every operation waiting in either lane. */
    void clearLanes() {
        receiveWaiting = null;
        sendWaiting = null;
    }

    // ---- write budget (any thread) ----

    /** Bytes of writes initiated and not ended. */
    long pendingWrites() {
        return pendingWrites;
    }

    /** Counts {@code n} more pending bytes if {@code seen} still are; returns whether it did. */
    boolean reserveWriteBytes(long seen, long n) {
        return PENDING_WRITES.compareAndSet(this, seen, seen + n);
    }

    /** Counts {@code n} more pending bytes whatever the budget (a write the policy queues). */
    void addPendingWrites(long n) {
        PENDING_WRITES.getAndAdd(this, n);
    }

    /** Waits up to {@code nanos} for the pending writes to fall below {@code seen}. */
    void awaitWriteRoom(long seen, long nanos) throws InterruptedException {
        WRITE_WAITERS.getAndAdd(this, 1);
        try {
            synchronized (this) {
                if (pendingWrites >= seen && open) {
                    wait(Math.max(1, nanos / 1_000_000));
                }
            }
        } finally {
            WRITE_WAITERS.getAndAdd(this, -1);
        }
    }

    /** A write of {@code bytes} ended (or never started): room for waiting initiators. */
    void writeEnded(long bytes) {
        PENDING_WRITES.getAndAdd(this, -bytes);
        if (writeWaiters > 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    static Resource file(CoreProactor p, Path path, int fd, int limit) {
        return new Resource(p, Kind.FILE, fd, path, null, null, limit, null);
    }

    static Resource socket(CoreProactor p, int fd, SocketAddress local, SocketAddress remote, int limit,
            java.time.Duration closeLinger) {
        return new Resource(p, Kind.SOCKET, fd, null, local, remote, limit, closeLinger);
    }

    static Resource listener(CoreProactor p, int fd, SocketAddress local, int limit, java.time.Duration closeLinger) {
        return new Resource(p, Kind.LISTENER, fd, null, local, null, limit, closeLinger);
    }

    /** The file's path; null for a socket or a listener. */
    Path path() {
        return kind == Kind.FILE ? (Path) where : null;
    }

    /** The peer's address, made for the caller (equal each time); null for a file or a listener. */
    SocketAddress remote() {
        if (kind != Kind.SOCKET) {
            return null;
        }
        return where instanceof InetAddress a ? new InetSocketAddress(a, remotePort) : (SocketAddress) where;
    }

    /** The path or the addresses, for errors, listings and events. */
    @Override
    String describe() {
        return switch (kind) {
            case FILE -> where.toString();
            case SOCKET -> local + " -> " + remote();
            case LISTENER -> "listening on " + local;
        };
    }

    /** What a refused operation says about its resource. */
    String closedWord() {
        return kind == Kind.FILE ? "file closed" : "socket closed";
    }
}
