package dev.proactor.internal.core;

import dev.proactor.AsyncSocket;
import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;
import java.time.Duration;

/**
 * Accepts one connection. A connection the kernel accepted after the accept's cancel was requested
 * is closed here: nobody is left to own it.
 */
final class AcceptOp extends OperationImpl<AsyncSocket> {
    private final Request.Accept request;

    AcceptOp(CoreProactor p, Resource listener, Duration timeout) {
        super(p, OperationKind.ACCEPT, listener, timeout);
        this.request = new Request.Accept(listener.fd);
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    void onResult(long fd, Object attachment) {
        Request.Endpoints e = (Request.Endpoints) attachment;
        if (cancelRequested) {
            proactor.closeOrphan((int) fd, "connection from " + e.remote() + " accepted after its cancel");
            settleCancelled();
            return;
        }
        succeed(new SocketHandle(proactor.adoptSocket((int) fd, e.local(), e.remote(), resource.closeLinger), null));
    }
}
