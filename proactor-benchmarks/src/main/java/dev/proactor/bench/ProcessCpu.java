package dev.proactor.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the socket harnesses need from the operating system about their server processes: CPU time
 * from {@code /proc/PID/stat}, CPU affinity with {@code taskset}, and the server side of the
 * "PORT n, then run until standard input closes" protocol that the harness uses to start and stop
 * a server JVM.
 */
public final class ProcessCpu {

    /** Clock ticks per second, the unit of utime and stime in {@code /proc/PID/stat}. */
    public static final long CLK_TCK = clockTicks();

    private ProcessCpu() {}

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor();
            return Long.parseLong(s);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 100;
        }
    }

    /** utime and stime of a process, in clock ticks, summed over its threads (fields 14 and 15). */
    public static long[] cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }

    /** Runs {@code taskset ARGS}; fails if it does. */
    public static void taskset(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("taskset"));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IOException("taskset failed: " + cmd);
        }
    }

    /**
     * The server side of the harness protocol: prints {@code PORT port}, then blocks until standard
     * input closes (the harness closes it to stop the server) and returns.
     */
    public static void announceAndAwaitStdinClose(int port) throws IOException {
        System.out.println("PORT " + port);
        System.out.flush();
        InputStream in = System.in;
        byte[] sink = new byte[64];
        while (in.read(sink) >= 0) {
            // nothing is ever sent: only the end of the stream counts
        }
    }
}
