package dev.proactor.bench.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.proactor.bench.ProcessCpu.CLK_TCK;
import static dev.proactor.bench.ProcessCpu.cpuTicks;
import static dev.proactor.bench.ProcessCpu.taskset;

/**
 * The HTTP harness: wrk against each contender, one server process at a time. For each round, pin
 * mode and contender (rotated each round, so that every contender takes every position: A B C, B C A,
 * ...) it starts the server as its own process ({@code taskset -c SERVER_CPU} when pinned), checks
 * every path it is measured on (status 200, Content-Length, the exact body, twice on one keep-alive
 * connection), warms the server up (below), and then per workload runs wrk for a
 * warm-up and a measured window ({@code taskset -c LOAD_CPU wrk -t1} when pinned, {@code wrk -t2}
 * when not; 64 connections, keep-alive, {@code --latency}). Over the measured window it reads the user + system time of the
 * server process and its descendants (nginx's master and worker) from {@code /proc/PID/stat}, and
 * appends one JSON line per cell. A contender whose check fails is not measured.
 *
 * <p>Every wrk run opens its 64 connections at once, after an idle gap, and closes them at its end,
 * so the measured window begins with 64 accepts and first requests, and wrk's coordinated-omission
 * correction (it adds the samples a slow response held back, {@code stats_correct}) turns a slow
 * first response on each connection into about a percent of the samples: the p99. A JIT runtime
 * that saw the connections open and close only once (the one warm-up window) still compiles and
 * deoptimises its connection, idle and wake-up paths there, on the server's only CPU when pinned
 * (measured: C1 and C2 took 11 of the 18 ms before the first response). So each server first gets
 * {@code --server-warmup-runs} (default 4) short wrk runs of 1 s, on its workloads in turn, which
 * open and close the connections that many times and run every workload's path before its first
 * cell (otherwise a JVM's first cell measures its compiler and its later ones do not), and then
 * more, up to {@code --server-warmup-max} (default 20), while the last one still cost the server's
 * JIT compiler threads more than {@value #JIT_QUIET_MS} ms of CPU (1% of the run): four runs left
 * C2 compiling in the measured window (220 ms of an 8 s pinned 13 B window, a loaded machine), on
 * the server's one CPU when pinned, which is the p99's business, not the server's steady state.
 * nginx and h2o have no compiler threads and stop at the minimum; every JVM peer gets the same
 * rule. Each cell's JSON line carries {@code serverJitMs}, the compilers' CPU over its measured
 * window, so a reader sees whether the JIT was still at work there.
 *
 * <p>Contenders: {@code proactor-serve} (the {@code proactor serve} command from proactor.jar on the
 * served directory; {@code /hello} is a 13-byte static file there), {@code proactor-fixed} and
 * {@code proactor-fixed-inline} ({@link ProactorHttpServer}, {@code /hello} only), {@code nginx}
 * (Debian's, generated config, one worker; its {@code /hello} is the same 13-byte static file as
 * {@code proactor serve}'s, so the 13 B cell compares like with like), {@code nginx-fixed} (the same
 * nginx with {@code location = /hello { return 200 }}: a fixed response, {@code /hello} only, the
 * peer of the {@code proactor-fixed} contenders), {@code h2o} (Debian's, generated config
 * configured as nginx is: one thread, keep-alive, no access log; its {@code /hello} is the 13-byte
 * static file too, and h2o has no fixed response without mruby), and the in-JVM peers of
 * {@link HttpBenchServer} (whose {@code /hello} is a fixed response).
 *
 * <pre>
 * java -cp benchmarks.jar dev.proactor.bench.http.HttpBench --out FILE --proactor-jar JAR [--rounds N]
 *     [--first-round R] [--warmup-s S] [--measure-s S] [--workloads hello,4k,1m] [--impls a,b,...]
 *     [--server-warmup-runs 4] [--server-warmup-max 20] [--pin both|yes|no] [--server-cpu 0] [--load-cpu 1] [--connections 64]
 *     [--nginx nginx] [--h2o h2o] [--wrk wrk] [--serve-variant NAME=[JAR][:JVM OPTIONS]]...
 * </pre>
 *
 * <p>{@code --serve-variant} adds a contender {@code NAME} (which must start with
 * {@code proactor-serve-}): {@code proactor serve} from {@code JAR} (default: {@code --proactor-jar})
 * with these JVM options, space-separated, in place of bin/proactor's ({@link #SERVE_JVM_OPTIONS}), and
 * after {@code " -- "} options of serve's own; so two builds, two collectors or two settings are
 * measured side by side in one run, e.g.
 * {@code "--serve-variant proactor-serve-before=/tmp/old.jar:-Xms512m -Xmx512m"},
 * {@code --serve-variant "proactor-serve-parallel=:-Xmx256m -XX:+UseParallelGC"} or
 * {@code --serve-variant "proactor-serve-d1=: -- --dispatchers 1"}. Name it in {@code --impls} too.
 *
 * <p>What each server is given, for a fair reading: {@code nginx} and {@code nginx-fixed}
 * {@code worker_processes 1}, {@code nginx-auto} {@code worker_processes auto}; h2o one thread;
 * {@code netty-*} one event loop, {@code netty-uring-auto} one per CPU the server may use (the pinned
 * CPU list, else this machine's); {@code proactor serve} its own default (one dispatcher) unless a
 * variant says otherwise. Each cell's JSON line states it ({@code given}: nginx's with
 * the workers counted in the cell, serve's from its banner).
 */
