package dev.proactor.bench.echo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;

/** Blocking sockets on virtual threads: a ServerSocket and one virtual thread per connection. */
final class VirtualThreadEchoServer implements EchoServer {

    private final ServerSocket listener;

    private VirtualThreadEchoServer(ServerSocket listener) {
        this.listener = listener;
    }

    static VirtualThreadEchoServer start(SocketAddress local) throws IOException {
        ServerSocket l = new ServerSocket();
        l.setReuseAddress(true);
        l.bind(local, 1024);
        Thread.ofVirtual().name("echo-accept").start(() -> {
            while (!l.isClosed()) {
                try {
                    Socket s = l.accept();
                    s.setTcpNoDelay(true);
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new VirtualThreadEchoServer(l);
    }

    private static void serve(Socket s) {
        byte[] buffer = new byte[BUFFER];
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        } catch (IOException ignored) {
            // the peer went away
        }
    }

    @Override
    public int port() {
        return ((InetSocketAddress) listener.getLocalSocketAddress()).getPort();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
