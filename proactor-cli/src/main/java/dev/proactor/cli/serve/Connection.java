package dev.proactor.cli.serve;

import dev.proactor.AsyncSocket;
import dev.proactor.Operation;
import dev.proactor.OperationCancelledException;
import dev.proactor.OperationTimeoutException;
import dev.proactor.Proactor;
import dev.proactor.ProactorException;
import dev.proactor.ReusableOperation;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client connection: a state machine driven entirely by completions. No thread waits for it;
 * each step initiates the next operation and returns, and that operation's handler (on the
 * dispatcher thread by default, else on a worker: {@link ServeOptions#workers()}) takes the
 * following step. No step blocks; the two that might (a directory listing and the EXDEV fallback's
 * real path) run on a {@link BlockingWork} thread, which then initiates the next operation:
 *
 * <pre>
 *  FRESH ──read──┐  (header timeout from the accept: 408, close)
 *  IDLE ──read───┴─► HEAD ──read──► (head complete: parse) ──► RESPONDING
 *   ▲  (idle timeout: close)  (header timeout: 408, close)     │ cached file (else resolve ► open ► stat)
 *   │                                                          │   ► head and small body in one send,
 *   │                                                          │     or head ► transferFrom… ► release
 *   └──────────── keep-alive: parse what is already buffered ◄─┘
 *                 close: write ► shutdownOutput ► drain input briefly ► close
 * </pre>
 *
 * <p>FRESH (nothing received yet) and IDLE (keep-alive, nothing buffered) are the waiting
 * states: only there can the connection be ended from outside ({@link #endIfWaiting}), by a
 * newcomer reclaiming the slot ({@link Slots}) or by the stop. Ending cancels the waiting read;
 * if that read completed anyway, what it brought is still answered, with {@code Connection: close}.
 * A connection answers at most {@code --max-requests-per-connection} requests, the last with
 * {@code Connection: close}.
 *
 * <p>Requests are handled one at a time, in order: the next request is parsed from the buffered
 * bytes (pipelining) only after the previous response was fully sent, and the socket is read only
 * when the buffer holds no complete request. That is the back-pressure: a client that sends faster
 * than it reads stops being read, and its bytes wait in the kernel's socket buffers.
 *
 * <p>The state is small: the socket, one direct input buffer of the head-size limit (lent by the
 * server's {@link InputBuffers} until the socket is closed), and a few fields. {@code state},
 * {@code ending} and {@code waitingRead} are guarded by {@code this}; everything else is touched by
 * one handler at a time, each step happening after the previous one's completion.
 */
final class Connection {
    /** Largest piece of a file sent by one transfer, so that each piece's deadline measures progress. */
    static final long TRANSFER_CHUNK = 4L << 20;
    /** How long the input is drained after the last response before closing (a lingering close). */
    static final Duration LINGER = Duration.ofSeconds(2);

    private enum State { FRESH, IDLE, HEAD, RESPONDING, CLOSING }

    /** Why a waiting connection was ended from outside: how it closes differs. */
    private enum Ending {
        /**
         * For a newcomer at the limit: closed at once, so that the slot is free within a dispatcher
         * turn. Nothing is unread unless a request raced the reclaim; the kernel then resets, as
         * nginx's reclaim does, and the client retries its idempotent request elsewhere.
         */
        RECLAIMED,
        /** By the stop: FIN, then what the client still sends is read and dropped (lingering close). */
        DRAINED
    }

    private final StaticFileServer server;
    private final int member; // the index of the proactor and accept loop that accepted it
    private final Proactor proactor; // the one that accepted the socket: its files must be opened there too
    private final AsyncSocket socket;
    /** {@code socket} with {@code --idle-timeout} on each operation: every send, transfer piece and idle read. */
    private final AsyncSocket idleTimed;
    private final ByteBuffer in; // bytes received and not yet parsed: [0, position)
    private final String remoteHost;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Its place in the listener's {@link Slots} while it waits; guarded by that {@code Slots}. */
    final Slots.Node slot = new Slots.Node(this);
    private State state = State.FRESH; // guarded by this
    private Ending ending; // guarded by this; null until ended from outside
    private Operation<Integer> waitingRead; // guarded by this: the read of FRESH or IDLE, for endIfWaiting
    /** The IDLE read, one operation run again for each request after the first; null until the first. */
    private ReusableOperation<Integer> idleRead;
    /** The gather send of {@link #sendShared}, one operation run again per response; null until the first. */
    private ReusableOperation<Long> sharedSend;
    /** Its segments (the shared head, the body or none), read as each run begins. */
    private final MemorySegment[] shared = new MemorySegment[2];
    // The response sharedSend carries: set before each run, taken by its handler.
    private Exchange sharedExchange;
    private FileCache.Entry sharedEntry;
    private long sharedLength;
    private int served; // requests answered
    // nanoTime the current head's deadline counts from: the start for the first (a client that
    // connects and sends nothing is a slow head), else the head's first byte; 0 when none
    private long headStarted;

    /** @param in an input buffer of {@code maxHeaderSize} bytes, given back when the socket is closed */
    Connection(StaticFileServer server, int member, Proactor proactor, AsyncSocket socket, ByteBuffer in) {
        this.server = server;
        this.member = member;
        this.proactor = proactor;
        this.socket = socket;
        this.idleTimed = socket.withTimeout(server.options().idleTimeout());
        this.in = in;
        this.remoteHost = socket.remoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() : String.valueOf(socket.remoteAddress());
    }

    /** Starts serving: the first head's deadline counts from now. */
    void start() {
        headStarted = System.nanoTime();
        guarded(this::next);
    }

    /**
     * A stop began: a waiting connection closes now, gracefully (FIN, then its input is drained
     * briefly, so that a request that arrives meanwhile cannot turn the close into a reset); one in
     * the middle of a request finishes it first.
     */
    void drain() {
        endIfWaiting(false);
    }

    /**
     * Ends this connection if it is only waiting for a request (FRESH or IDLE): its read is
     * cancelled and it closes. If the read completed anyway, its bytes are still answered, with
     * {@code Connection: close}. Any thread.
     *
     * @param reclaim for a newcomer (close at once) rather than for the stop (lingering close)
     * @return whether it was waiting and is now ending
     */
    boolean endIfWaiting(boolean reclaim) {
        Operation<Integer> r;
        synchronized (this) {
            if (state != State.FRESH && state != State.IDLE || ending != null) {
                return false;
            }
            ending = reclaim ? Ending.RECLAIMED : Ending.DRAINED;
            r = waitingRead;
        }
        if (r != null) {
            r.cancel(); // a read already done says NOT_FOUND; its handler then sees the ending
        }
        return true;
    }

    /** Parses the buffered bytes: answers a complete request, or reads more. */
    private void next() {
        RequestParser.Result r = RequestParser.parse(in, in.position(), server.options().maxRequestLine(),
                server.options().maxHeaderSize());
        switch (r) {
            case RequestParser.Incomplete i -> read();
            case RequestParser.Rejected x -> rejected(x.status(), x.reason(), x.requestLine());
            case RequestParser.Parsed p -> {
                in.flip().position(p.length());
                in.compact();
                headStarted = 0;
                handle(p.request());
            }
        }
    }

    private void read() {
        Duration timeout;
        State waiting;
        if (in.position() == 0 && served > 0) {
            waiting = State.IDLE;
            timeout = server.options().idleTimeout();
        } else {
            long now = System.nanoTime();
            if (headStarted == 0) {
                headStarted = now;
            }
            long left = headStarted + server.options().headerTimeout().toNanos() - now;
            if (left <= 0) {
                rejected(408, "request head not received in time", null);
                return;
            }
            waiting = in.position() == 0 ? State.FRESH : State.HEAD;
            timeout = Duration.ofNanos(left);
        }
        boolean ended;
        synchronized (this) {
            if (state == State.CLOSING) {
                return;
            }
            ended = ending != null;
            state = ended ? State.RESPONDING : waiting; // ended: not waiting, nobody ends it twice
        }
        if (ended) {
            lingeringClose(); // the head begun before the end will not be answered
            return;
        }
        boolean waits = waiting != State.HEAD;
        if (waits) {
            if (server.draining()) {
                endIfWaiting(false); // the stop's drain may have run before this state was set
            }
            server.waiting(this, member, waiting == State.FRESH);
        }
        // The IDLE read is one operation, run again: its handler may run before waitingRead is set
        // below, which then names the same operation, as the next IDLE read sets it again. Another
        // read gets its handler only once it is waitingRead, or a late set would hide the next read.
        Operation<Integer> op;
        if (waiting != State.IDLE) {
            op = socket.withTimeout(timeout).read(in);
        } else if (idleRead == null) {
            op = idleRead = idleTimed.reusableRead(in, this::idleReadDone);
        } else {
            op = idleRead.restart(); // its last run was delivered, or is ending: the next begins after it
        }
        boolean cancel = false;
        if (waits) {
            synchronized (this) {
                waitingRead = op;
                cancel = ending != null; // ended before the read existed: endIfWaiting could not cancel it
            }
        }
        if (waiting != State.IDLE) {
            op.onComplete((n, failure) -> guarded(() -> readDone(waiting, n, failure)));
        }
        if (cancel) {
            op.cancel();
        }
    }

    /** The reusable idle read's handler, made once per connection. */
    private void idleReadDone(Integer n, ProactorException failure) {
        try {
            readDone(State.IDLE, n, failure);
        } catch (RuntimeException e) {
            internalError(e);
        }
    }

    /** A read of {@code waiting} ended: answer what came, or end as the failure says. */
    private void readDone(State waiting, Integer n, ProactorException failure) {
        Ending e;
        synchronized (this) {
            waitingRead = null;
            e = ending;
        }
        if (waiting != State.HEAD) {
            server.busy(this, member);
        }
        if (failure instanceof OperationCancelledException && e != null) {
            if (e == Ending.RECLAIMED) {
                closeNow();
            } else {
                lingeringClose();
            }
        } else if (failure instanceof OperationTimeoutException && waiting != State.IDLE) {
            rejected(408, "request head not received in time", null);
        } else if (failure != null || n < 0) {
            closeNow(); // idle timeout, end of stream, reset, or the stop closed us
        } else {
            next();
        }
    }

    private void handle(HttpRequest request) {
        boolean ended;
        synchronized (this) {
            if (state == State.CLOSING) {
                return;
            }
            state = State.RESPONDING;
            ended = ending != null;
        }
        served++;
        Exchange ex = new Exchange(request, request.keepAlive() && !server.draining() && !ended
                && served < server.options().maxRequestsPerConnection());
        HttpRequest.Target target = request.target();
        List<String> segments = target.segments();
        // A path ending in a slash names a directory, which is never cached.
        String key = target.trailingSlash() ? null
                : segments.size() == 1 ? segments.get(0) : String.join("/", segments); // the same string, not a copy
        if (key != null && fromCache(ex, key, segments, null)) {
            return;
        }
        resolve(ex, key, segments, target.trailingSlash(), null);
    }

    /**
     * Opens the file {@code segments} name and answers with what it found. {@code listingOf} is
     * the directory whose index this is, answered by its listing when the index is no regular
     * file; null otherwise.
     */
    private void resolve(Exchange ex, String key, List<String> segments, boolean asDirectory, Path listingOf) {
        server.resolver().resolve(member, segments, asDirectory,
                found -> guarded(() -> answer(ex, key, segments, found, listingOf)));
    }

    private void answer(Exchange ex, String key, List<String> segments, PathResolver.Resolved found, Path listingOf) {
        if (listingOf != null && !(found instanceof PathResolver.RegularFile)) {
            list(ex, listingOf);
            return;
        }
        switch (found) {
            case PathResolver.Missing m -> error(ex, 404);
            case PathResolver.Forbidden f -> error(ex, 403);
            case PathResolver.Failed f -> error(ex, 500);
            case PathResolver.RegularFile file -> load(ex, key, segments, file);
            case PathResolver.Directory dir -> {
                HttpRequest.Target target = ex.request.target();
                if (!target.trailingSlash() && !segments.isEmpty()) {
                    String location = target.directoryLocation();
                    simple(ex, 301, "text/plain; charset=utf-8", bytes("301 Moved Permanently: " + location + "\n"),
                            "Location", location);
                    return;
                }
                List<String> index = new ArrayList<>(segments);
                index.add("index.html");
                String indexKey = String.join("/", index);
                if (!fromCache(ex, indexKey, index, dir.path())) {
                    resolve(ex, indexKey, index, false, dir.path());
                }
            }
        }
    }

    /**
     * Answers with the listing of {@code dir}, rendered on a {@link BlockingWork} thread: it reads
     * the directory by path, which may block, and the dispatcher (inline handlers) must not.
     */
    private void list(Exchange ex, Path dir) {
        try {
            server.blocking().execute(() -> guarded(() -> listNow(ex, dir)));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            error(ex, 500); // the server stopped
        }
    }

    private void listNow(Exchange ex, Path dir) {
        byte[] listing;
        try {
            Path real = server.resolver().listable(dir); // a listing reads by path: checked again here
            if (real == null) {
                error(ex, 404);
                return;
            }
            server.blocking().blocking("listing");
            listing = DirectoryListing.render(real, ex.request.target().decodedPath());
        } catch (IOException e) {
            error(ex, e instanceof java.nio.file.AccessDeniedException ? 403 : 404);
            return;
        }
        simple(ex, 200, "text/html; charset=utf-8", listing);
    }

    /**
     * Answers from the file cache when it holds {@code key}: at once while the entry is valid;
     * once its validity ran out, after opening the path again as a miss does, from the entry if
     * that opened the same file unchanged, else from what it opened (the entry leaves). False on a
     * miss, and the caller resolves the path.
     */
    private boolean fromCache(Exchange ex, String key, List<String> segments, Path listingOf) {
        FileCache cache = server.cache(member);
        FileCache.Entry e = cache.acquire(key);
        if (e == null) {
            return false;
        }
        long now = System.nanoTime();
        if (!cache.due(e, now)) {
            respondFile(ex, e);
            return true;
        }
        server.resolver().resolve(member, segments, false, found -> guarded(() -> {
            if (found instanceof PathResolver.RegularFile f && e.sameAs(f.stat())) {
                f.file().closeAsync();
                cache.validated(e, now);
                respondFile(ex, e);
            } else {
                cache.invalidate(e); // changed, replaced, gone or now a link out: answered from what opened
                cache.release(e);
                answer(ex, key, segments, found, listingOf);
            }
        }));
        return true;
    }

    private void load(Exchange ex, String key, List<String> segments, PathResolver.RegularFile file) {
        Path path = server.root().resolve(String.join("/", segments));
        server.cache(member).load(key, path, file, (entry, status) -> guarded(() -> {
            if (entry == null) {
                error(ex, status);
            } else {
                respondFile(ex, entry);
            }
        }));
    }

    /** Sends a file's answer: 200, 206, 304 or 416; {@code e}'s reference is released when it is sent. */
    private void respondFile(Exchange ex, FileCache.Entry e) {
        FileCache cache = server.cache(member);
        HttpRequest r = ex.request;
        long size = e.size;
        long date = HttpDates.currentSecond(); // one second for the Date and the Last-Modified judged against it
        Validators v = e.validators(date);
        String etag = v.etag();
        String lastModified = v.lastModified() == date ? HttpDates.ofSecond(date) : e.lastModifiedText;
        if (v.notModified(r)) {
            cache.release(e);
            ResponseHead h = new ResponseHead(304, date).header("ETag", etag).header("Last-Modified", lastModified);
            send(ex, 304, connection(h, ex).toBuffer(null), 0);
            return;
        }
        ByteRange.Answer answer = r.range() != null && v.rangeApplies(r)
                ? ByteRange.resolve(r.range(), size) : new ByteRange.Whole();
        int status;
        long position = 0;
        long count = size;
        ByteBuffer head;
        switch (answer) {
            case ByteRange.Unsatisfiable u -> {
                cache.release(e);
                ResponseHead h = new ResponseHead(416).header("Content-Range", "bytes */" + size)
                        .header("Content-Length", 0);
                send(ex, 416, connection(h, ex).toBuffer(null), 0);
                return;
            }
            case ByteRange.Part p -> {
                status = 206;
                position = p.range().first();
                count = p.range().length();
                ResponseHead h = new ResponseHead(206, date).header("Content-Range",
                        "bytes " + p.range().first() + "-" + p.range().last() + "/" + size);
                h.header("Content-Type", e.contentType).header("Content-Length", count)
                        .header("Last-Modified", lastModified).header("ETag", etag).header("Accept-Ranges", "bytes");
                head = connection(h, ex).toBuffer(null);
            }
            case ByteRange.Whole w -> {
                status = 200;
                if (v.lastModified() < date && keptOpen(ex)) {
                    sendShared(ex, e, e.keepAliveHead(date), r.isHead() ? 0 : size);
                    return;
                }
                head = v.lastModified() < date ? okHead(ex, date, e) : connection(new ResponseHead(200, date)
                        .header("Content-Type", e.contentType).header("Content-Length", count)
                        .header("Last-Modified", lastModified).header("ETag", etag).header("Accept-Ranges", "bytes"), ex)
                        .toBuffer(null);
            }
        }
        long from = position;
        long length = r.isHead() ? 0 : count;
        if (e.body != null || length == 0) {
            // In memory: head and body leave in one gathering send.
            Operation<Long> w = length == 0 ? idleTimed.writeAll(head)
                    : idleTimed.writeAll(head,
                            e.body.duplicate().position((int) from).limit((int) (from + length)));
            w.onComplete((n, failure) -> guarded(() -> {
                cache.release(e);
                if (failure != null) {
                    closeNow();
                } else {
                    finished(ex, status, length);
                }
            }));
            return;
        }
        idleTimed.writeAll(head).onComplete((n, failure) -> guarded(() -> {
            if (failure != null) {
                cache.release(e);
                closeNow();
            } else {
                transfer(ex, status, e, from, length, length);
            }
        }));
    }

    /** Whether the answer to {@code ex} keeps an HTTP/1.1 connection open: no Connection line. */
    private boolean keptOpen(Exchange ex) {
        return ex.keepAlive && !server.draining() && ex.request.minorVersion() != 0;
    }

    /**
     * The common answer, a whole 200 that keeps an HTTP/1.1 connection open: the entry's shared
     * head and in-memory body of this second leave in one gather send on this connection's
     * reusable write, so that nothing is formatted, copied or allocated for it; a body sent from
     * the file follows the head by transfer. {@code e}'s reference is released when all is sent.
     */
    private void sendShared(Exchange ex, FileCache.Entry e, FileCache.DatedHead h, long length) {
        sharedExchange = ex;
        sharedEntry = e;
        sharedLength = length;
        shared[0] = h.head();
        shared[1] = e.body != null && length > 0 ? h.body() : FileCache.NO_BODY;
        if (sharedSend == null) {
            sharedSend = idleTimed.reusableWriteAll(shared, this::sharedSent);
        } else {
            sharedSend.restart(); // its last run was delivered, or is ending: the next begins after it
        }
    }

    /** The reusable shared send's handler, made once per connection. */
    private void sharedSent(Long n, ProactorException failure) {
        Exchange ex = sharedExchange;
        FileCache.Entry e = sharedEntry;
        long length = sharedLength;
        sharedExchange = null;
        sharedEntry = null;
        try {
            if (failure != null) {
                server.cache(member).release(e);
                closeNow();
            } else if (e.body == null && length > 0) {
                transfer(ex, 200, e, 0, length, length);
            } else {
                server.cache(member).release(e);
                finished(ex, 200, length);
            }
        } catch (RuntimeException x) {
            internalError(x);
        }
    }

    /** A whole 200's head that closes the connection, or answers HTTP/1.0: the shared prefix and the entry's fixed headers. */
    private ByteBuffer okHead(Exchange ex, long date, FileCache.Entry e) {
        boolean close = !ex.keepAlive || server.draining();
        byte[] prefix = ResponseHead.okPrefix(date);
        byte[] fixed = e.fixed200;
        byte[] conn = close ? CONNECTION_CLOSE : CONNECTION_KEEP_ALIVE;
        byte[] head = new byte[prefix.length + fixed.length + conn.length];
        System.arraycopy(prefix, 0, head, 0, prefix.length);
        System.arraycopy(fixed, 0, head, prefix.length, fixed.length);
        System.arraycopy(conn, 0, head, prefix.length + fixed.length, conn.length);
        return ByteBuffer.wrap(head);
    }

    private static final byte[] CONNECTION_CLOSE = bytes("Connection: close\r\n\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = bytes("Connection: keep-alive\r\n\r\n");

    /** Sends the file's bytes, piece by piece, straight from the file to the socket. */
    private void transfer(Exchange ex, int status, FileCache.Entry e, long position, long left, long total) {
        long n = Math.min(left, TRANSFER_CHUNK);
        idleTimed.transferFrom(e.file, position, n)
                .onComplete((sent, failure) -> guarded(() -> {
                    if (failure != null) {
                        // The head promised a length the connection can no longer deliver (the
                        // client left, stalled, or the file shrank): cutting it is the only honest end.
                        server.cache(member).release(e);
                        closeNow();
                    } else if (left > n) {
                        transfer(ex, status, e, position + n, left - n, total);
                    } else {
                        server.cache(member).release(e);
                        finished(ex, status, total);
                    }
                }));
    }

    /** A response that keeps the connection (404, 403, 500 for a well-formed request). */
    private void error(Exchange ex, int status) {
        simple(ex, status, "text/plain; charset=utf-8", bytes(status + " " + ResponseHead.reason(status) + "\n"));
    }

    private void simple(Exchange ex, int status, String contentType, byte[] body, String... extra) {
        ResponseHead h = new ResponseHead(status).header("Content-Type", contentType)
                .header("Content-Length", body.length);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            h.header(extra[i], extra[i + 1]);
        }
        boolean head = ex.request.isHead();
        send(ex, status, connection(h, ex).toBuffer(head ? null : body), head ? 0 : body.length);
    }

    private void send(Exchange ex, int status, ByteBuffer response, long bodyBytes) {
        idleTimed.writeAll(response).onComplete((n, failure) -> guarded(() -> {
            if (failure != null) {
                closeNow();
            } else {
                finished(ex, status, bodyBytes);
            }
        }));
    }

    private void finished(Exchange ex, int status, long bodyBytes) {
        server.served(remoteHost, ex.request.requestLine(), status, bodyBytes);
        if (ex.keepAlive && !server.draining()) {
            next();
        } else {
            lingeringClose();
        }
    }

    /**
     * A protocol error: the answer says {@code Connection: close}, and the connection closes after
     * it, since what follows in the stream can no longer be trusted to start a request.
     */
    private void rejected(int status, String reason, String requestLine) {
        synchronized (this) {
            if (state == State.CLOSING) {
                return;
            }
            state = State.RESPONDING;
        }
        byte[] body = bytes(status + " " + ResponseHead.reason(status) + ": " + reason + "\n");
        ResponseHead h = new ResponseHead(status).header("Content-Type", "text/plain; charset=utf-8")
                .header("Content-Length", body.length).header("Connection", "close");
        if (status == 405) {
            h.header("Allow", "GET, HEAD");
        }
        idleTimed.writeAll(h.toBuffer(body)).onComplete((n, failure) -> guarded(() -> {
            server.served(remoteHost, requestLine, status, body.length);
            if (failure != null) {
                closeNow();
            } else {
                lingeringClose();
            }
        }));
    }

    /**
     * Ends the connection without losing the last response: send FIN, then read and discard what
     * the client still sends until it closes or {@link #LINGER} passes. Closing at once with unread
     * input would make the kernel send a reset, which can destroy the response before the client
     * read it.
     */
    private void lingeringClose() {
        synchronized (this) {
            if (state == State.CLOSING) {
                return;
            }
            state = State.CLOSING;
        }
        long deadline = System.nanoTime() + LINGER.toNanos();
        socket.shutdownOutput().onComplete((v, failure) -> guarded(() -> {
            if (failure != null) {
                closeNow();
            } else {
                discardUntil(deadline);
            }
        }));
    }

    private void discardUntil(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            closeNow();
            return;
        }
        socket.withTimeout(Duration.ofNanos(left)).read(in.clear()).onComplete((n, failure) -> guarded(() -> {
            if (failure != null || n < 0) {
                closeNow();
            } else {
                discardUntil(deadline);
            }
        }));
    }

    /**
     * Closes the socket once, gracefully: what was already written (an error page, the end of a
     * response) still reaches the client before the FIN; the server then forgets us.
     */
    void closeNow() {
        end(false);
    }

    /** Cuts the connection once: queued writes are dropped and the client sees a reset (stop's deadline). */
    void cut() {
        end(true);
    }

    private void end(boolean abort) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            state = State.CLOSING;
        }
        server.busy(this, member);
        // The close completes after every operation pending on the socket ended: the buffer is free.
        (abort ? socket.abort() : socket.closeAsync()).onComplete((v, failure) -> server.closed(this, member, in));
    }

    /** Runs a step; a bug in it ends this connection, reported, instead of leaving it hanging. */
    private void guarded(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            internalError(e);
        }
    }

    private void internalError(RuntimeException e) {
        server.report("internal error on a connection from " + remoteHost + ": " + e);
        closeNow();
    }

    private ResponseHead connection(ResponseHead h, Exchange ex) {
        if (!ex.keepAlive || server.draining()) { // a stop begun since the request came: this is its last answer
            h.header("Connection", "close");
        } else if (ex.request.minorVersion() == 0) {
            h.header("Connection", "keep-alive");
        }
        return h;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** One request and the decision, taken when it arrived, whether the connection outlives it. */
    private record Exchange(HttpRequest request, boolean keepAlive) {}
}
