package dev.proactor.internal.core;

import dev.proactor.AsyncSocket;
import dev.proactor.OperationKind;
import dev.proactor.StreamHandler;
import dev.proactor.internal.spi.Request;

/**
 * Accepts connections until cancelled, each handed to the handler as a socket it owns. A
 * connection the kernel accepted after the stream's cancel was requested (the caller's, a close of
 * the listener, or the proactor's close) is closed here: nobody is left to own it.
 */
final class AcceptEachOp extends StreamingOp<AsyncSocket> {

    AcceptEachOp(CoreProactor p, Resource listener, StreamHandler<? super AsyncSocket> handler) {
        super(p, OperationKind.ACCEPT, listener, handler);
    }

    @Override
    public Request request() {
        return multishot ? new Request.AcceptEach(resource.fd) : new Request.Accept(resource.fd);
    }

    @Override
    void onItem(long fd, Object attachment) {
        accepted(fd, (Request.Endpoints) attachment);
    }

    @Override
    void onResult(long fd, Object attachment) {
        accepted(fd, (Request.Endpoints) attachment);
        again();
    }

    private void accepted(long fd, Request.Endpoints e) {
        if (cancelRequested) {
            proactor.closeOrphan((int) fd, "connection from " + e.remote() + " accepted after its stream's cancel");
            return;
        }
        bytesDone++;
        SocketHandle socket = new SocketHandle(proactor.adoptSocket((int) fd, e.local(), e.remote(), resource.closeLinger), null);
        deliver(new Accepted(socket));
    }

    /** One accepted connection's delivery to the handler: the item and its queue node in one. */
    private final class Accepted extends SerialDelivery.Item {
        private final SocketHandle socket;

        Accepted(SocketHandle socket) {
            this.socket = socket;
        }

        @Override
        public void run() {
            call(socket);
        }
    }
}
