package dev.proactor.cli;

import dev.proactor.BackendChoice;
import dev.proactor.CapabilityReport;
import dev.proactor.cli.serve.ServeOptions;
import dev.proactor.cli.serve.StaticFileServer;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Serves a directory over HTTP/1.1 with GET and HEAD: file reads and socket writes are both
 * asynchronous operations, and each completion starts the next step (see
 * {@link dev.proactor.cli.serve.StaticFileServer}). The command's own thread only waits for the
 * signal to stop.
 *
 * <p>SIGINT and SIGTERM stop it gracefully through a shutdown hook: no new connections, responses in
 * flight finish until {@code --shutdown-timeout}, the rest are cut, the proactor closes, and the
 * process exits 0 (the hook halts the JVM with 0 once the stop is done; otherwise the JVM would
 * exit with 128 + the signal). Interrupting the thread that runs the command stops it the same way
 * and returns 0, which is how an in-process test stops it.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {
            "Serve the files under DIR over HTTP/1.1 (GET and HEAD) until SIGINT or SIGTERM.",
            "Keep-alive and pipelining, Last-Modified/If-Modified-Since, ETag/If-None-Match, single byte"
                    + " ranges, index.html or a listing for directories. Nothing outside DIR is served:"
                    + " dot segments, encoded slashes, NUL and backslashes are refused, and symbolic links"
                    + " that lead out of DIR are not found. A request with a body (Content-Length above 0,"
                    + " or chunked) gets 413: only GET and HEAD are served. File bodies go from the file to"
                    + " the socket without passing through the Java heap."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGINT or SIGTERM after a graceful shutdown (or in-process by an interrupt)",
            "1:the backend could not be opened, the address bound or the access log opened",
            "2:bad usage, including a DIR that is not a directory"})
