package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.proactor.SocketOptions;
import dev.proactor.internal.uring.ffi.IoUringLayouts;
import dev.proactor.internal.uring.ffi.LibC;
import dev.proactor.internal.uring.ffi.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;

/**
 * The socket system calls the dispatcher makes itself because none of them blocks: socket(2) and
 * its options, bind and listen, a live socket's options, getsockname and getpeername, and the connect(2) to AF_UNSPEC that
 * resets a connection. They share scratch memory that is never lent to the ring, so the kernel
 * reads and writes it only inside these calls.
 *
 * <p>Dispatcher thread only.
 */
final class SocketCalls implements AutoCloseable {

    private final Arena arena = Arena.ofShared();
    private final MemorySegment sockAddr = arena.allocate(IoUringLayouts.SOCKADDR_STORAGE);
    private final MemorySegment sockLen = arena.allocate(IoUringLayouts.SOCKLEN_T);
    private final MemorySegment optValue = arena.allocate(JAVA_INT);
    /** getsockopt's value and length. */
    private final MemorySegment optValue8 = arena.allocate(8, 4);
    /**
     * The last local address {@link #address} read, and the sockaddr it came from: the sockets a
     * listener accepts all have the same local address, so they share one object instead of each
     * keeping its own (about 100 bytes of every idle connection).
     */
    private final MemorySegment lastLocalRaw = arena.allocate(IoUringLayouts.SOCKADDR_STORAGE);
    private int lastLocalLen = -1;
    private SocketAddress lastLocal;
    /** The host of the last peer address read; peers on one host share it, as above. */
    private InetAddress lastPeerHost;

    /**
     * A close-on-exec stream socket of {@code family} with {@code options} applied: the descriptor,
     * or -errno with nothing left open. Blocking mode: io_uring polls it itself. TCP_NODELAY and
     * SO_KEEPALIVE are set on listeners too, because Linux passes them on to the sockets they accept.
     */
    int open(int family, SocketOptions options, boolean listener) {
        int fd = LibC.socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return fd;
        }
        boolean inet = family != AF_UNIX;
        int r = 0;
        if (listener && inet && options.reuseAddress()) {
            r = setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
        }
        if (r == 0 && listener && inet && options.reusePort()) {
            r = setInt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
        }
        if (r == 0 && inet && options.tcpNoDelay()) {
            r = setInt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
        }
        if (r == 0 && inet && options.keepAlive()) {
            r = setInt(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
        }
        if (r == 0 && options.sendBufferSize() > 0) {
            r = setInt(fd, SOL_SOCKET, SO_SNDBUF, options.sendBufferSize());
        }
        if (r == 0 && options.receiveBufferSize() > 0) {
            r = setInt(fd, SOL_SOCKET, SO_RCVBUF, options.receiveBufferSize());
        }
        if (r < 0) {
            LibC.close(fd);
            return r;
        }
        return fd;
    }

    /**
     * Binds {@code fd} to {@code address} and listens with {@code backlog}, after making it
     * non-blocking when {@code nonBlocking} (a listener whose accepts fall back: accept4(2) after a
     * poll would block the dispatcher if another accept took the connection meanwhile). Returns 0
     * or -errno; the caller closes the socket on failure.
     */
    int listen(int fd, SocketAddress address, int backlog, boolean nonBlocking) {
        int len = SocketAddresses.encode(address, sockAddr);
        int r = nonBlocking ? Syscalls.nonBlocking(fd, true) : 0;
        if (r == 0) {
            r = LibC.bind(fd, sockAddr, len);
        }
        if (r == 0) {
            r = LibC.listen(fd, backlog);
        }
        return r;
    }

