package dev.proactor.nio2;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.util.concurrent.TimeUnit;

/**
 * A program written against NIO.2 alone, run in a child JVM by {@link ProviderSelectionTest}:
 * prints the provider serving it (and the backend, when it is this one), then echoes a message
 * over loopback and prints {@code echo ok} when the bytes came back whole.
 */
public final class PlainNio2Program {

    private PlainNio2Program() {}

    /** Runs the echo; exits non-zero by exception when it fails. */
    public static void main(String[] args) throws Exception {
        AsynchronousChannelProvider provider = AsynchronousChannelProvider.provider();
        System.out.println("provider " + provider.getClass().getName());
        if (provider instanceof ProactorChannelProvider p) {
            System.out.println("backend " + p.backendName());
        }
        try (AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                AsynchronousSocketChannel client = AsynchronousSocketChannel.open()) {
            var accept = server.accept();
            client.connect(server.getLocalAddress()).get(30, TimeUnit.SECONDS);
            try (AsynchronousSocketChannel peer = accept.get(30, TimeUnit.SECONDS)) {
                ByteBuffer msg = ByteBuffer.wrap("ping".getBytes());
                while (msg.hasRemaining()) {
                    client.write(msg).get(30, TimeUnit.SECONDS);
                }
                ByteBuffer got = ByteBuffer.allocate(4);
                while (got.hasRemaining()) {
                    if (peer.read(got).get(30, TimeUnit.SECONDS) < 0) {
                        throw new IllegalStateException("end of stream");
                    }
                }
                if (!"ping".equals(new String(got.array()))) {
                    throw new IllegalStateException("got " + new String(got.array()));
                }
            }
        }
        System.out.println("echo ok");
    }
}
