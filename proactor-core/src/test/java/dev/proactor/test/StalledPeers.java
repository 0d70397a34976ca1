package dev.proactor.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a test of peers that do not read needs to see from outside the library: the kernel's view of
 * this machine's TCP queues ({@code /proc/net/tcp} and {@code tcp6}) and this process's kernel tasks
 * ({@code /proc/self/task}, which counts io_uring's {@code iou-wrk} workers as well as the JVM's
 * threads). Linux only, like the io_uring backend.
 *
 * <p>A sender is stalled when its socket holds bytes the peer has not acknowledged while the peer's
 * receive queue holds bytes it has not read: on loopback every byte that arrives is acknowledged at
 * once, so unacknowledged bytes stay only behind a closed receive window.
 */
public final class StalledPeers {
    private StalledPeers() {}

    /** The send and receive queues of one TCP socket, in bytes, as the kernel reports them. */
    public record Queues(long send, long receive) {}

    /** Kernel tasks of this process now: every thread, the JVM's and the kernel's workers alike. */
    public static int tasks() {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return (int) tasks.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pipes this process holds open (either end): the distinct {@code pipe:[inode]} targets of its descriptors. */
    public static int pipes() {
        return (int) ResourceSnapshot.openFds().values().stream().filter(t -> t.startsWith("pipe:")).distinct().count();
    }

    /**
     * The queues of every TCP socket on the machine, by its local then remote address's port
     * ({@code local << 16 | remote}): enough to tell the loopback connections of one test apart.
     */
    public static Map<Integer, Queues> byPorts() {
        Map<Integer, Queues> all = new HashMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                continue; // no IPv6 here
            }
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue ...
                String[] f = line.trim().split("\\s+");
                int local = port(f[1]);
                int remote = port(f[2]);
                String[] q = f[4].split(":");
                all.put(local << 16 | remote, new Queues(Long.parseLong(q[0], 16), Long.parseLong(q[1], 16)));
            }
        }
        return all;
    }

    /**
     * Whether the sender of the connection from {@code sender} to {@code receiver} (addresses as
     * the sender sees them) has bytes the receiver did not acknowledge, while the receiver has
     * bytes it did not read; {@code queues} from {@link #byPorts()}.
     */
    public static boolean stalled(Map<Integer, Queues> queues, SocketAddress sender, SocketAddress receiver) {
        int s = ((InetSocketAddress) sender).getPort();
        int r = ((InetSocketAddress) receiver).getPort();
        Queues out = queues.get(s << 16 | r);
        Queues in = queues.get(r << 16 | s);
        return out != null && in != null && out.send() > 0 && in.receive() > 0;
    }

    private static int port(String hexAddress) {
        return Integer.parseInt(hexAddress.substring(hexAddress.indexOf(':') + 1), 16);
    }
}
