package dev.proactor.bench.echo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;

/** JDK NIO.2 on the default channel group: accept chain, then read → write (until drained) → read. */
final class Nio2EchoServer implements EchoServer {

    private final AsynchronousServerSocketChannel listener;

    private Nio2EchoServer(AsynchronousServerSocketChannel listener) {
        this.listener = listener;
    }

    static Nio2EchoServer start(SocketAddress local) throws IOException {
        AsynchronousServerSocketChannel l = AsynchronousServerSocketChannel.open();
        l.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        l.bind(local, 1024);
        Nio2EchoServer s = new Nio2EchoServer(l);
        l.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
            @Override
            public void completed(AsynchronousSocketChannel ch, Void a) {
                l.accept(null, this);
                try {
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                } catch (IOException ignored) {
                    // best effort, as every server here
                }
                new Connection(ch).readNext();
            }

            @Override
            public void failed(Throwable t, Void a) {
                // listener closed
            }
        });
        return s;
    }

    private static final class Connection implements CompletionHandler<Integer, Boolean> {
        private final AsynchronousSocketChannel ch;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);

        Connection(AsynchronousSocketChannel ch) {
            this.ch = ch;
        }

        void readNext() {
            buffer.clear();
            ch.read(buffer, Boolean.TRUE, this);
        }

        @Override
        public void completed(Integer n, Boolean reading) {
            if (reading) {
                if (n < 0) {
                    close();
                    return;
                }
                buffer.flip();
                ch.write(buffer, Boolean.FALSE, this);
            } else if (buffer.hasRemaining()) {
                ch.write(buffer, Boolean.FALSE, this);
            } else {
                readNext();
            }
        }

        @Override
        public void failed(Throwable t, Boolean reading) {
            close();
        }

        private void close() {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public int port() {
        try {
            return ((InetSocketAddress) listener.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
