package dev.proactor.test;

import dev.proactor.internal.spi.NativeAccounting;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The process resources a proactor may leak, at one moment: open file descriptors with what they
 * point to ({@code /proc/self/fd}), live platform threads, and the native bytes every proactor holds
 * ({@link NativeAccounting}).
 *
 * @param fds descriptor number to link target
 * @param threadNames names of live platform threads
 * @param nativeBytes {@link NativeAccounting#outstandingBytes()}
 */
public record ResourceSnapshot(Map<Integer, String> fds, List<String> threadNames, long nativeBytes) {

    private static final Path FD_DIR = Path.of("/proc/self/fd");

    /** Takes a snapshot now. */
    public static ResourceSnapshot take() {
        return new ResourceSnapshot(openFds(), liveThreadNames(), NativeAccounting.outstandingBytes());
    }

    /** Open descriptors and their targets; empty where {@code /proc} is not there. */
    public static Map<Integer, String> openFds() {
        Map<Integer, String> fds = new TreeMap<>();
        if (!Files.isDirectory(FD_DIR)) {
            return fds;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(FD_DIR)) {
            for (Path p : dir) {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    // The descriptor closed while listing (the directory stream's own one, say).
                    continue;
                }
                fds.put(Integer.parseInt(p.getFileName().toString()), target);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + FD_DIR, e);
        }
        return fds;
    }

    /** Names of live platform threads (virtual threads are not listed by the JDK). */
    public static List<String> liveThreadNames() {
        Set<Thread> threads = Thread.getAllStackTraces().keySet();
        List<String> names = new ArrayList<>(threads.size());
        for (Thread t : threads) {
            if (t.isAlive()) {
                names.add(t.getName());
            }
        }
        names.sort(null);
        return names;
    }

    /** Live platform threads whose name starts with {@code prefix}. */
    public static List<Thread> threadsNamed(String prefix) {
        List<Thread> found = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(prefix)) {
                found.add(t);
            }
        }
        return found;
    }

    /**
     * Descriptors open now that were not open (to the same target) in {@code baseline}, leaving out
     * those the JVM opens by itself on demand (jar files and the runtime image the class loader reads
     * when a test first touches a class, the entropy devices behind {@code SecureRandom}) and the
     * directory streams listing {@code /proc/self/fd} itself.
     */
    public static Map<Integer, String> newFds(Map<Integer, String> baseline, Map<Integer, String> now) {
        Map<Integer, String> added = new TreeMap<>();
        for (Map.Entry<Integer, String> e : now.entrySet()) {
            if (e.getValue().equals(baseline.get(e.getKey())) || isJvmOwned(e.getValue())) {
                continue;
            }
            added.put(e.getKey(), e.getValue());
        }
        if (added.values().stream().anyMatch(t -> t.startsWith("socket:["))) {
            added.values().removeAll(attachListenerSockets());
        }
        return added;
    }

    private static boolean isJvmOwned(String target) {
        String javaHome = System.getProperty("java.home");
        return target.endsWith(".jar") || (javaHome != null && target.startsWith(javaHome))
                || target.equals("/dev/random") || target.equals("/dev/urandom")
                || target.equals("/proc/self/fd") || target.equals("/proc/" + ProcessHandle.current().pid() + "/fd");
    }

    /**
     * The descriptors ({@code socket:[inode]}) of the JVM's attach listener: the Unix socket
     * {@code /tmp/.java_pid<pid>} it opens, and keeps, the first time a tool (jcmd, jstack, a
     * profiler) attaches to this process from outside. Read from {@code /proc/net/unix} once per call.
     */
    public static java.util.Set<String> attachListenerSockets() {
        java.util.Set<String> sockets = new java.util.HashSet<>();
        String path = "/.java_pid" + ProcessHandle.current().pid();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 7 && f[7].contains(path)) {
                    sockets.add("socket:[" + f[6] + "]");
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: no attach listener of this kind to tell apart.
        }
        return sockets;
    }

    private static final String[] TCP_STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
        "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    /**
     * For a {@code socket:[inode]} link target, the TCP socket's addresses and state from
     * {@code /proc/net/tcp} and {@code tcp6} (" (tcp 127.0.0.1:40000 -> 127.0.0.1:5000 SYN_SENT)"),
     * so that a leaked socket says what it was; empty for anything else or when not found.
     */
    public static String describeSocket(String target) {
        if (!target.startsWith("socket:[")) {
            return "";
        }
        String inode = target.substring("socket:[".length(), target.length() - 1);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6", "/proc/net/unix")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (table.endsWith("unix")) {
                        if (f.length >= 7 && f[6].equals(inode)) {
                            return " (unix" + (f.length > 7 ? " " + f[7] : "") + ")";
                        }
                    } else if (f.length > 9 && f[9].equals(inode)) {
                        int state = Integer.parseInt(f[3], 16);
                        return " (tcp " + endpoint(f[1]) + " -> " + endpoint(f[2]) + " "
                                + (state < TCP_STATES.length ? TCP_STATES[state] : f[3]) + ")";
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Not Linux, or the table changed while read: the bare inode has to do.
            }
        }
        return "";
    }

    /** {@code 0100007F:1F90} (IPv4 little-endian hex) as {@code 127.0.0.1:8080}; IPv6 stays hex. */
    private static String endpoint(String hex) {
        String[] parts = hex.split(":");
        int port = Integer.parseInt(parts[1], 16);
        if (parts[0].length() == 8) {
            long a = Long.parseLong(parts[0], 16);
            return (a & 0xff) + "." + ((a >> 8) & 0xff) + "." + ((a >> 16) & 0xff) + "." + ((a >> 24) & 0xff) + ":" + port;
        }
        return "[" + parts[0] + "]:" + port;
    }
}