public final class HttpBench {

    static final List<String> ALL = List.of("proactor-serve", "proactor-fixed", "proactor-fixed-inline", "nginx",
            "nginx-auto", "nginx-fixed", "h2o", "netty-uring", "netty-uring-auto", "netty-epoll", "nio2",
            dev.proactor.bench.Nio2Contenders.PROACTOR, "vthreads");

    /**
     * The JVM options bin/proactor gives {@code proactor serve} (keep the two in step): the shipped
     * command is what is measured, not a heap of the harness's choosing.
     */
    static final List<String> SERVE_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-Xmn32m");

    /** A workload: the path wrk requests and the body every contender must answer it with. */
    record Workload(String name, String path, byte[] body) {}

    /**
     * A {@code --serve-variant}: the jar to run (null: {@code --proactor-jar}), its JVM options and
     * the options after {@code proactor serve DIR --port 0} (the part of the spec after {@code " -- "}).
     */
    record ServeVariant(Path jar, List<String> jvmOptions, List<String> serveOptions) {
        static final String PREFIX = "proactor-serve-";

        static ServeVariant parse(String spec) {
            int dashes = spec.indexOf(" -- ");
            String serve = dashes < 0 ? "" : spec.substring(dashes + 4).trim();
            String head = dashes < 0 ? spec : spec.substring(0, dashes);
            int colon = head.indexOf(':');
            String jar = colon < 0 ? head : head.substring(0, colon);
            String opts = colon < 0 ? "" : head.substring(colon + 1).trim();
            return new ServeVariant(jar.isEmpty() ? null : Path.of(jar),
                    opts.isEmpty() ? SERVE_JVM_OPTIONS : List.of(opts.split("\\s+")),
                    serve.isEmpty() ? List.of() : List.of(serve.split("\\s+")));
        }
    }

    /**
     * A started contender: its process, the port it listens on, what it is measured on, and what it
     * was given to serve with (processes, threads, dispatchers), as the report states it.
     */
    record Server(Process process, int port, List<Workload> workloads, String given) {}

    private HttpBench() {}

