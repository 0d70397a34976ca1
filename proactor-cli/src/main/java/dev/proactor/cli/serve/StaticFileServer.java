package dev.proactor.cli.serve;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.CloseReport;
import dev.proactor.MetricsSnapshot;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.ProactorException;
import dev.proactor.cli.net.AcceptLoop;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A static-file HTTP/1.1 server on one proactor, built on the library's public API alone. The
 * accept loop and every connection ({@link Connection}) run in completion handlers; the thread
 * that calls {@link #start} returns once the listener is bound, and {@link #stop} is the only
 * blocking call, made by whoever stops the server.
 *
 * <p>Connection limit: at most {@code maxConnections} are served at once ({@link AcceptLoop}): at
 * the limit no accept is pending, so further clients wait in the kernel's listen backlog, and the
 * next accept starts when a connection closes.
 */
public final class StaticFileServer {
    /** How long the stop waits for connections it cut, for the access log and for the proactor's close. */
    private static final Duration CUT_GRACE = Duration.ofSeconds(2);

    private final ServeOptions options;
    private final Proactor proactor;
    private final AsyncServerSocket listener;
    private final PathResolver resolver;
    private final AccessLog accessLog;
    private final PrintWriter err;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AcceptLoop acceptor;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicBoolean stopOnce = new AtomicBoolean();
    private final Object idle = new Object();
    private volatile boolean draining;

    /** Why the server could not start; the message is for the user. */
    public static final class StartException extends Exception {
        private static final long serialVersionUID = 1L;

        StartException(String message) {
            super(message);
        }
    }

    /**
     * What a stop found.
     *
     * @param connections connections accepted in all
     * @param requests requests answered (every status, errors included)
     * @param cut connections still open at the shutdown deadline, closed mid-request
     * @param close the proactor's close report
     * @param metrics the proactor's counters after the close (its exactly-once ledger included)
     */
    public record Summary(long connections, long requests, int cut, CloseReport close, MetricsSnapshot metrics) {}

    private StaticFileServer(ServeOptions options, Proactor proactor, AsyncServerSocket listener,
            PathResolver resolver, AccessLog accessLog, PrintWriter err) {
        this.options = options;
        this.proactor = proactor;
        this.listener = listener;
        this.resolver = resolver;
        this.accessLog = accessLog;
        this.err = err;
        this.acceptor = new AcceptLoop(proactor, listener, options.maxConnections(), this::accepted, this::report);
    }

    /**
     * Opens a proactor, binds the listener and starts accepting.
     *
     * @param out where the access log goes when it is {@code "-"}
     * @param err where unexpected failures are reported
     */
    public static StaticFileServer start(ServeOptions options, PrintWriter out, PrintWriter err)
            throws StartException, InterruptedException {
        PathResolver resolver;
        try {
            resolver = new PathResolver(options.root());
        } catch (IOException e) {
            throw new StartException("cannot serve " + options.root() + ": " + e.getMessage());
        }
        ProactorConfig.Builder config = ProactorConfig.builder().name("serve").backend(options.backend())
                .bufferCount(0).maxInFlight((int) Math.min(1 << 24, Math.max(4096L, options.maxConnections() * 4L)));
        if (options.workers() > 0) {
            config.workerThreads(options.workers());
        }
        Proactor proactor;
        try {
            proactor = Proactor.open(config.build());
        } catch (UncheckedIOException e) {
            throw new StartException("cannot open backend: " + e.getCause().getMessage());
        }
        AsyncServerSocket listener = null;
        try {
            listener = proactor.listen(new InetSocketAddress(options.bind(), options.port())).await();
            AccessLog log = options.accessLog() == null ? AccessLog.off()
                    : options.accessLog().equals("-") ? AccessLog.to(out)
                    : AccessLog.toFile(proactor, Path.of(options.accessLog()));
            StaticFileServer server = new StaticFileServer(options, proactor, listener, resolver, log, err);
            server.acceptor.start();
            return server;
        } catch (ProactorException e) {
            proactor.close(CUT_GRACE);
            throw new StartException(listener == null
                    ? "cannot listen on " + options.bind() + ":" + options.port() + ": " + e.getMessage()
                    : "cannot open the access log " + options.accessLog() + ": " + e.getMessage());
        } catch (InterruptedException | RuntimeException e) {
            proactor.close(CUT_GRACE);
            throw e;
        }
    }

    /** The address listened on, with the real port. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** The proactor serving, for its backend name and capability report. */
    public Proactor proactor() {
        return proactor;
    }

    /** The served directory's real path. */
    public Path root() {
        return resolver.root();
    }

    /**
     * Stops gracefully: no more accepts; idle connections close now; responses in flight may finish
     * until {@code deadline}, each connection closing after its response; what is left then is cut.
     * Then the access log is flushed and the proactor closed. Later calls return null.
     */
    public Summary stop(Duration deadline) throws InterruptedException {
        if (!stopOnce.compareAndSet(false, true)) {
            return null;
        }
        long end = System.nanoTime() + deadline.toNanos();
        draining = true;
        acceptor.stop();
        for (Connection c : connections) {
            c.drain();
        }
        int cut = 0;
        if (!awaitNoConnections(end)) {
            cut = connections.size();
            for (Connection c : connections) {
                c.closeNow();
            }
            awaitNoConnections(System.nanoTime() + CUT_GRACE.toNanos());
        }
        try {
            accessLog.close().get(CUT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            report("the access log could not be flushed: " + e);
        }
        CloseReport close = proactor.close(CUT_GRACE);
        return new Summary(acceptor.accepted(), requests.get(), cut, close, proactor.metrics());
    }

    private boolean awaitNoConnections(long end) throws InterruptedException {
        synchronized (idle) {
            while (!connections.isEmpty()) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
            return true;
        }
    }

    /** Connections open now. */
    public int openConnections() {
        return connections.size();
    }

    ServeOptions options() {
        return options;
    }

    PathResolver resolver() {
        return resolver;
    }

    boolean draining() {
        return draining;
    }

    private void accepted(AsyncSocket socket) {
        Connection c = new Connection(this, socket);
        connections.add(c);
        if (draining) {
            c.closeNow(); // raced with stop(), which may have missed it
        } else {
            c.start();
        }
    }

    /** A connection's socket is closed. */
    void closed(Connection c) {
        connections.remove(c);
        synchronized (idle) {
            idle.notifyAll();
        }
        acceptor.released();
    }

    /** One exchange ended: counted and logged. */
    void served(String host, String requestLine, int status, long bodyBytes) {
        requests.incrementAndGet();
        accessLog.log(host, requestLine, status, bodyBytes);
    }

    void report(String line) {
        synchronized (err) {
            err.println("proactor serve: " + line);
            err.flush();
        }
    }
}
