package dev.proactor.internal.core;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Sets (then reads back) or reads one standard option of a live socket or listener. The arguments
 * are checked here, at initiation, once for both backends, so that a backend only maps the option
 * to its call. It is in no lane: the dispatcher makes the call when it submits the operation, and,
 * as a pending operation of its resource, it keeps the descriptor from being closed until then.
 *
 * @param <T> the option's type, {@code Boolean} or {@code Integer}
 */
final class SocketOptionOp<T> extends OperationImpl<T> {

    /** What a connected TCP socket takes: the options {@code SocketOptions} applies at creation. */
    private static final Set<SocketOption<?>> TCP_SOCKET = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT);
    /** What a TCP listener takes: those a {@code ServerSocketChannel} supports. */
    private static final Set<SocketOption<?>> TCP_LISTENER = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT);
    private static final Set<SocketOption<?>> UNIX_SOCKET = Set.of(StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_RCVBUF);
    private static final Set<SocketOption<?>> UNIX_LISTENER = Set.of(StandardSocketOptions.SO_RCVBUF);

    private final Request.SocketOpt request;
    private final SocketOption<T> name;

    /**
     * @param value the value to set, or null to read only ({@code set} false)
     * @throws UnsupportedOperationException if {@code r} does not support {@code name}
     * @throws IllegalArgumentException for a missing value, one of another type, or a negative size
     */
    SocketOptionOp(CoreProactor p, Resource r, Duration timeout, SocketOption<T> name, boolean set, T value) {
        super(p, OperationKind.SOCKET_OPTION, r, timeout);
        Objects.requireNonNull(name, "name");
        if (!supported(r).contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' is not supported by " + r.describe());
        }
        if (set) {
            checkValue(name, value);
        }
        this.name = name;
        this.request = new Request.SocketOpt(r.fd, name, set ? value : null);
    }

    private static Set<SocketOption<?>> supported(Resource r) {
        boolean unix = r.local instanceof UnixDomainSocketAddress;
        if (r.kind == Resource.Kind.LISTENER) {
            return unix ? UNIX_LISTENER : TCP_LISTENER;
        }
        return unix ? UNIX_SOCKET : TCP_SOCKET;
    }

    private static void checkValue(SocketOption<?> name, Object value) {
        if (value == null) {
            throw new IllegalArgumentException("'" + name + "' needs a value, not null");
        }
        if (!name.type().isInstance(value)) {
            throw new IllegalArgumentException("'" + name + "' takes a " + name.type().getSimpleName() + ", not "
                    + value.getClass().getSimpleName());
        }
        if (value instanceof Integer size && size < 0) {
            throw new IllegalArgumentException("'" + name + "' must not be negative: " + size);
        }
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    void onResult(long result, Object attachment) {
        Object v = name.type() == Boolean.class ? (Object) (result != 0) : (Object) (int) result;
        succeed(name.type().cast(v));
    }
}
