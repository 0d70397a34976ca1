package dev.proactor.internal.core;

import dev.proactor.AsyncServerSocket;
import dev.proactor.OperationKind;
import dev.proactor.SocketOptions;
import dev.proactor.internal.spi.Request;
import java.net.SocketAddress;
import java.time.Duration;

/** Creates a listening socket; a listener made after its cancel came too late is closed. */
final class ListenOp extends OperationImpl<AsyncServerSocket> {
    private final Request.Listen request;

    ListenOp(CoreProactor p, SocketAddress address, SocketOptions options, Duration timeout) {
        super(p, OperationKind.LISTEN, null, timeout);
        this.request = new Request.Listen(address, options);
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
            proactor.closeOrphan((int) fd, "listener on " + request.address());
            settleCancelled();
            return;
        }
        Request.Endpoints e = (Request.Endpoints) attachment;
        succeed(new ListenerHandle(proactor.adoptListener((int) fd, e.local(), request.options().closeLinger()), null));
    }
}
