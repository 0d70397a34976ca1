package dev.proactor.internal.core;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;
import java.time.Duration;

/**
 * Shuts down one direction of a socket. Shutting down output takes its place in the socket's send
 * order, so the FIN follows every write initiated before it; shutting down input is not ordered.
 */
final class ShutdownOp extends OperationImpl<Void> {
    private final Request.Shutdown request;

    ShutdownOp(CoreProactor p, Resource socket, Duration timeout, boolean input, boolean output) {
        super(p, OperationKind.SHUTDOWN, socket, timeout);
        this.request = new Request.Shutdown(socket.fd, input, output);
    }

    @Override
    int lane() {
        return request.output() ? SEND_LANE : -1;
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    void onResult(long result, Object attachment) {
        succeed(null);
    }
}
