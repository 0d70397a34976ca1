package dev.proactor.bench.echo;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.BackendChoice;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.ProactorException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * Proactor's echo server, on the public API only: an accept chain (each accepted connection starts
 * the next accept) and per connection a read → writeAll → read chain on one direct buffer. Handlers
 * run on the proactor's workers or inline on the dispatcher, as configured.
 */
final class ProactorEchoServer implements EchoServer {

    private final Proactor proactor;
    private final AsyncServerSocket listener;

    private ProactorEchoServer(Proactor proactor, AsyncServerSocket listener) {
        this.proactor = proactor;
        this.listener = listener;
    }

    static ProactorEchoServer start(SocketAddress local, BackendChoice backend, boolean inline) throws Exception {
        Proactor p = Proactor.open(EchoServer.withSpin(ProactorConfig.builder().name("echo").backend(backend).inlineHandlers(inline)
                .maxInFlight(MAX_IN_FLIGHT)).build());
        AsyncServerSocket listener = p.listen(local).await();
        ProactorEchoServer s = new ProactorEchoServer(p, listener);
        s.acceptNext();
        return s;
    }

    private void acceptNext() {
        if (!listener.isOpen()) {
            return;
        }
        listener.accept().onComplete((socket, failure) -> {
            if (failure == null) {
                new Connection(socket).readNext();
            }
            acceptNext();
        });
    }

    private static final class Connection {
        private final AsyncSocket socket;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);

        Connection(AsyncSocket socket) {
            this.socket = socket;
        }

        void readNext() {
            buffer.clear();
            socket.read(buffer).onComplete(this::onRead);
        }

        private void onRead(Integer n, ProactorException failure) {
            if (failure != null || n < 0) {
                socket.closeAsync();
                return;
            }
            buffer.flip();
            socket.writeAll(buffer).onComplete(this::onWritten);
        }

        private void onWritten(Long n, ProactorException failure) {
            if (failure != null) {
                socket.closeAsync();
                return;
            }
            readNext();
        }
    }

    @Override
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() throws Exception {
        listener.close();
        proactor.close();
    }
}
