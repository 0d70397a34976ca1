package dev.proactor.bench.echo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

import static dev.proactor.bench.ProcessCpu.CLK_TCK;
import static dev.proactor.bench.ProcessCpu.cpuTicks;
import static dev.proactor.bench.ProcessCpu.taskset;

/**
 * The echo harness. For each round, pin mode and contender (rotated each round, so that every
 * contender takes every position: A B C, B C A, ...) it starts the server as its own JVM
 * ({@link EchoServerProcess}: {@code proactor-echo} is the shipped {@code proactor echo} command,
 * {@code proactor-echo-inline}, chosen with {@code --impls} only, the same with {@code --inline-handlers},
 * the others servers of this jar; {@code taskset -c SERVER_CPU} when pinned), warms it up, and then for every message size
 * and connection count runs the load generator of this JVM ({@link EchoLoad}) for a warm-up and a
 * measured window. Over the measured window it reads the server's user + system time from
 * {@code /proc/PID/stat} and this JVM's own, and appends one JSON line per cell to the output file.
 *
 * <p>Pinned: this process's threads are moved to LOAD_CPU with {@code taskset -a -p} (threads it
 * starts later inherit it) and the server is started under {@code taskset -c SERVER_CPU}. Unpinned:
 * both may run on every CPU.
 *
 * <p>{@code --dispatcher-spin-us US} gives the Proactor servers of this jar ({@code proactor-uring-*},
 * {@code proactor-portable-*}) that {@link dev.proactor.ProactorConfig#dispatcherSpin()} through
 * {@link EchoServer#SPIN_PROPERTY}, for a sweep; the peers ignore it and the JSON line records it
 * ({@code "spinUs"}, null where it did not apply). The shipped command and {@code nio2-proactor}
 * cannot take it (neither has a way in short of a library-wide property), so naming them with it is
 * an error rather than a figure labelled with a spin it did not run.
 *
 * <pre>
 * java -cp benchmarks.jar dev.proactor.bench.echo.EchoBench --out FILE [--rounds N] [--warmup-ms MS]
 *     [--measure-ms MS] [--server-warmup-ms MS] [--sizes 64,16384] [--connections 1,32,256]
 *     [--impls a,b,...] [--pin both|yes|no] [--server-cpu 0] [--load-cpu 1] [--first-round R]
 *     [--server-wrapper "strace -f -c -o FILE"] [--proactor-jar proactor-cli/target/proactor.jar]
 *     [--dispatcher-spin-us US]
 * </pre>
 */
public final class EchoBench {

    static final List<String> ALL = List.of(EchoServerProcess.COMMAND, "proactor-uring-worker", "proactor-uring-inline",
            "proactor-uring-stream-worker", "proactor-uring-stream-inline",
            "proactor-portable-worker", "proactor-portable-inline", "netty-uring", "netty-epoll", "nio2",
            dev.proactor.bench.Nio2Contenders.PROACTOR, "vthreads");

    private EchoBench() {}