final class ServeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", arity = "0..1", defaultValue = ".",
            description = "Directory to serve (default: the current directory).")
    Path dir;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
            description = "TCP port; 0 for any free one, printed at start (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address to listen on; 0.0.0.0 or :: exposes the server to the network"
                    + " (default: ${DEFAULT-VALUE}, this machine only).")
    String bind;

    @Option(names = "--backend", defaultValue = "auto", converter = BackendConverter.class,
            description = "Backend: auto, io_uring or portable (default: ${DEFAULT-VALUE}).")
    BackendChoice backend;

    @Option(names = "--workers", paramLabel = "N",
            description = "Run the handlers (parse, cache lookup, starting each send) on N worker threads per"
                    + " dispatcher instead of on the dispatcher thread itself (default: none; the dispatcher runs"
                    + " them, and what may block, a listing or the real path of an absolute link, goes to serve's"
                    + " own threads).")
    Integer workers;

    @Option(names = "--dispatchers", defaultValue = "1", paramLabel = "N",
            description = "Proactors serving, each with its own dispatcher thread, ring, workers and"
                    + " listener on the port (SO_REUSEPORT spreads connections); more than one pays only where"
                    + " CPUs are free beyond the server's load, up to one per CPU (default: ${DEFAULT-VALUE}).")
    int dispatchers;

    @Option(names = "--max-connections", defaultValue = "1024", paramLabel = "N",
            description = "Connections served at once. At the limit a newcomer takes the slot of the"
                    + " longest-idle keep-alive connection, else of the oldest that has sent nothing; when"
                    + " every one is mid-request, newcomers wait in the listen backlog (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-requests-per-connection", defaultValue = "1000", paramLabel = "N",
            description = "Requests answered on one connection; the last answer says Connection: close"
                    + " (default: ${DEFAULT-VALUE}).")
    int maxRequestsPerConnection;

    @Option(names = "--max-request-line", defaultValue = "8k", converter = SizeConverter.class, paramLabel = "SIZE",
            description = "Longest request line; longer gets 414 (default: ${DEFAULT-VALUE}).")
    int maxRequestLine;

    @Option(names = "--max-header-size", defaultValue = "16k", converter = SizeConverter.class, paramLabel = "SIZE",
            description = "Largest request head, request line included; larger gets 431 (default: ${DEFAULT-VALUE}).")
    int maxHeaderSize;

    @Option(names = "--idle-timeout", defaultValue = "60s", converter = DurationConverter.class, paramLabel = "TIME",
            description = "Close a keep-alive connection idle this long between requests, or whose send"
                    + " makes no progress this long (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--header-timeout", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "TIME",
            description = "Time a request head may take once it started, and the first one from the"
                    + " connection's accept (a client that sends nothing is cut too); then 408 and close"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration headerTimeout;

    @Option(names = "--shutdown-timeout", defaultValue = "5s", converter = DurationConverter.class, paramLabel = "TIME",
            description = "On SIGINT/SIGTERM, time responses in flight get to finish (default: ${DEFAULT-VALUE}).")
    Duration shutdownTimeout;

    @Option(names = "--access-log", paramLabel = "FILE",
            description = "Write an access log in the Common Log Format to FILE, or to standard output for -"
                    + " (default: none).")
    String accessLog;

    @Option(names = "--file-cache", defaultValue = "1024", paramLabel = "N",
            description = "Files kept open, or in memory up to 16 KiB each, for the next request to them;"
                    + " 0 opens every file per request (default: ${DEFAULT-VALUE}).")
    int fileCache;

    @Option(names = "--file-cache-descriptors", defaultValue = "256", paramLabel = "N",
            description = "Of those, how many larger files may hold an open descriptor (default: ${DEFAULT-VALUE}).")
    int fileCacheDescriptors;

    @Option(names = "--file-cache-validity", defaultValue = "1s", converter = DurationConverter.class,
            paramLabel = "TIME", description = "How long a cached file is served before its path is checked"
                    + " again: the longest a changed or deleted file is still served as it was"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration fileCacheValidity;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!Files.isDirectory(dir)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "DIR is not a directory: " + dir);
        }
        if (workers != null && (workers < 1 || workers > 4096)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--workers must be in [1, 4096]: " + workers);
        }
        ServeOptions options;
        try {
            options = ServeOptions.builder(dir).bind(bind).port(port).backend(backend)
                    .workers(workers == null ? 0 : workers).dispatchers(dispatchers).maxConnections(maxConnections)
                    .maxRequestsPerConnection(maxRequestsPerConnection)
                    .maxRequestLine(maxRequestLine).maxHeaderSize(maxHeaderSize).idleTimeout(idleTimeout)
                    .headerTimeout(headerTimeout).shutdownTimeout(shutdownTimeout).accessLog(accessLog)
                    .fileCacheEntries(fileCache).fileCacheDescriptors(fileCacheDescriptors)
                    .fileCacheValidity(fileCacheValidity).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        StaticFileServer server;
        try {
            server = StaticFileServer.start(options, out, err);
        } catch (StaticFileServer.StartException e) {
            err.println("proactor serve: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            return 0;
        }

        // After a signal the hook exits with 0 once the stop below is done and reported.
        SignalStop signal = new SignalStop("proactor-serve-shutdown", shutdownTimeout.plusSeconds(5), true);
        CapabilityReport caps = server.proactor().capabilities();
        out.println("proactor serve: serving " + server.root() + " at " + url(server.address()));
        out.println("proactor serve: backend " + caps.backend() + " (" + caps.reason() + "), "
                + (server.dispatchers() > 1 ? server.dispatchers() + " dispatchers with " : "")
                + (server.proactor().config().inlineHandlers() ? "handlers on the dispatcher"
                        : server.proactor().config().workerThreads() + " workers" + (server.dispatchers() > 1 ? " each" : ""))
                + ", at most " + maxConnections
                + " connections; Ctrl-C stops");
        out.flush();
        signal.await();
        try (signal) {
            out.println("proactor serve: stopping: no new connections; responses in flight get "
                    + shutdownTimeout.toMillis() + " ms");
            out.flush();
            StaticFileServer.Summary s;
            try {
                s = server.stop(shutdownTimeout);
            } catch (InterruptedException e) {
                s = null;
            }
            if (s != null) {
                out.println("proactor serve: stopped after " + s.connections()
                        + (s.connections() == 1 ? " connection, " : " connections, ") + s.requests()
                        + (s.requests() == 1 ? " request" : " requests")
                        + (s.reclaimed() > 0 ? " (" + s.reclaimed() + " idle or silent connections reclaimed"
                                + " at the limit)" : "")
                        + (s.cut() > 0 ? " (" + s.cut() + " cut at the deadline)" : "")
                        + (s.clean() ? "" : " (" + s.abandoned() + " operations abandoned)"));
            }
            out.flush();
            err.flush();
        }
        return 0;
    }

    static String url(InetSocketAddress a) {
        String host = a.getAddress() instanceof Inet6Address ? "[" + a.getAddress().getHostAddress() + "]"
                : a.getAddress().getHostAddress();
        return "http://" + host + ":" + a.getPort() + "/";
    }
}
