package dev.proactor.internal.core;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.Operation;
import dev.proactor.ProactorException;
import dev.proactor.OperationStream;
import dev.proactor.StreamHandler;
import java.net.SocketAddress;
import java.time.Duration;

/** The caller's view of a listening socket, with the timeout it attaches to what it initiates. */
final class ListenerHandle implements AsyncServerSocket {
    private final Resource listener;
    private final Duration timeout;

    ListenerHandle(Resource listener, Duration timeout) {
        this.listener = listener;
        this.timeout = timeout;
    }

    @Override
    public SocketAddress localAddress() {
        return listener.local;
    }

    @Override
    public boolean isOpen() {
        return listener.open;
    }

    @Override
    public Operation<AsyncSocket> accept() {
        return listener.proactor.initiate(new AcceptOp(listener.proactor, listener, timeout));
    }

    @Override
    public OperationStream acceptEach(StreamHandler<? super AsyncSocket> handler) {
        return listener.proactor.initiate(new AcceptEachOp(listener.proactor, listener, handler));
    }

    @Override
    public void close() throws ProactorException {
        listener.proactor.closeAndWait(closeAsync());
    }

    @Override
    public Operation<Void> closeAsync() {
        return listener.proactor.closeResource(listener);
    }

    @Override
    public AsyncServerSocket withTimeout(Duration t) {
        return new ListenerHandle(listener, Timeouts.positive(t));
    }

    @Override
    public String toString() {
        return "AsyncServerSocket[" + listener.describe() + ", fd " + listener.fd + (listener.open ? "" : ", closed") + "]";
    }
}
