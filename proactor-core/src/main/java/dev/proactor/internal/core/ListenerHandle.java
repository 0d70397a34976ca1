package dev.proactor.internal.core;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.Operation;
import dev.proactor.ProactorException;
import dev.proactor.OperationStream;
import dev.proactor.StreamHandler;
import java.net.SocketAddress;
import java.net.SocketOption;
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
    public <T> Operation<T> setOption(SocketOption<T> name, T value) {
        return listener.proactor.initiate(new SocketOptionOp<>(listener.proactor, listener, timeout, name, true, value));
    }

    @Override
    public <T> Operation<T> option(SocketOption<T> name) {
        return listener.proactor.initiate(new SocketOptionOp<>(listener.proactor, listener, timeout, name, false, null));
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