    public static void main(String[] args) throws Exception {
        Path out = null;
        int rounds = 1, firstRound = 1;
        long warmupMs = 1000, measureMs = 3000, serverWarmupMs = 2000;
        int[] sizes = {64, 16384};
        int[] connections = {1, 32, 256};
        List<String> impls = ALL;
        String pin = "both";
        String serverCpu = "0", loadCpu = "1";
        List<String> wrapper = List.of();
        Path proactorJar = null;
        Long spinUs = null;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--out" -> { out = Path.of(v); i++; }
                case "--rounds" -> { rounds = Integer.parseInt(v); i++; }
                case "--first-round" -> { firstRound = Integer.parseInt(v); i++; }
                case "--warmup-ms" -> { warmupMs = Long.parseLong(v); i++; }
                case "--measure-ms" -> { measureMs = Long.parseLong(v); i++; }
                case "--server-warmup-ms" -> { serverWarmupMs = Long.parseLong(v); i++; }
                case "--sizes" -> { sizes = ints(v); i++; }
                case "--connections" -> { connections = ints(v); i++; }
                case "--impls" -> { impls = List.of(v.split(",")); i++; }
                case "--pin" -> { pin = v; i++; }
                case "--server-cpu" -> { serverCpu = v; i++; }
                case "--load-cpu" -> { loadCpu = v; i++; }
                case "--server-wrapper" -> { wrapper = List.of(v.trim().split("\\s+")); i++; }
                case "--proactor-jar" -> { proactorJar = Path.of(v); i++; }
                case "--dispatcher-spin-us" -> { spinUs = Long.parseLong(v); i++; }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out FILE is required");
        }
        List<Boolean> modes = switch (pin) {
            case "both" -> List.of(true, false);
            case "yes" -> List.of(true);
            case "no" -> List.of(false);
            default -> throw new IllegalArgumentException("--pin takes both, yes or no");
        };
        EchoServerProcess.requireJarFor(impls, proactorJar);
        if (spinUs != null) {
            if (spinUs < 0) {
                throw new IllegalArgumentException("--dispatcher-spin-us takes a non-negative number: " + spinUs);
            }
            for (String impl : impls) {
                if (EchoServerProcess.isCommand(impl) || impl.equals(dev.proactor.bench.Nio2Contenders.PROACTOR)) {
                    throw new IllegalArgumentException(impl + " cannot take --dispatcher-spin-us (only this jar's proactor-* servers read it)");
                }
            }
        }
        List<String> jvmOptions = spinUs == null ? List.of() : List.of("-D" + EchoServer.SPIN_PROPERTY + "=" + spinUs);
        String allCpus = "0-" + (Runtime.getRuntime().availableProcessors() - 1);
        long self = ProcessHandle.current().pid();
        int cells = sizes.length * connections.length;
        long perServer = serverWarmupMs + cells * (warmupMs + measureMs) + 1500;
        System.out.printf(Locale.ROOT, "echo: %d round(s) x %d pin mode(s) x %d servers x %d cells: about %d s%n",
                rounds, modes.size(), impls.size(), cells, rounds * modes.size() * impls.size() * perServer / 1000);
        for (int round = firstRound; round < firstRound + rounds; round++) {
            for (boolean pinned : modes) {
                taskset("-a", "-p", "-c", pinned ? loadCpu : allCpus, Long.toString(self));
                for (int k = 0; k < impls.size(); k++) {
                    String impl = impls.get((k + round - 1) % impls.size());
                    List<String> prefix = new ArrayList<>();
                    if (pinned) {
                        prefix.addAll(List.of("taskset", "-c", serverCpu));
                    }
                    prefix.addAll(wrapper);  // e.g. "strace -f -c -o FILE": then the CPU figures are the wrapper's
                    try (EchoServerProcess server = EchoServerProcess.start(impl, prefix, proactorJar, jvmOptions)) {
                        InetSocketAddress addr = server.address();
                        // Server warm-up (JIT), not recorded: half small, half large messages.
                        for (int size : new int[] {64, 16384}) {
                            try (EchoLoad load = new EchoLoad(addr, 32, size)) {
                                load.start();
                                load.runUntil(System.nanoTime() + serverWarmupMs * 500_000L);
                            }
                        }
                        for (int size : sizes) {
                            for (int conns : connections) {
                                Long spin = impl.startsWith("proactor-") ? spinUs : null;
                                String result = cell(addr, server.pid(), self, impl, pinned, round, size, conns, warmupMs, measureMs, spin);
                                Files.writeString(out, result + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                            }
                        }
                    } catch (IOException e) {
                        System.out.printf("  %s: FAILED: %s%n", impl, e);
                    }
                }
            }
        }
        taskset("-a", "-p", "-c", allCpus, Long.toString(self));
    }

    private static String cell(InetSocketAddress addr, long serverPid, long self, String impl, boolean pinned,
            int round, int size, int conns, long warmupMs, long measureMs, Long spinUs) throws IOException {
        try (EchoLoad load = new EchoLoad(addr, conns, size)) {
            load.start();
            load.runUntil(System.nanoTime() + warmupMs * 1_000_000L);
            load.reset();
            long[] s0 = cpuTicks(serverPid), l0 = cpuTicks(self);
            long t0 = System.nanoTime();
            load.runUntil(t0 + measureMs * 1_000_000L);
            long t1 = System.nanoTime();
            long[] s1 = cpuTicks(serverPid), l1 = cpuTicks(self);
            Histogram h = load.histogram();
            long n = load.messages();
            double secs = (t1 - t0) / 1e9;
            double tick = 1e6 / CLK_TCK;  // µs per tick
            double serverCpuUs = ((s1[0] - s0[0]) + (s1[1] - s0[1])) * tick;
            double loadCpuUs = ((l1[0] - l0[0]) + (l1[1] - l0[1])) * tick;
            String loadavg = Files.readString(Path.of("/proc/loadavg")).trim();
            String json = String.format(Locale.ROOT,
                    "{\"round\":%d,\"pinned\":%b,\"impl\":\"%s\",\"size\":%d,\"connections\":%d,\"messages\":%d,"
                            + "\"seconds\":%.4f,\"msgPerSec\":%.1f,\"p50Us\":%.2f,\"p99Us\":%.2f,\"p999Us\":%.2f,"
                            + "\"maxUs\":%.2f,\"serverCpuUs\":%.0f,\"serverCpuUsPerMsg\":%.4f,\"loadCpuUsPerMsg\":%.4f,"
                            + "\"loadavg\":\"%s\",\"spinUs\":%s}",
                    round, pinned, impl, size, conns, n, secs, n / secs,
                    h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3,
                    serverCpuUs, n == 0 ? 0 : serverCpuUs / n, n == 0 ? 0 : loadCpuUs / n, loadavg, spinUs);
            System.out.printf(Locale.ROOT, "  round %d %-8s %-25s %5d B x %3d: %,10.0f msg/s  p99 %8.1f us  server %6.2f us/msg  (load %s)%n",
                    round, pinned ? "pinned" : "unpinned", impl, size, conns, n / secs,
                    h.getValueAtPercentile(99) / 1e3, n == 0 ? 0 : serverCpuUs / n, loadavg.substring(0, loadavg.indexOf(' ', 10)));
            return json;
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

}
