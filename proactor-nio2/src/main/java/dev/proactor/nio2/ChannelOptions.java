package dev.proactor.nio2;

import dev.proactor.SocketOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The socket options of one channel, as {@code setOption} left them: validated as the JDK's
 * provider validates them, and turned into the {@link SocketOptions} the proactor applies when it
 * creates the socket (at connect or bind). Proactor's public API sets options only then, so a
 * channel accepts {@code setOption} until it is connected or bound and refuses it afterwards
 * ({@link #freeze}); see the README's list of differences.
 *
 * <p>A buffer size reads back as the kernel reports it for that request (Linux doubles it, within
 * its limits), which is what the JDK's provider returns; the kernel's answer is learnt from a
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
    private String frozenBecause;

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

    /** A listener's defaults, the JDK's on Linux: SO_REUSEADDR on. */
    static ChannelOptions forServer() {
        return new ChannelOptions(SERVER, true);
    }

    /**
     * The options a socket this listener accepts starts with: the kernel copies the listener's
     * SO_REUSEADDR and SO_RCVBUF to it, the rest are a socket's defaults.
     */
    ChannelOptions inheritedByAccepted() {
        ChannelOptions accepted = forSocket();
        accepted.values.put(StandardSocketOptions.SO_REUSEADDR, values.get(StandardSocketOptions.SO_REUSEADDR));
        accepted.values.put(StandardSocketOptions.SO_RCVBUF, values.get(StandardSocketOptions.SO_RCVBUF));
        accepted.freeze("once connected");
        return accepted;
    }

    Set<SocketOption<?>> supported() {
        return supported;
    }

    /** From now on {@link #set} throws, saying {@code why}. */
    void freeze(String why) {
        frozenBecause = why;
    }

    <T> void set(SocketOption<T> name, T value) {
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
        if (frozenBecause != null) {
            throw new UnsupportedOperationException("'" + name + "' cannot be set " + frozenBecause
                    + ": the Proactor provider applies socket options when it creates the socket");
        }
        values.put(name, stored);
        requested.put(name, value);
    }

    <T> T get(SocketOption<T> name) {
        check(name);
        return name.type().cast(values.get(name));
    }

    private void check(SocketOption<?> name) {
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
