package dev.proactor.internal.core;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;
import java.time.Duration;

/** Shuts down one direction of a socket. */
final class ShutdownOp extends OperationImpl<Void> {
    private final Request.Shutdown request;

    ShutdownOp(CoreProactor p, Resource socket, Duration timeout, boolean input, boolean output) {
        super(p, OperationKind.SHUTDOWN, socket, timeout);
        this.request = new Request.Shutdown(socket.fd, input, output);
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
