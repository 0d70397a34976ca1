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
        return added;
    }

    private static boolean isJvmOwned(String target) {
        String javaHome = System.getProperty("java.home");
        return target.endsWith(".jar") || (javaHome != null && target.startsWith(javaHome))
                || target.equals("/dev/random") || target.equals("/dev/urandom")
                || target.equals("/proc/self/fd") || target.equals("/proc/" + ProcessHandle.current().pid() + "/fd");
    }
}
