package dev.proactor;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of a socket, applied before it connects or listens. Immutable; start from
 * {@link #defaults()} and change what you need with the {@code with} methods.
 *
 * @param tcpNoDelay disable Nagle's algorithm ({@code TCP_NODELAY}); on by default, as request and
 *     response protocols want
 * @param keepAlive send keep-alive probes ({@code SO_KEEPALIVE})
 * @param sendBufferSize {@code SO_SNDBUF} in bytes, or 0 for the system default
 * @param receiveBufferSize {@code SO_RCVBUF} in bytes, or 0 for the system default
 * @param reuseAddress {@code SO_REUSEADDR}: a listener may bind while old connections linger
 * @param reusePort {@code SO_REUSEPORT}: several listeners share one port (one per dispatcher)
 * @param backlog the listen queue length, for listeners
 * @param closeLinger how long {@link AsyncSocket#closeAsync()} lets the writes initiated before it drain
 *     before it cancels them and resets the connection (the library's counterpart of
 *     {@code SO_LINGER}); 30 seconds by default; zero resets at once when writes are pending, as
 *     {@link AsyncSocket#abort()} does. A listener passes it on to the sockets it accepts.
 */
public record SocketOptions(boolean tcpNoDelay, boolean keepAlive, int sendBufferSize, int receiveBufferSize,
        boolean reuseAddress, boolean reusePort, int backlog, Duration closeLinger) {

    /** The default {@link #closeLinger()}. */
    public static final Duration DEFAULT_CLOSE_LINGER = Duration.ofSeconds(30);

    /** Validates the sizes and the linger. */
    public SocketOptions {
        Objects.requireNonNull(closeLinger, "closeLinger");
        if (closeLinger.isNegative()) {
            throw new IllegalArgumentException("closeLinger must not be negative: " + closeLinger);
        }
        if (sendBufferSize < 0 || receiveBufferSize < 0) {
            throw new IllegalArgumentException("buffer sizes must not be negative");
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1: " + backlog);
        }
    }

    /** TCP_NODELAY and SO_REUSEADDR on, system buffer sizes, a backlog of 1024, a close linger of 30 s. */
    public static SocketOptions defaults() {
        return new SocketOptions(true, false, 0, 0, true, false, 1024, DEFAULT_CLOSE_LINGER);
    }

    /** With {@code TCP_NODELAY} set as given. */
    public SocketOptions withTcpNoDelay(boolean v) {
        return new SocketOptions(v, keepAlive, sendBufferSize, receiveBufferSize, reuseAddress, reusePort, backlog, closeLinger);
    }

    /** With {@code SO_KEEPALIVE} set as given. */
    public SocketOptions withKeepAlive(boolean v) {
        return new SocketOptions(tcpNoDelay, v, sendBufferSize, receiveBufferSize, reuseAddress, reusePort, backlog, closeLinger);
    }

    /** With {@code SO_SNDBUF} and {@code SO_RCVBUF} (0: system default). */
    public SocketOptions withBufferSizes(int send, int receive) {
        return new SocketOptions(tcpNoDelay, keepAlive, send, receive, reuseAddress, reusePort, backlog, closeLinger);
    }

    /** With {@code SO_REUSEADDR} set as given. */
    public SocketOptions withReuseAddress(boolean v) {
        return new SocketOptions(tcpNoDelay, keepAlive, sendBufferSize, receiveBufferSize, v, reusePort, backlog, closeLinger);
    }

    /** With {@code SO_REUSEPORT} set as given. */
    public SocketOptions withReusePort(boolean v) {
        return new SocketOptions(tcpNoDelay, keepAlive, sendBufferSize, receiveBufferSize, reuseAddress, v, backlog, closeLinger);
    }

    /** With the listen backlog. */
    public SocketOptions withBacklog(int v) {
        return new SocketOptions(tcpNoDelay, keepAlive, sendBufferSize, receiveBufferSize, reuseAddress, reusePort, v, closeLinger);
    }

    /** With the {@link #closeLinger()} bound of an ordinary close. */
    public SocketOptions withCloseLinger(Duration v) {
        return new SocketOptions(tcpNoDelay, keepAlive, sendBufferSize, receiveBufferSize, reuseAddress, reusePort, backlog, v);
    }
}
