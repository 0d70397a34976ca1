package dev.proactor.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The far ends of many idle connections, in a process of its own so that a test can hold more
 * connections than one process's descriptor limit allows for both ends. Blocking JDK sockets only.
 * Driven by lines on standard input, answering on standard output:
 * <ul>
 *   <li>{@code listen N}: answers {@code port P}, accepts N connections, answers {@code ready};</li>
 *   <li>{@code connect PORT N}: makes N connections to the loopback port, answers {@code ready};</li>
 *   <li>{@code echo}: on every connection, reads one byte and writes it back; answers {@code echoed};</li>
 *   <li>end of input: closes everything and exits.</li>
 * </ul>
 * A failure is answered as {@code error <text>} and ends the process.
 */
public final class IdlePeer {
    private IdlePeer() {}

    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
        List<SocketChannel> sockets = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        try {
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.trim().split("\\s+");
                switch (w[0]) {
                    case "listen" -> {
                        try (ServerSocketChannel server = ServerSocketChannel.open()) {
                            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
                            out.println("port " + ((InetSocketAddress) server.getLocalAddress()).getPort());
                            for (int i = Integer.parseInt(w[1]); i > 0; i--) {
                                sockets.add(server.accept());
                            }
                        }
                        out.println("ready");
                    }
                    case "connect" -> {
                        InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(w[1]));
                        for (int i = Integer.parseInt(w[2]); i > 0; i--) {
                            sockets.add(SocketChannel.open(to));
                        }
                        out.println("ready");
                    }
                    case "echo" -> {
                        ByteBuffer b = ByteBuffer.allocate(1);
                        for (SocketChannel s : sockets) {
                            b.clear();
                            if (s.read(b) != 1) {
                                throw new IOException("no byte on " + s);
                            }
                            b.flip();
                            s.write(b);
                        }
                        out.println("echoed");
                    }
                    default -> throw new IOException("unknown command: " + line);
                }
            }
        } catch (IOException | RuntimeException e) {
            out.println("error " + e);
        } finally {
            for (SocketChannel s : sockets) {
                s.close();
            }
        }
    }
}
