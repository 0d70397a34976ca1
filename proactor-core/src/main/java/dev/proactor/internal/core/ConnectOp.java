package dev.proactor.internal.core;

import dev.proactor.AsyncSocket;
import dev.proactor.OperationKind;
import dev.proactor.SocketOptions;
import dev.proactor.internal.spi.Request;
import java.net.SocketAddress;
import java.time.Duration;

/** Connects a new socket; one that connected after its cancel was requested is closed here. */
final class ConnectOp extends OperationImpl<AsyncSocket> {
    private final Request.Connect request;

    ConnectOp(CoreProactor p, SocketAddress address, SocketOptions options, Duration timeout) {
        super(p, OperationKind.CONNECT, null, timeout);
        this.request = new Request.Connect(address, options);
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    String resource() {
        return request.address().toString();
    }

    @Override
    void onResult(long fd, Object attachment) {
        if (cancelRequested) {
            proactor.closeOrphan((int) fd, "connection to " + request.address() + " made after its cancel");
            settleCancelled();
            return;
        }
        Request.Endpoints e = (Request.Endpoints) attachment;
        succeed(new SocketHandle(proactor.adoptSocket((int) fd, e.local(), e.remote(), request.options().closeLinger()), null));
    }
}