    /** The local or peer address of {@code fd}, or {@code fallback} when the kernel cannot tell. */
    SocketAddress address(int fd, boolean peer, SocketAddress fallback) {
        sockLen.set(IoUringLayouts.SOCKLEN_T, 0, (int) IoUringLayouts.SOCKADDR_STORAGE_SIZE);
        int r = peer ? LibC.getpeername(fd, sockAddr, sockLen) : LibC.getsockname(fd, sockAddr, sockLen);
        if (r < 0) {
            // getpeername answers ENOTCONN once a peer has already reset the connection.
            return fallback;
        }
        int len = Math.min(sockLen.get(IoUringLayouts.SOCKLEN_T, 0), (int) IoUringLayouts.SOCKADDR_STORAGE_SIZE);
        if (!peer) {
            if (len == lastLocalLen && MemorySegment.mismatch(sockAddr, 0, len, lastLocalRaw, 0, len) < 0) {
                return lastLocal;
            }
            SocketAddress a = SocketAddresses.decode(sockAddr, len);
            MemorySegment.copy(sockAddr, 0, lastLocalRaw, 0, len);
            lastLocalLen = len;
            lastLocal = a;
            return a;
        }
        SocketAddress a = SocketAddresses.decode(sockAddr, len);
        if (a instanceof InetSocketAddress i && unscoped(i.getAddress())) {
            if (i.getAddress().equals(lastPeerHost)) {
                return new InetSocketAddress(lastPeerHost, i.getPort());
            }
            lastPeerHost = i.getAddress();
        }
        return a;
    }

    /** Whether equal addresses are interchangeable: an IPv6 scope (an interface) is not in equals. */
    private static boolean unscoped(InetAddress a) {
        return !(a instanceof Inet6Address six) || six.getScopeId() == 0;
    }

    /**
     * connect(2) to AF_UNSPEC: for TCP, tcp_disconnect resets the peer and purges the send queue,
     * zero-copy buffers included. Returns 0 or -errno.
     */
    int disconnect(int fd) {
        // AF_UNSPEC is 0: a zeroed sockaddr.
        sockAddr.fill((byte) 0);
        return LibC.connect(fd, sockAddr, (int) IoUringLayouts.SOCKADDR_STORAGE_SIZE);
    }

    /**
     * Sets {@code name} to {@code value} on a live socket unless {@code value} is null, then reads
     * it back: the value (a boolean as 1 or 0, a buffer size as the JDK reports it), or -errno.
     *
     * <p>A plain setsockopt(2) here rather than an io_uring request: the call only takes the
     * socket's lock and never waits for the network, so it costs the dispatcher no more than a
     * getsockname. The ring's own way, IORING_OP_URING_CMD ({@code IORING_OP_URING_CMD} = 46) with
     * {@code cmd_op} SOCKET_URING_OP_SETSOCKOPT (3) or SOCKET_URING_OP_GETSOCKOPT (2) of
     * {@code enum io_uring_socket_op} (include/uapi/linux/io_uring.h, Linux 6.7 and later; the 6.1
     * headers here lack it), would add a kernel version to probe and SQE fields to lay out for a
     * result the dispatcher has at once; and its GETSOCKOPT reads SOL_SOCKET options only, not
     * TCP_NODELAY.
     */
    int option(int fd, java.net.SocketOption<?> name, Object value) {
        int level = name == StandardSocketOptions.TCP_NODELAY ? IPPROTO_TCP : SOL_SOCKET;
        int optName = optionName(name);
        if (value != null) {
            int v = value instanceof Boolean b ? (b ? 1 : 0) : (Integer) value;
            int r = setInt(fd, level, optName, v);
            if (r < 0) {
                return r;
            }
        }
        int v = Syscalls.getIntOption(fd, level, optName, optValue8);
        // Linux reports twice a buffer size it was given (the rest is its bookkeeping); the JDK's
        // channels halve it back, and so the portable backend's answer, so this one does too.
        return v > 0 && (optName == SO_SNDBUF || optName == SO_RCVBUF) ? v / 2 : v;
    }

    /** The option's number at its level: the options the core lets through (SocketOptionOp). */
    private static int optionName(java.net.SocketOption<?> name) {
        if (name == StandardSocketOptions.TCP_NODELAY) {
            return TCP_NODELAY;
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            return SO_KEEPALIVE;
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            return SO_SNDBUF;
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            return SO_RCVBUF;
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            return SO_REUSEADDR;
        } else if (name == StandardSocketOptions.SO_REUSEPORT) {
            return SO_REUSEPORT;
        }
        throw new IllegalArgumentException("not a socket option the backend sets: " + name);
    }

    private int setInt(int fd, int level, int name, int value) {
        optValue.set(JAVA_INT, 0, value);
        return LibC.setsockopt(fd, level, name, optValue);
    }

    @Override
    public void close() {
        arena.close();
    }
}
