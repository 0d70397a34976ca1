package dev.proactor.cli.serve;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.CloseReport;
import dev.proactor.MetricsSnapshot;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.ProactorException;
import dev.proactor.ProactorGroup;
import dev.proactor.SocketOptions;
import dev.proactor.cli.net.AcceptLoop;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A static-file HTTP/1.1 server on one proactor, or on a {@link ProactorGroup} whose members each
 * listen on the same port, built on the library's public API alone. The accept loops and every
 * connection ({@link Connection}) run in completion handlers, by default inline on each
 * proactor's dispatcher thread ({@link ServeOptions#workers()} 0), like one event loop per
 * dispatcher with no hand-off per request; the few steps that may block run on the server's
 * {@link BlockingWork} threads. The thread that calls {@link #start} returns once the listener is
 * bound, and {@link #stop} is the only blocking call, made by whoever stops the server.
 *
 * <p>Connection limit: at most {@code maxConnections} are served at once ({@link AcceptLoop}),
 * split evenly across the listeners. At a listener's limit an accept stays pending while one of its
 * connections only waits for a request ({@link Slots}); a newcomer is then accepted as the one
 * extra and reclaims a slot: the longest-idle keep-alive connection is closed, else the oldest
 * connection that has sent nothing. When every connection is mid-request or mid-response, the
 * newcomer is parked (accepted, not read) and the next newcomers wait in the kernel's listen
 * backlog, until a connection ends or starts waiting (then it is reclaimed at once). Each busy
 * connection is bounded by the header timeout or by the send-progress timeout, so that wait is
 * bounded too; refusing with 503 instead would need a descriptor and a write for every refused
 * client, which is what the limit exists to bound, and would turn a short wait into an error.
 */
public final class StaticFileServer {
    /** How long the stop waits for connections it cut, for the access log and for the proactor's close. */
    private static final Duration CUT_GRACE = Duration.ofSeconds(2);

    private final ServeOptions options;
    private final List<Proactor> members;
    private final ProactorGroup group; // null with one dispatcher
    private final List<AsyncServerSocket> listeners;
    private final List<AcceptLoop> acceptors = new ArrayList<>();
    private final PathResolver resolver;
    private final BlockingWork blocking;
    private final AccessLog accessLog;
    private final PrintWriter err;
    private final List<Slots> slots = new ArrayList<>(); // one per listener, beside its accept loop
    private final InputBuffers buffers;
    private final List<FileCache> caches = new ArrayList<>(); // one per proactor: a file is sent on the one it was opened on
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong reclaimed = new AtomicLong();
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
     * @param acceptedPerDispatcher connections each dispatcher's listener accepted, in member order
     *     (one entry per dispatcher; the kernel's SO_REUSEPORT hash chose the listener)
     * @param requests requests answered (every status, errors included)
     * @param cut connections still open at the shutdown deadline, closed mid-request
     * @param reclaimed waiting connections closed at the limit to give their slot to a newcomer
     * @param closes each proactor's close report
     * @param metrics each proactor's counters after the close (its exactly-once ledger included)
     */
    public record Summary(long connections, List<Long> acceptedPerDispatcher, long requests, int cut, long reclaimed,
            List<CloseReport> closes, List<MetricsSnapshot> metrics) {
        /** Copies the lists. */
        public Summary {
            acceptedPerDispatcher = List.copyOf(acceptedPerDispatcher);
            closes = List.copyOf(closes);
            metrics = List.copyOf(metrics);
        }

        /** Whether every proactor closed cleanly: nothing abandoned, no native memory kept. */
        public boolean clean() {
            return closes.stream().allMatch(CloseReport::clean);
        }

        /** Operations the closes had to abandon, over all proactors. */
        public int abandoned() {
            return closes.stream().mapToInt(c -> c.abandoned().size()).sum();
        }
    }

    private StaticFileServer(ServeOptions options, List<Proactor> members, ProactorGroup group,
            List<AsyncServerSocket> listeners, PathResolver resolver, BlockingWork blocking, AccessLog accessLog,
            PrintWriter err) {
        this.options = options;
        this.blocking = blocking;
        this.members = members;
        this.group = group;
        this.listeners = listeners;
        this.resolver = resolver;
        this.accessLog = accessLog;
        this.err = err;
        this.buffers = new InputBuffers(options.maxHeaderSize());
        // The limit is split evenly: each listener's loop accepts independently, so no loop can hold
        // a slot that a client waiting at another listener needs.
        int perMember = (options.maxConnections() + members.size() - 1) / members.size();
        int entries = (options.fileCacheEntries() + members.size() - 1) / members.size();
        int descriptors = (options.fileCacheDescriptors() + members.size() - 1) / members.size();
        for (int i = 0; i < members.size(); i++) {
            Proactor p = members.get(i);
            int member = i;
            caches.add(new FileCache(entries, descriptors, options.fileCacheValidity().toNanos()));
            Slots s = new Slots();
            slots.add(s);
            acceptors.add(new AcceptLoop(p, listeners.get(i), perMember, socket -> accepted(member, p, socket),
                    this::report, s::any));
        }
    }

    /**
     * Opens the proactors ({@link ProactorGroup} when more than one dispatcher is asked for), binds
     * a listener on each and starts accepting.
     *
     * @param out where the access log goes when it is {@code "-"}
     * @param err where unexpected failures are reported
     */
    public static StaticFileServer start(ServeOptions options, PrintWriter out, PrintWriter err)
            throws StartException, InterruptedException {
        BlockingWork blocking = new BlockingWork();
        PathResolver resolver;
        try {
            resolver = new PathResolver(options.root(), blocking);
        } catch (IOException e) {
            throw new StartException("cannot serve " + options.root() + ": " + e.getMessage());
        }
        int perMember = Math.max(1, options.maxConnections() / options.dispatchers());
        ProactorConfig.Builder config = ProactorConfig.builder().name("serve").backend(options.backend())
                .bufferCount(0).maxInFlight((int) Math.min(1 << 24, Math.max(4096L, perMember * 4L)));
        if (options.workers() > 0) {
            config.workerThreads(options.workers());
        } else {
            config.inlineHandlers(true); // every step is light; what may block goes to BlockingWork
        }
        ProactorGroup group = null;
        List<Proactor> members;
        try {
            if (options.dispatchers() == 1) {
                members = List.of(Proactor.open(config.build()));
            } else {
                group = ProactorGroup.open(options.dispatchers(), config.build());
                members = group.members();
            }
        } catch (UncheckedIOException e) {
            throw new StartException("cannot open backend: " + e.getCause().getMessage());
        }
        List<AsyncServerSocket> listeners = null;
        InetSocketAddress address = new InetSocketAddress(options.bind(), options.port());
        try {
            listeners = group == null ? List.of(members.get(0).listen(address).await())
                    : group.listenEach(address, SocketOptions.defaults());
            AccessLog log = options.accessLog() == null ? AccessLog.off()
                    : options.accessLog().equals("-") ? AccessLog.to(out, blocking)
                    : AccessLog.toFile(members.get(0), Path.of(options.accessLog()));
            try {
                resolver.open(members);
            } catch (IOException e) {
                close(members, group, blocking);
                throw new StartException("cannot serve " + options.root() + ": " + e.getMessage());
            }
            StaticFileServer server = new StaticFileServer(options, members, group, listeners, resolver, blocking, log,
                    err);
            server.acceptors.forEach(AcceptLoop::start);
            return server;
        } catch (ProactorException e) {
            close(members, group, blocking);
            throw new StartException(listeners == null
                    ? "cannot listen on " + options.bind() + ":" + options.port() + ": " + e.getMessage()
                    : "cannot open the access log " + options.accessLog() + ": " + e.getMessage());
        } catch (InterruptedException | RuntimeException e) {
            close(members, group, blocking);
            throw e;
        }
    }

    private static List<CloseReport> close(List<Proactor> members, ProactorGroup group, BlockingWork blocking)
            throws InterruptedException {
        List<CloseReport> closes = close(members, group);
        blocking.close(CUT_GRACE); // after the proactors: no handler is left to give it work
        return closes;
    }

    private static List<CloseReport> close(List<Proactor> members, ProactorGroup group) {
        return group == null ? List.of(members.get(0).close(CUT_GRACE)) : group.close(CUT_GRACE);
    }

    /** The address listened on, with the real port. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listeners.get(0).localAddress();
    }

    /** The first (or only) proactor serving, for its backend name, configuration and capability report. */
    public Proactor proactor() {
        return members.get(0);
    }

    /** How many proactors serve, each with its own dispatcher and listener. */
    public int dispatchers() {
        return members.size();
    }

    /** The served directory's real path. */
    public Path root() {
        return resolver.root();
    }

    /**
     * Stops gracefully: no more accepts; a parked newcomer is started (it answers what it already
     * received, with {@code Connection: close}); waiting connections close now with a lingering
     * close; responses in flight may finish until {@code deadline}, each connection closing after
     * its response; what is left then is cut.
     * Then the access log is flushed and the proactor closed. Later calls return null.
     */
    public Summary stop(Duration deadline) throws InterruptedException {
        if (!stopOnce.compareAndSet(false, true)) {
            return null;
        }
        long end = System.nanoTime() + deadline.toNanos();
        draining = true;
        acceptors.forEach(AcceptLoop::stop);
        for (Slots s : slots) {
            Connection parked = s.unpark();
            if (parked != null) {
                parked.start(); // draining: it answers what it already received, with Connection: close
            }
        }
        for (Connection c : connections) {
            c.drain();
        }
        int cut = 0;
        if (!awaitNoConnections(end)) {
            cut = connections.size();
            for (Connection c : connections) {
                c.cut();
            }
            awaitNoConnections(System.nanoTime() + CUT_GRACE.toNanos());
        }
        for (FileCache c : caches) {
            for (var close : c.close()) {
                try {
                    close.await(CUT_GRACE);
                } catch (ProactorException | TimeoutException e) {
                    report("a cached file could not be closed: " + e);
                }
            }
        }
        for (var close : resolver.close()) {
            try {
                close.await(CUT_GRACE);
            } catch (ProactorException | TimeoutException e) {
                report("the served directory could not be closed: " + e);
            }
        }
        try {
            accessLog.close().get(CUT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            report("the access log could not be flushed: " + e);
        }
        if (accessLog.dropped() > 0) {
            report("the access log dropped " + accessLog.dropped() + " lines: its file or output did not keep up");
        }
        List<CloseReport> closes = close(members, group, blocking);
        List<Long> accepted = acceptors.stream().map(AcceptLoop::accepted).toList();
        return new Summary(accepted.stream().mapToLong(Long::longValue).sum(), accepted, requests.get(), cut,
                reclaimed.get(), closes, members.stream().map(Proactor::metrics).toList());
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

    /** Connections only waiting for a request now (reclaimable), for tests. */
    int waitingConnections() {
        return slots.stream().mapToInt(Slots::size).sum();
    }

    /** Input buffers allocated so far: bounded by the most connections open at once. */
    int inputBuffersAllocated() {
        return buffers.allocated();
    }

    /** The file cache of the proactor at index {@code member}. */
    FileCache cache(int member) {
        return caches.get(member);
    }

    /** Descriptors the file caches hold now, for tests. */
    int cachedDescriptors() {
        return caches.stream().mapToInt(FileCache::descriptors).sum();
    }

    /** Requests answered from the file caches so far, for tests. */
    long cacheHits() {
        return caches.stream().mapToLong(FileCache::hits).sum();
    }

    ServeOptions options() {
        return options;
    }

    /** The server's threads for what may block (listings, the EXDEV fallback, the access log to a writer). */
    BlockingWork blocking() {
        return blocking;
    }

    PathResolver resolver() {
        return resolver;
    }

    boolean draining() {
        return draining;
    }

    private void accepted(int member, Proactor proactor, AsyncSocket socket) {
        Connection c = new Connection(this, member, proactor, socket, buffers.take());
        connections.add(c);
        if (draining) {
            c.closeNow(); // raced with stop(), which may have missed it
            return;
        }
        // Accepted as the limit's one extra: a waiting connection gives up its slot, or the
        // newcomer is parked until one does or ends.
        if (acceptors.get(member).overLimit()) {
            if (!slots.get(member).admit(c)) {
                return;
            }
            reclaimed.incrementAndGet();
        }
        c.start();
    }

    /** {@code c} waits for a request: it may be reclaimed, and at the limit an accept may start for it. */
    void waiting(Connection c, int member, boolean first) {
        Connection parked = slots.get(member).waiting(c, first);
        if (parked != null) {
            reclaimed.incrementAndGet();
            parked.start();
        } else {
            acceptors.get(member).reconsider();
        }
    }

    /** {@code c} no longer waits for a request. */
    void busy(Connection c, int member) {
        slots.get(member).busy(c);
    }

    /** A connection's socket is closed: its input buffer {@code in} is free. */
    void closed(Connection c, int member, java.nio.ByteBuffer in) {
        buffers.give(in);
        connections.remove(c);
        synchronized (idle) {
            idle.notifyAll();
        }
        Connection parked = slots.get(member).unpark(); // before the release lets another extra in
        if (parked != null) {
            parked.start();
        }
        acceptors.get(member).released();
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
