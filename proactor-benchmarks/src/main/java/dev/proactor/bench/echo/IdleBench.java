package dev.proactor.bench.echo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory per idle connection. For each round and contender (rotated, as in {@link EchoBench}) it
 * starts the echo server as its own JVM, warms it up with a short echo load, and measures its memory;
 * then it opens N connections, each echoing one byte once (so the server has accepted it and armed
 * whatever it keeps per connection, a read buffer included), leaves them idle, and measures again.
 * Bytes per idle connection = (growth of the resident set + growth of the live heap) / N.
 *
 * <p>The server JVM runs with {@code -XX:+AlwaysPreTouch} on its fixed 512 MiB heap, so the heap is
 * resident from the start and the resident set grows only by memory outside the heap (direct and
 * native buffers, thread stacks, metaspace); the heap's share is its live size after a full GC
 * ({@code jcmd PID GC.run}, then {@code GC.heap_info}), taken before and after. Kernel memory (socket
 * buffers, io_uring requests) is not counted: it is not the process's. Connections are opened 100 at
 * a time, each batch echoed before the next, so that the listen backlog never overflows.
 *
 * <pre>
 * java -cp benchmarks.jar dev.proactor.bench.echo.IdleBench --out FILE [--connections 10000]
 *     [--impls a,b,...] [--rounds N] [--first-round R] [--proactor-jar proactor-cli/target/proactor.jar]
 * </pre>
 */
public final class IdleBench {

    private static final int BATCH = 100;
    /**
     * How long one echo may take before the contender counts as not serving that many connections
     * (and the run moves on to the next): longer than any admission wait it could still recover from.
     */
    private static final int ECHO_TIMEOUT_MS = 45_000;
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private IdleBench() {}

    public static void main(String[] args) throws Exception {
        Path out = null, proactorJar = null;
        int rounds = 1, firstRound = 1, connections = 10_000;
        List<String> impls = EchoBench.ALL;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--out" -> { out = Path.of(v); i++; }
                case "--rounds" -> { rounds = Integer.parseInt(v); i++; }
                case "--first-round" -> { firstRound = Integer.parseInt(v); i++; }
                case "--connections" -> { connections = Integer.parseInt(v); i++; }
                case "--impls" -> { impls = List.of(v.split(",")); i++; }
                case "--proactor-jar" -> { proactorJar = Path.of(v); i++; }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out FILE is required");
        }
        EchoServerProcess.requireJarFor(impls, proactorJar);
        if (connections < BATCH || connections % BATCH != 0) {
            throw new IllegalArgumentException("--connections must be a positive multiple of " + BATCH + ": " + connections);
        }
        System.out.printf(Locale.ROOT, "idle: %d round(s) x %d servers, %,d idle connections each%n",
                rounds, impls.size(), connections);
        for (int round = firstRound; round < firstRound + rounds; round++) {
            for (int k = 0; k < impls.size(); k++) {
                String impl = impls.get((k + round - 1) % impls.size());
                try (EchoServerProcess server = EchoServerProcess.start(impl, List.of(), proactorJar,
                        List.of("-XX:+AlwaysPreTouch"))) {
                    String result = measure(server, impl, round, connections);
                    Files.writeString(out, result + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    System.out.printf("  %s: FAILED: %s%n", impl, e);
                }
            }
        }
    }

    private static String measure(EchoServerProcess server, String impl, int round, int n) throws Exception {
        InetSocketAddress addr = server.address();
        try (EchoLoad load = new EchoLoad(addr, 32, 64)) {  // JIT, pools and arenas set up before the baseline
            load.start();
            load.runUntil(System.nanoTime() + 1_000_000_000L);
        }
        long pid = server.pid();
        long heap0 = liveHeapKb(pid), rss0 = rssKb(pid);
        List<SocketChannel> idle = new ArrayList<>(n);
        try {
            ByteBuffer one = ByteBuffer.allocate(1);
            for (int done = 0; done < n; done += BATCH) {
                List<SocketChannel> batch = new ArrayList<>(BATCH);
                for (int i = 0; i < BATCH; i++) {
                    SocketChannel ch = SocketChannel.open(addr);
                    idle.add(ch);
                    batch.add(ch);
                    ch.socket().setSoTimeout(ECHO_TIMEOUT_MS);
                    ch.write(one.clear().put(0, (byte) i));
                }
                for (SocketChannel ch : batch) {
                    // Through the socket's stream, which honours SO_TIMEOUT (a channel read would not).
                    int b;
                    try {
                        b = ch.socket().getInputStream().read();
                    } catch (SocketTimeoutException e) {
                        throw new IOException(impl + " did not echo within " + ECHO_TIMEOUT_MS + " ms with "
                                + idle.size() + " connections open: it does not serve that many", e);
                    }
                    if (b < 0) {
                        throw new IOException(impl + " closed an idle connection");
                    }
                }
            }
            long heap1 = liveHeapKb(pid), rss1 = rssKb(pid);
            double perConn = ((rss1 - rss0) + (heap1 - heap0)) * 1024.0 / n;
            System.out.printf(Locale.ROOT, "  round %d %-28s %,7d idle: %,9.0f B/connection (resident %+,d KiB, live heap %+,d KiB)%n",
                    round, impl, n, perConn, rss1 - rss0, heap1 - heap0);
            return String.format(Locale.ROOT,
                    "{\"round\":%d,\"impl\":\"%s\",\"connections\":%d,\"rssBeforeKb\":%d,\"rssAfterKb\":%d,"
                            + "\"heapBeforeKb\":%d,\"heapAfterKb\":%d,\"bytesPerConnection\":%.1f,\"loadavg\":\"%s\"}",
                    round, impl, n, rss0, rss1, heap0, heap1, perConn,
                    Files.readString(Path.of("/proc/loadavg")).trim());
        } finally {
            for (SocketChannel ch : idle) {
                ch.close();
            }
        }
    }

    /** VmRSS of {@code pid}, in KiB. */
    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    /** The heap in use right after a full GC of {@code pid}, in KiB. */
    private static long liveHeapKb(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        Matcher m = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
        if (!m.find()) {
            throw new IOException("jcmd GC.heap_info of " + pid + " shows no heap use");
        }
        return Long.parseLong(m.group(1));
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        String jcmd = Path.of(EchoServerProcess.java()).resolveSibling("jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed: " + text);
        }
        return text;
    }
}
