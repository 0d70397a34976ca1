package dev.proactor.bench.echo;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.BackendChoice;
import dev.proactor.OperationStream;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Proactor's echo server written with streams, on the public API only: one {@code acceptEach} for
 * the listener and one {@code receiveEach} per connection. On io_uring that is a multishot accept
 * and a multishot receive into the provided buffer ring: no receive is re-armed per message and
 * no buffer is held while a connection waits. Each chunk is written back from the buffer it
 * arrived in ({@code writeAll(chunk.segment())}) and released once the write ended; a connection
 * whose write fails, or whose receive stream ends, is closed.
 */
final class ProactorStreamEchoServer implements EchoServer {

    private final Proactor proactor;
    private final AsyncServerSocket listener;
    private final OperationStream accepts;

    private ProactorStreamEchoServer(Proactor proactor, AsyncServerSocket listener, OperationStream accepts) {
        this.proactor = proactor;
        this.listener = listener;
        this.accepts = accepts;
    }

    static ProactorStreamEchoServer start(SocketAddress local, BackendChoice backend, boolean inline) throws Exception {
        Proactor p = Proactor.open(EchoServer.withSpin(ProactorConfig.builder().name("echo").backend(backend).inlineHandlers(inline)
                .receiveBufferSize(BUFFER).maxInFlight(MAX_IN_FLIGHT)).build());
        AsyncServerSocket listener = p.listen(local).await();
        OperationStream accepts = listener.acceptEach(ProactorStreamEchoServer::serve);
        return new ProactorStreamEchoServer(p, listener, accepts);
    }

    private static void serve(AsyncSocket socket) {
        socket.receiveEach(chunk -> socket.writeAll(chunk.segment())
                .onComplete((n, failure) -> {
                    chunk.release();
                    if (failure != null) {
                        socket.closeAsync();
                    }
                })).onComplete((total, failure) -> socket.closeAsync());
    }

    @Override
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() throws Exception {
        accepts.cancel();
        listener.close();
        proactor.close();
    }
}
