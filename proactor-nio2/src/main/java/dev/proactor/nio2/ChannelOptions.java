package dev.proactor.nio2;

import dev.proactor.SocketOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The socket options of one channel until it has a socket, and the checks {@code setOption} and
 * {@code getOption} make, as the JDK's provider makes them. Before a connect or a bind, options are
 * recorded here, answered by {@code getOption}, and turned into the {@link SocketOptions} the
 * proactor applies when it creates the socket. Once the channel has a socket (connected, bound,
 * accepted) the channel sets and reads them on it ({@code AsyncSocket.setOption}) and this only
 * checks their names. While a connect is in flight there is no socket yet: options set then are
 * recorded and also kept aside ({@link #takeSetWhileConnecting}) for the channel to set on the
 * socket the connect brings.
 *
 * <p>A recorded buffer size reads back as the kernel reports it for that request (Linux doubles it,
 * within its limits), which is what the JDK's provider returns; the kernel's answer is learnt from a
 * short-lived unconnected {@link Socket} given the same request. Guarded by the channel's lock.
 */
final class ChannelOptions {

    /** The options of an {@code AsynchronousSocketChannel}. */
    static final Set<SocketOption<?>> SOCKET = Set.of(StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.TCP_NODELAY);

    /** The options of an {@code AsynchronousServerSocketChannel}. */
    static final Set<SocketOption<?>> SERVER = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT);

    private final Set<SocketOption<?>> supported;
    /** What {@code getOption} answers. */
    private final Map<SocketOption<?>, Object> values = new HashMap<>();
    /** What {@code setOption} was given, as the proactor is to request it. */
    private final Map<SocketOption<?>, Object> requested = new HashMap<>();
    /** What {@code setOption} was given while a connect was in flight. */
    private final Map<SocketOption<?>, Object> setWhileConnecting = new LinkedHashMap<>();

    /** Checks only: the options of a channel that has its socket from the start. */
    private ChannelOptions(Set<SocketOption<?>> supported) {
        this.supported = supported;
    }

    private ChannelOptions(Set<SocketOption<?>> supported, boolean reuseAddress) {
        this.supported = supported;
        values.put(StandardSocketOptions.SO_REUSEADDR, reuseAddress);
        values.put(StandardSocketOptions.SO_REUSEPORT, false);
        values.put(StandardSocketOptions.SO_RCVBUF, kernelBufferSize(StandardSocketOptions.SO_RCVBUF, 0));
        if (supported.contains(StandardSocketOptions.TCP_NODELAY)) {
            values.put(StandardSocketOptions.TCP_NODELAY, false);
            values.put(StandardSocketOptions.SO_KEEPALIVE, false);
            values.put(StandardSocketOptions.SO_SNDBUF, kernelBufferSize(StandardSocketOptions.SO_SNDBUF, 0));
        }
    }

    /** A stream socket's defaults, the JDK's: no TCP_NODELAY, no SO_KEEPALIVE, no SO_REUSEADDR. */
    static ChannelOptions forSocket() {
        return new ChannelOptions(SOCKET, false);
    }

    /**
     * The options of an accepted channel: its socket is live from the start, so nothing is
     * recorded (and no kernel default learnt), the names are only checked.
     */
    static ChannelOptions forAccepted() {
        return new ChannelOptions(SOCKET);
    }

    /** A listener's defaults, the JDK's on Linux: SO_REUSEADDR on. */
    static ChannelOptions forServer() {
        return new ChannelOptions(SERVER, true);
    }

    Set<SocketOption<?>> supported() {
        return supported;
    }

    /**
     * Records an option for the socket not made yet; {@code connecting}: a connect is in flight,
     * so the socket it brings is to get the option too.
     */
    <T> void set(SocketOption<T> name, T value, boolean connecting) {
        check(name);
        if (value == null) {
            throw new IllegalArgumentException("Invalid value 'null'");
        }
        Object stored = value;
        if (name == StandardSocketOptions.SO_SNDBUF || name == StandardSocketOptions.SO_RCVBUF) {
            int size = (Integer) value;
            if (size < 0) {
                throw new IllegalArgumentException("Invalid send/receive buffer size");
            }
            stored = kernelBufferSize(name, size);
        }
        values.put(name, stored);
        requested.put(name, value);
        if (connecting) {
            setWhileConnecting.put(name, value);
        }
    }

    /** The options set while the connect was in flight, in the order set; none are kept afterwards. */
    Map<SocketOption<?>, Object> takeSetWhileConnecting() {
        Map<SocketOption<?>, Object> taken = new LinkedHashMap<>(setWhileConnecting);
        setWhileConnecting.clear();
        return taken;
    }

    <T> T get(SocketOption<T> name) {
        check(name);
        return name.type().cast(values.get(name));
    }

    /**
     * Throws as the JDK's provider does for a name the channel does not support.
     *
     * @throws NullPointerException for null
     * @throws UnsupportedOperationException for an option not in {@link #supported()}
     */
    void check(SocketOption<?> name) {
        if (name == null) {
            throw new NullPointerException("'name' is null");
        }
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
    }

    /** What the proactor applies when it creates the socket; {@code backlog} matters to listeners only. */
    SocketOptions toSocketOptions(int backlog) {
        int send = (Integer) requested.getOrDefault(StandardSocketOptions.SO_SNDBUF, 0);
        int receive = (Integer) requested.getOrDefault(StandardSocketOptions.SO_RCVBUF, 0);
        return SocketOptions.defaults()
                .withTcpNoDelay((Boolean) values.getOrDefault(StandardSocketOptions.TCP_NODELAY, false))
                .withKeepAlive((Boolean) values.getOrDefault(StandardSocketOptions.SO_KEEPALIVE, false))
                .withReuseAddress((Boolean) values.get(StandardSocketOptions.SO_REUSEADDR))
                .withReusePort((Boolean) values.get(StandardSocketOptions.SO_REUSEPORT))
                .withBufferSizes(send, receive)
                .withBacklog(backlog);
    }

    /** What the kernel reports for a buffer-size request ({@code 0}: none, the system default). */
    private static int kernelBufferSize(SocketOption<?> name, int request) {
        try (Socket probe = new Socket()) {
            if (name == StandardSocketOptions.SO_SNDBUF) {
                if (request > 0) {
                    probe.setSendBufferSize(request);
                }
                return probe.getSendBufferSize();
            }
            if (request > 0) {
                probe.setReceiveBufferSize(request);
            }
            return probe.getReceiveBufferSize();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot learn the kernel's buffer size for " + name, e);
        }
    }
}