    public static void main(String[] args) throws Exception {
        Path out = null, proactorJar = null;
        int rounds = 1, firstRound = 1, connections = 64;
        int warmupS = 3, measureS = 8, serverWarmupRuns = 4, serverWarmupMax = 20;
        List<String> impls = ALL, workloadNames = List.of("hello", "4k", "1m");
        String pin = "both", serverCpu = "0", loadCpu = "1", nginx = "nginx", h2o = "h2o", wrk = "wrk";
        Map<String, ServeVariant> variants = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--out" -> { out = Path.of(v); i++; }
                case "--proactor-jar" -> { proactorJar = Path.of(v); i++; }
                case "--rounds" -> { rounds = Integer.parseInt(v); i++; }
                case "--first-round" -> { firstRound = Integer.parseInt(v); i++; }
                case "--warmup-s" -> { warmupS = Integer.parseInt(v); i++; }
                case "--measure-s" -> { measureS = Integer.parseInt(v); i++; }
                case "--server-warmup-runs" -> { serverWarmupRuns = Integer.parseInt(v); i++; }
                case "--server-warmup-max" -> { serverWarmupMax = Integer.parseInt(v); i++; }
                case "--workloads" -> { workloadNames = List.of(v.split(",")); i++; }
                case "--impls" -> { impls = List.of(v.split(",")); i++; }
                case "--pin" -> { pin = v; i++; }
                case "--server-cpu" -> { serverCpu = v; i++; }
                case "--load-cpu" -> { loadCpu = v; i++; }
                case "--connections" -> { connections = Integer.parseInt(v); i++; }
                case "--nginx" -> { nginx = v; i++; }
                case "--h2o" -> { h2o = v; i++; }
                case "--wrk" -> { wrk = v; i++; }
                case "--serve-variant" -> {
                    int eq = v.indexOf('=');
                    if (eq < 0 || !v.startsWith(ServeVariant.PREFIX)) {
                        throw new IllegalArgumentException("--serve-variant takes " + ServeVariant.PREFIX
                                + "NAME=[JAR][:JVM OPTIONS]: " + v);
                    }
                    variants.put(v.substring(0, eq), ServeVariant.parse(v.substring(eq + 1)));
                    i++;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out FILE is required");
        }
        for (String impl : impls) {
            if (!ALL.contains(impl) && !variants.containsKey(impl)) {
                throw new IllegalArgumentException("unknown contender " + impl + "; known: " + String.join(",", ALL));
            }
        }
        boolean needsJar = impls.contains("proactor-serve")
                || variants.values().stream().anyMatch(sv -> sv.jar() == null);
        if (needsJar && (proactorJar == null || !Files.isRegularFile(proactorJar))) {
            throw new IllegalArgumentException("proactor-serve needs --proactor-jar pointing at proactor.jar: " + proactorJar);
        }
        if (serverWarmupRuns < 0) {
            throw new IllegalArgumentException("--server-warmup-runs takes a count >= 0");
        }
        if (serverWarmupMax < serverWarmupRuns) {
            throw new IllegalArgumentException("--server-warmup-max takes a count >= --server-warmup-runs");
        }
        if (warmupS < 1 || measureS < 1) {
            throw new IllegalArgumentException("--warmup-s and --measure-s take whole seconds >= 1 (wrk's -d)");
        }
        List<Boolean> modes = switch (pin) {
            case "both" -> List.of(true, false);
            case "yes" -> List.of(true);
            case "no" -> List.of(false);
            default -> throw new IllegalArgumentException("--pin takes both, yes or no");
        };

        Path tmp = Files.createTempDirectory("proactor-httpbench-");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));  // nginx's worker reads it
        Path www = Files.createDirectory(tmp.resolve("www"));
        Random random = new Random(42);
        List<Workload> all = new ArrayList<>();
        for (String w : workloadNames) {
            Workload wl = switch (w) {
                case "hello" -> new Workload("hello", "/hello", HttpBenchServer.HELLO);
                case "4k" -> new Workload("4k", "/4k.bin", bytes(random, 4096));
                case "1m" -> new Workload("1m", "/1m.bin", bytes(random, 1 << 20));
                default -> throw new IllegalArgumentException("--workloads takes hello, 4k, 1m");
            };
            all.add(wl);
        }
        // Every file exists whatever the workloads, so that every server starts on the same tree.
        Files.write(www.resolve("hello"), HttpBenchServer.HELLO);
        for (Workload wl : all) {
            if (!wl.name().equals("hello")) {
                Files.write(www.resolve(wl.path().substring(1)), wl.body());
            }
        }
        Path script = tmp.resolve("report.lua");
        Files.writeString(script, """
                done = function(summary, latency, requests)
                  local e = summary.errors
                  io.write(string.format("BENCH %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.1f %.1f %.1f %.1f\\n",
                      summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
                      latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
                end
                """);

        String java = ProcessHandle.current().info().command().orElse("java");
        String allCpus = "0-" + (Runtime.getRuntime().availableProcessors() - 1);
        long self = ProcessHandle.current().pid();
        long cells = 0;
        for (String impl : impls) {
            cells += fixedOnly(impl) ? (all.stream().anyMatch(w -> w.name().equals("hello")) ? 1 : 0) : all.size();
        }
        System.out.printf(Locale.ROOT, "http: %d round(s) x %d pin mode(s) x %d cells (%s; %s): about %d s%n",
                rounds, modes.size(), cells, String.join(",", impls), String.join(",", workloadNames),
                rounds * modes.size() * (cells * (warmupS + measureS + 1) + impls.size() * (3L + serverWarmupRuns)));
        try {
            for (int round = firstRound; round < firstRound + rounds; round++) {
                for (boolean pinned : modes) {
                    taskset("-a", "-p", "-c", pinned ? loadCpu : allCpus, Long.toString(self));
                    for (int k = 0; k < impls.size(); k++) {
                        String impl = impls.get((k + round - 1) % impls.size());
                        List<Workload> mine = fixedOnly(impl)
                                ? all.stream().filter(w -> w.name().equals("hello")).toList() : all;
                        if (mine.isEmpty()) {
                            continue;
                        }
                        List<String> prefix = pinned ? List.of("taskset", "-c", serverCpu) : List.of();
                        Server server = null;
                        try {
                            server = start(impl, prefix, java, proactorJar, variants.get(impl), nginx, h2o, tmp, www,
                                    mine, pinned ? cpuCount(serverCpu) : Runtime.getRuntime().availableProcessors());
                            for (Workload wl : mine) {
                                check(server.port(), wl);
                            }
                            List<String> loadPrefix = pinned ? List.of("taskset", "-c", loadCpu) : List.of();
                            int threads = pinned ? 1 : 2;
                            warmUp(wrk, script, server, impl, mine, connections, loadPrefix, threads, serverWarmupRuns,
                                    serverWarmupMax);
                            for (Workload wl : mine) {
                                String json = cell(wrk, script, server, self, impl, pinned, round, wl, connections,
                                        loadPrefix, threads, warmupS, measureS);
                                Files.writeString(out, json + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                            }
                        } catch (IOException e) {
                            System.out.printf("  round %d %-8s %-22s FAILED: %s%n", round, pinned ? "pinned" : "unpinned",
                                    impl, e.getMessage());
                        } finally {
                            if (server != null) {
                                stop(impl, server.process());
                            }
                        }
                    }
                }
            }
        } finally {
            taskset("-a", "-p", "-c", allCpus, Long.toString(self));
            deleteTree(tmp);
        }
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static final Pattern SERVE_BANNER = Pattern.compile("serving .* at http://[^ ]*:(\\d+)/");
    private static final Pattern SERVE_GIVEN = Pattern.compile("backend (\\S+) .*\\), (.*), at most");

    /** CPUs in a taskset list such as {@code 0}, {@code 0,2} or {@code 0-3}. */
    static int cpuCount(String list) {
        int n = 0;
        for (String part : list.split(",")) {
            int dash = part.indexOf('-');
            n += dash < 0 ? 1 : Integer.parseInt(part.substring(dash + 1).trim()) - Integer.parseInt(part.substring(0, dash).trim()) + 1;
        }
        return n;
    }

    private static Server start(String impl, List<String> prefix, String java, Path proactorJar, ServeVariant variant,
            String nginx, String h2o, Path tmp, Path www, List<Workload> workloads, int serverCpus) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        int nginxPort = 0;
        String given;
        switch (variant != null ? "proactor-serve-variant" : impl) {
            case "proactor-serve-variant" -> {
                cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED"));
                cmd.addAll(variant.jvmOptions());
                cmd.addAll(List.of("-jar", (variant.jar() == null ? proactorJar : variant.jar()).toString(), "serve",
                        www.toString(), "--port", "0"));
                cmd.addAll(variant.serveOptions());
                given = null;  // from its banner, below
            }
            case "proactor-serve" -> {
                // As bin/proactor runs it (its heap and collector options). Access log: off by default.
                cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED"));
                cmd.addAll(SERVE_JVM_OPTIONS);
                cmd.addAll(List.of("-jar", proactorJar.toString(), "serve", www.toString(), "--port", "0"));
                given = null;
            }
            case "nginx", "nginx-auto", "nginx-fixed" -> {
                nginxPort = freePort();
                boolean auto = impl.equals("nginx-auto");
                given = auto ? "worker_processes auto" : "worker_processes 1";
                Path conf = nginxConf(tmp, www, nginxPort, impl.equals("nginx-fixed"), auto ? "auto" : "1");
                cmd.addAll(List.of(nginx, "-p", tmp.toString(), "-e", tmp.resolve("nginx-error.log").toString(),
                        "-c", conf.toString(), "-g", "daemon off;"));
            }
            case "h2o" -> {
                nginxPort = freePort();
                cmd.addAll(List.of(h2o, "-c", h2oConf(tmp, www, nginxPort).toString()));
                given = "num-threads 1";
            }
            default -> {
                cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xms512m", "-Xmx512m"));
                cmd.addAll(dev.proactor.bench.Nio2Contenders.jvmOptions(impl));
                String inJvm = impl;
                if (impl.startsWith("netty-")) {
                    // NettyServer's event loops: 1 (as one dispatcher), or one per CPU the server may use.
                    int loops = impl.endsWith("-auto") ? serverCpus : 1;
                    inJvm = impl.replace("-auto", "");
                    cmd.add("-Dproactor.bench.nettyThreads=" + loops);
                    given = loops + (loops == 1 ? " event loop" : " event loops");
                } else {
                    given = "";
                }
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HttpBenchServer.class.getName(),
                        inJvm, www.toString()));
            }
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            int port;
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            if (impl.startsWith("nginx") || impl.equals("h2o")) {
                port = nginxPort;
                awaitListening(p, impl, port);
            } else if (impl.startsWith("proactor-serve")) {
                port = -1;
                for (String line; port < 0 && (line = r.readLine()) != null; ) {
                    Matcher m = SERVE_BANNER.matcher(line);
                    if (m.find()) {
                        port = Integer.parseInt(m.group(1));
                    }
                }
                if (port < 0) {
                    throw new IOException("proactor serve did not print its address (exit " + exitOf(p) + ")");
                }
                // "proactor serve: backend B (why), [N dispatchers with ]handlers ..., at most M connections; ..."
                String line = r.readLine();
                Matcher m = line == null ? null : SERVE_GIVEN.matcher(line);
                given = m != null && m.find() ? m.group(1) + ": " + m.group(2) : "unknown: " + line;
            } else {
                String line = r.readLine();
                if (line == null || !line.startsWith("PORT ")) {
                    throw new IOException(impl + ": server did not start: " + line);
                }
                port = Integer.parseInt(line.substring(5).trim());
            }
            Thread.ofVirtual().start(() -> drain(r));  // later output must not fill the pipe and block the server
            return new Server(p, port, workloads, given);
        } catch (IOException | RuntimeException e) {
            stop(impl, p);
            throw e;
        }
    }

    private static String exitOf(Process p) {
        try {
            return p.waitFor(2, TimeUnit.SECONDS) ? Integer.toString(p.exitValue()) : "none, still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static void drain(BufferedReader r) {
        try {
            while (r.readLine() != null) {
                // discarded: the banner's later lines, the shutdown summary
            }
        } catch (IOException ignored) {
            // the server went away
        }
    }

    /** Waits until something accepts on the port (nginx and h2o print nothing when they are ready). */
    private static void awaitListening(Process p, String impl, int port) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException(impl + " is not listening on " + port + " (exit " + exitOf(p)
                            + "; see its error log above)", e);
                }
                try {
                    p.waitFor(50, TimeUnit.MILLISECONDS);  // polls: no ready signal in the foreground
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", ie);
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Contenders that answer {@code /hello} with a fixed response and run only that workload. */
    static boolean fixedOnly(String impl) {
        return impl.startsWith("proactor-fixed") || impl.equals("nginx-fixed");
    }

    /**
     * nginx's configuration; {@code workers} is {@code worker_processes}: {@code 1}, or {@code auto}.
     * {@code keepalive_requests} is nginx's own default, 1000, as {@code proactor serve}'s
     * {@code --max-requests-per-connection} is: both then close and reopen each of wrk's connections
     * as often (it was 10^9, which spared nginx the reconnects serve paid).
     */
    static Path nginxConf(Path tmp, Path www, int port, boolean fixedHello, String workers) throws IOException {
        Path conf = tmp.resolve("nginx.conf");
        String t = tmp.toString();
        Files.writeString(conf, """
                worker_processes %5$s;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log warn;
                events { worker_connections 4096; }
                http {
                    access_log off;
                    sendfile on;
                    tcp_nopush on;
                    tcp_nodelay on;
                    keepalive_requests 1000;
                    keepalive_timeout 120s;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    default_type application/octet-stream;
                    server {
                        listen 127.0.0.1:%2$d backlog=1024;
                        root %3$s;
                %4$s    }
                }
                """.formatted(t, port, www, fixedHello ? """
                        location = /hello {
                            default_type text/plain;
                            return 200 "Hello, World!";
                        }
                """ : "", workers));
        return conf;
    }

    /**
     * h2o configured as {@link #nginxConf} configures nginx: one thread (nginx's one worker), the
     * same directory, keep-alive without a request cap, no access log, the listen backlog 1024.
     * Run as root, h2o drops to {@code nobody}, who can read the tree (the harness makes it 755) but
     * not write a pid file there, so there is none; the harness stops the process it started.
     */
    static Path h2oConf(Path tmp, Path www, int port) throws IOException {
        Path conf = tmp.resolve("h2o.conf");
        Files.writeString(conf, """
                num-threads: 1
                error-log: %1$s/h2o-error.log
                tcp-fastopen: 0
                http1-request-timeout: 120
                listen:
                  host: 127.0.0.1
                  port: %2$d
                hosts:
                  default:
                    paths:
                      /:
                        file.dir: %3$s
                """.formatted(tmp, port, www));
        return conf;
    }

    private static void stop(String impl, Process p) {
        try {
            if (impl.startsWith("nginx") || impl.equals("h2o") || impl.startsWith("proactor-serve")) {
                p.destroy();  // SIGTERM: nginx's and h2o's fast shutdown, proactor serve's graceful stop
            } else {
                p.getOutputStream().close();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
            }
        } catch (IOException | InterruptedException e) {
            p.destroyForcibly();
        }
    }

    /**
     * Sends {@code GET path} twice on one connection and checks each response: status 200, a
     * Content-Length equal to the body's, and the exact body bytes.
     */
    static void check(int port, Workload wl) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            OutputStream o = s.getOutputStream();
            byte[] req = ("GET " + wl.path() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 2; i++) {
                o.write(req);
                o.flush();
                String status = line(in);
                if (!status.startsWith("HTTP/1.1 200")) {
                    throw new IOException("GET " + wl.path() + " answered \"" + status + "\", not 200");
                }
                long length = -1;
                for (String h; !(h = line(in)).isEmpty(); ) {
                    int c = h.indexOf(':');
                    String name = c < 0 ? h : h.substring(0, c).trim().toLowerCase(Locale.ROOT);
                    if (name.equals("content-length")) {
                        length = Long.parseLong(h.substring(c + 1).trim());
                    } else if (name.equals("transfer-encoding") || (name.equals("connection")
                            && h.substring(c + 1).trim().equalsIgnoreCase("close"))) {
                        throw new IOException("GET " + wl.path() + ": unexpected " + h);
                    }
                }
                if (length != wl.body().length) {
                    throw new IOException("GET " + wl.path() + ": Content-Length " + length + ", expected " + wl.body().length);
                }
                byte[] body = in.readNBytes((int) length);
                if (!Arrays.equals(body, wl.body())) {
                    throw new IOException("GET " + wl.path() + ": the body differs from the expected "
                            + wl.body().length + " bytes (got " + body.length + ")");
                }
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed in a response head after \"" + sb + "\"");
            }
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }

    /**
     * At most this much of the server's compiler-thread CPU in a 1 s warm-up run (1% of it, one
     * clock tick at 100 Hz) counts as a JIT at rest.
     */
    static final long JIT_QUIET_MS = 10;

    /**
     * The server's warm-up: {@code min} wrk runs of 1 s on its workloads in turn, then more, up to
     * {@code max}, while the last one still cost more than {@link #JIT_QUIET_MS} of CPU on the
     * server's JIT compiler threads ({@link #compilerMillis}); a process with no JIT (nginx, h2o)
     * stops at {@code min}. Prints how many runs it took and what the compilers spent in the last.
     */
    private static void warmUp(String wrk, Path script, Server server, String impl, List<Workload> mine,
            int connections, List<String> loadPrefix, int threads, int min, int max)
            throws IOException, InterruptedException {
        long pid = server.process().pid();
        long before = compilerMillis(pid);
        long last = 0;
        int runs = 0;
        while (runs < min || runs < max && last > JIT_QUIET_MS) {
            runWrk(wrkCommand(wrk, script, server, mine.get(runs % mine.size()), connections, loadPrefix, threads, 1));
            runs++;
            long now = compilerMillis(pid);
            last = now - before;
            before = now;
        }
        System.out.printf(Locale.ROOT, "  warm-up %-22s: %d runs of 1 s, JIT compilers %d ms in the last%s%n", impl, runs,
                last, last > JIT_QUIET_MS ? " (still compiling at --server-warmup-max)" : "");
    }

    /**
     * CPU time (user + system, ms) of the JIT compiler threads ({@code C1 CompilerThre},
     * {@code C2 CompilerThre}) of process {@code pid}, from {@code /proc/PID/task/TID}; 0 for a
     * process that has none.
     */
    static long compilerMillis(long pid) throws IOException {
        long ticks = 0;
        try (var tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks) {
                try {
                    if (!Files.readString(t.resolve("comm")).contains("CompilerThre")) {
                        continue;
                    }
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                } catch (IOException e) {
                    // the thread ended meanwhile: a compiler thread the JVM retired
                }
            }
        }
        return ticks * 1000 / CLK_TCK;
    }

    private static final Pattern BENCH_LINE = Pattern.compile("^BENCH (.*)$", Pattern.MULTILINE);

    private static String cell(String wrk, Path script, Server server, long self, String impl, boolean pinned, int round,
            Workload wl, int connections, List<String> loadPrefix, int threads, int warmupS, int measureS)
            throws IOException, InterruptedException {
        runWrk(wrkCommand(wrk, script, server, wl, connections, loadPrefix, threads, warmupS));
        List<String> measured = wrkCommand(wrk, script, server, wl, connections, loadPrefix, threads, measureS);
        Map<Long, long[]> c0 = cpuTree(server.process().toHandle());
        long jit0 = compilerMillis(server.process().pid());
        long t0 = System.nanoTime();
        String output = runWrk(measured);
        long t1 = System.nanoTime();
        Map<Long, long[]> c1 = cpuTree(server.process().toHandle());
        long jitMs = compilerMillis(server.process().pid()) - jit0;
        if (!server.process().isAlive()) {
            throw new IOException(impl + " exited during " + wl.name());
        }
        long ticks = 0;
        for (Map.Entry<Long, long[]> e : c1.entrySet()) {
            long[] before = c0.get(e.getKey());
            if (before != null) {
                ticks += (e.getValue()[0] - before[0]) + (e.getValue()[1] - before[1]);
            }
        }
        Matcher m = BENCH_LINE.matcher(output);
        if (!m.find()) {
            throw new IOException("wrk printed no summary: " + output);
        }
        double[] f = Arrays.stream(m.group(1).trim().split("\\s+")).mapToDouble(Double::parseDouble).toArray();
        double secs = f[0] / 1e6;
        long requests = (long) f[1];
        double bytes = f[2];
        long errors = (long) (f[3] + f[4] + f[5] + f[6] + f[7]);
        double serverCpuUs = ticks * (1e6 / CLK_TCK);
        String loadavg = Files.readString(Path.of("/proc/loadavg")).trim();
        String json = String.format(Locale.ROOT,
                "{\"round\":%d,\"pinned\":%b,\"impl\":\"%s\",\"workload\":\"%s\",\"path\":\"%s\",\"bodyBytes\":%d,"
                        + "\"connections\":%d,\"wrkThreads\":%d,\"seconds\":%.3f,\"wallSeconds\":%.3f,\"requests\":%d,"
                        + "\"reqPerSec\":%.1f,\"mbPerSec\":%.2f,\"p50Us\":%.1f,\"p99Us\":%.1f,\"p999Us\":%.1f,\"maxUs\":%.1f,"
                        + "\"errors\":{\"connect\":%.0f,\"read\":%.0f,\"write\":%.0f,\"status\":%.0f,\"timeout\":%.0f},"
                        + "\"serverCpuUs\":%.0f,\"serverCpuUsPerReq\":%.3f,\"serverJitMs\":%d,\"serverPids\":%d,"
                        + "\"given\":\"%s\",\"loadavg\":\"%s\"}",
                round, pinned, impl, wl.name(), wl.path(), wl.body().length, connections, threads, secs,
                (t1 - t0) / 1e9, requests, requests / secs, bytes / secs / 1e6, f[8], f[9], f[10], f[11],
                f[3], f[4], f[5], f[6], f[7], serverCpuUs, requests == 0 ? 0 : serverCpuUs / requests, jitMs, c1.size(),
                given(impl, server, c1.size()).replace("\\", "\\\\").replace("\"", "\\\""), loadavg);
        System.out.printf(Locale.ROOT,
                "  round %d %-8s %-22s %-5s: %,9.0f req/s %8.1f MB/s  p50 %7.1f us  p99 %8.1f us  server %6.2f us/req"
                        + "  JIT %d ms%s  (load %s) [%s]%n",
                round, pinned ? "pinned" : "unpinned", impl, wl.name(), requests / secs, bytes / secs / 1e6, f[8], f[9],
                requests == 0 ? 0 : serverCpuUs / requests, jitMs, errors > 0 ? "  ERRORS " + errors : "",
                String.join(" ", Arrays.copyOf(loadavg.split(" "), 3)), given(impl, server, c1.size()));
        return json;
    }

    /** What the server was given, with nginx's process count as measured in the cell (master + workers). */
    private static String given(String impl, Server server, int pids) {
        if (impl.startsWith("nginx")) {
            return server.given() + " (" + (pids - 1) + (pids == 2 ? " worker)" : " workers)");
        }
        return server.given();
    }

    private static List<String> wrkCommand(String wrk, Path script, Server server, Workload wl, int connections,
            List<String> loadPrefix, int threads, int seconds) {
        List<String> cmd = new ArrayList<>(loadPrefix);
        cmd.addAll(List.of(wrk, "-t" + threads, "-c" + connections, "--latency", "-s", script.toString(),
                "-d" + seconds + "s", "http://127.0.0.1:" + server.port() + wl.path()));
        return cmd;
    }

    private static String runWrk(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("wrk failed (" + p.exitValue() + "): " + String.join(" ", cmd) + "\n" + output);
        }
        return output;
    }

    /** utime and stime, in clock ticks, of the process and each of its descendants, by pid. */
    static Map<Long, long[]> cpuTree(ProcessHandle root) {
        Map<Long, long[]> ticks = new HashMap<>();
        List<ProcessHandle> all = new ArrayList<>();
        all.add(root);
        root.descendants().forEach(all::add);
        for (ProcessHandle h : all) {
            try {
                ticks.put(h.pid(), cpuTicks(h.pid()));
            } catch (IOException e) {
                // exited in between: its time is not counted
            }
        }
        return ticks;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
