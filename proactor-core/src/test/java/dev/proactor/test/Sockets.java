package dev.proactor.test;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.Operation;
import dev.proactor.Proactor;
import dev.proactor.SocketOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Socket helpers for the socket contract tests: loopback addresses, connected pairs, descriptors. */
public final class Sockets {
    private Sockets() {}

    /** The loopback address with port 0: listen on any free port. */
    public static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** Listens on a free loopback port with {@code options}. */
    public static AsyncServerSocket listen(Proactor p, SocketOptions options) {
        return Ops.result(p.listen(loopback(), options));
    }

    /** Listens on a free loopback port with the defaults. */
    public static AsyncServerSocket listen(Proactor p) {
        return listen(p, SocketOptions.defaults());
    }

    /** Both ends of one connection: {@code server} accepted, {@code client} connected. */
    public record Connection(AsyncSocket server, AsyncSocket client) {
        /** Closes both ends and waits for the closes. */
        public void close() {
            Operation<Void> a = client.closeAsync();
            Operation<Void> b = server.closeAsync();
            Ops.result(a);
            Ops.result(b);
        }
    }

    /** Connects {@code client} to {@code listener} (accepting on it) and waits for both ends. */
    public static Connection connect(AsyncServerSocket listener, Proactor client, SocketOptions options) {
        Operation<AsyncSocket> accept = listener.accept();
        Operation<AsyncSocket> connect = client.connect(listener.localAddress(), options);
        return new Connection(Ops.result(accept), Ops.result(connect));
    }

    /** {@link #connect(AsyncServerSocket, Proactor, SocketOptions)} with the default options. */
    public static Connection connect(AsyncServerSocket listener, Proactor client) {
        return connect(listener, client, SocketOptions.defaults());
    }

    /**
     * Connects {@code count} times, {@code window} connects and accepts in flight at once, and
     * waits for all of them.
     */
    public static List<Connection> connectMany(AsyncServerSocket listener, Proactor client, SocketOptions options,
            int count, int window) {
        List<Connection> all = new ArrayList<>(count);
        for (int done = 0; done < count; done += window) {
            int n = Math.min(window, count - done);
            List<Operation<AsyncSocket>> accepts = new ArrayList<>(n);
            List<Operation<AsyncSocket>> connects = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                accepts.add(listener.accept());
                connects.add(client.connect(listener.localAddress(), options));
            }
            // Accepts take connections in arrival order, not connect order: pair them by address.
            java.util.Map<SocketAddress, AsyncSocket> byClientAddress = new java.util.HashMap<>();
            for (Operation<AsyncSocket> a : accepts) {
                AsyncSocket s = Ops.result(a);
                byClientAddress.put(s.remoteAddress(), s);
            }
            for (Operation<AsyncSocket> c : connects) {
                AsyncSocket s = Ops.result(c);
                AsyncSocket peer = byClientAddress.remove(s.localAddress());
                if (peer == null) {
                    throw new AssertionError("no accepted socket has the remote address " + s.localAddress()
                            + " of connected socket " + s);
                }
                all.add(new Connection(peer, s));
            }
        }
        return all;
    }

    /** Closes every connection's both ends, all in flight at once, and waits for the closes. */
    public static void closeAll(List<Connection> connections) {
        List<Operation<Void>> closes = new ArrayList<>(connections.size() * 2);
        for (Connection c : connections) {
            closes.add(c.client().closeAsync());
            closes.add(c.server().closeAsync());
        }
        closes.forEach(Ops::result);
    }

    /**
     * Fills the accept queue of a listener opened with backlog {@code backlog} and never accepted
     * from: Linux queues {@code backlog + 1} connections and then drops further SYNs, so a later
     * connect stays in SYN_SENT, retransmitting, until its deadline or cancel. Each filler connects
     * blocking, with a 5 s limit; the caller closes them.
     */
    public static List<Socket> fillAcceptQueue(SocketAddress listener, int backlog) {
        List<Socket> fillers = new ArrayList<>();
        try {
            for (int i = 0; i <= backlog; i++) {
                Socket s = new Socket();
                fillers.add(s);
                s.connect(listener, 5_000);
            }
        } catch (IOException e) {
            closeQuietly(fillers);
            throw new UncheckedIOException("filling the accept queue of " + listener + " (backlog " + backlog + ")", e);
        }
        return fillers;
    }

    /** Closes plain sockets, ignoring failures. */
    public static void closeQuietly(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Nothing to do: the test is tearing down.
            }
        }
    }

    /** The open descriptors of this process that are sockets, by number ({@code /proc/self/fd}). */
    public static Set<Integer> socketFds() {
        Set<Integer> fds = new TreeSet<>();
        ResourceSnapshot.openFds().forEach((fd, target) -> {
            if (target.startsWith("socket:")) {
                fds.add(fd);
            }
        });
        return fds;
    }
}
