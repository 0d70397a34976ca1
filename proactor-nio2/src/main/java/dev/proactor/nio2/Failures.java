package dev.proactor.nio2;

import dev.proactor.OperationCancelledException;
import dev.proactor.OperationFailedException;
import dev.proactor.OperationTimeoutException;
import dev.proactor.ProactorClosedException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.concurrent.CompletionException;

/**
 * Turns the proactor's failures into the exceptions NIO.2 programs catch, with the JDK provider's
 * types: a deadline is {@link InterruptedByTimeoutException}, an operation ended by a close is
 * {@link AsynchronousCloseException}, a refused connect {@link ConnectException}, an address in use
 * {@link BindException}; other kernel errors an {@link IOException} with the system's text. The
 * proactor's exception is kept as the cause, so its errno and bytes done stay visible.
 */
final class Failures {

    private Failures() {}

    /** The NIO.2 counterpart of an operation's failure. */
    static Throwable toNio(Throwable failure) {
        Throwable f = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return switch (f) {
            case OperationTimeoutException t -> withCause(new InterruptedByTimeoutException(), t);
            case OperationCancelledException c -> withCause(new AsynchronousCloseException(), c);
            case ProactorClosedException c -> withCause(new AsynchronousCloseException(), c);
            case OperationFailedException e -> byErrno(e);
            default -> f;
        };
    }

    /** {@link #toNio} for a caller that must throw an {@link IOException}. */
    static IOException toIo(Throwable failure) {
        Throwable f = toNio(failure);
        return f instanceof IOException io ? io : new IOException(f.getMessage(), f);
    }

    private static IOException byErrno(OperationFailedException e) {
        IOException nio = switch (e.errnoName()) {
            case "ECONNREFUSED" -> new ConnectException(e.description());
            case "EHOSTUNREACH" -> new NoRouteToHostException(e.description());
            case "EADDRINUSE", "EADDRNOTAVAIL" -> new BindException(e.description());
            default -> new IOException(e.description());
        };
        return withCause(nio, e);
    }

    private static <T extends Throwable> T withCause(T nio, Throwable cause) {
        nio.initCause(cause);
        return nio;
    }

    /**
     * Checks an address given to bind or connect as the JDK's {@code Net.checkAddress} does.
     *
     * @throws NullPointerException if it is null
     * @throws UnsupportedAddressTypeException if it is not an {@link InetSocketAddress}
     * @throws UnresolvedAddressException if it is not resolved
     */
    static InetSocketAddress checkAddress(SocketAddress address) {
        if (address == null) {
            throw new NullPointerException("'address' is null");
        }
        if (!(address instanceof InetSocketAddress inet)) {
            throw new UnsupportedAddressTypeException();
        }
        if (inet.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return inet;
    }
}
