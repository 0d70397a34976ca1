package dev.proactor.cli.net;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.OperationCancelledException;
import dev.proactor.OperationStream;
import dev.proactor.Proactor;
import dev.proactor.ProactorClosedException;
import dev.proactor.ProactorException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Accepts connections in completion handlers with a limit on the connections open at once: a
 * multishot accept stream ({@link AsyncServerSocket#acceptEach}) while there is plenty of room,
 * single accepts one at a time near the limit. Every method is safe from any thread.
 *
 * <p>Why both. A burst of connections (wrk opens its 64 at once) is taken by the stream in one
 * kernel round, where a chain of single accepts takes one dispatcher round per connection while
 * the connections already accepted keep the dispatcher busy: the last first request then waits
 * for all of them, which was the tail of p99 (BENCHMARKS.md). But a multishot accept takes
 * whatever the listen backlog holds, and its {@link OperationStream#pause() pause} reaches the
 * kernel a dispatcher round later, so near the limit it would take a flood's whole backlog. So the
 * stream runs only while fewer than the limit less a quarter ({@link #streamBelow}) are handed
 * over; above that it is paused and single accepts decide one connection at a time, as they
 * always did.
 *
 * <p>At the limit an accept is pending only while the owner says it could reclaim a connection
 * (close one that is only waiting) for a newcomer: the newcomer is then handed over as the limit's
 * one extra, and the owner is to reclaim a slot for it. Otherwise no accept is pending: further
 * clients wait in the kernel's listen backlog, and the next accept starts when the owner reports,
 * through {@link #released()}, that a connection ended, or through {@link #reconsider()}, that one
 * became reclaimable. A connection the stream delivers when there is no room (it was accepted by
 * the kernel before the pause took effect) is <em>held</em>: kept here, unread, in accept order,
 * and handed over before any new accept as room comes, so that the owner still never has more than
 * {@code maxConnections + 1} connections handed over and not released. Held connections cost a
 * descriptor each and there are at most as many as the kernel accepted in the round the pause
 * missed (at most the listen backlog); the stop closes them. {@link #adjust} is the one place that
 * decides what is pending. A failed accept (such as EMFILE) is reported and retried after
 * {@value #RETRY_MILLIS} ms, so that a persistent failure does not spin.
 */
public final class AcceptLoop {
    private static final long RETRY_MILLIS = 100;

    private final Proactor proactor;
    private final AsyncServerSocket listener;
    private final int maxConnections;
    /** The stream runs while fewer than this many are handed over: the limit less a quarter. */
    private final int streamBelow;
    private final Consumer<AsyncSocket> onAccepted;
    private final Consumer<String> report;
    private final BooleanSupplier reclaimable;
    private final Object lock = new Object();

    // ---- guarded by lock (the volatile ones read without it) ----
    private volatile int active;
    private volatile long accepted;
    private volatile boolean stopped;
    /** Accepted by the stream when there was no room, oldest first; handed over before new accepts. */
    private final ArrayDeque<AsyncSocket> held = new ArrayDeque<>();
    /** The accept stream; null before the first, and after it ended until it is started again. */
    private OperationStream stream;
    /** A single accept is pending. */
    private boolean single;
    /** A failed accept's retry timer is pending: nothing is started until it fires. */
    private boolean retrying;

    /**
     * @param maxConnections connections open at once; 0 or less for no limit
     * @param onAccepted takes each accepted socket, on a worker; it owns the socket from then on and
     *     calls {@link #released()} once it is closed (also when the loop was stopped meanwhile)
     * @param report takes a line about a failed accept
     */
    public AcceptLoop(Proactor proactor, AsyncServerSocket listener, int maxConnections,
            Consumer<AsyncSocket> onAccepted, Consumer<String> report) {
        this(proactor, listener, maxConnections, onAccepted, report, () -> false);
    }

    /**
     * A loop that keeps accepting at the limit while {@code reclaimable} answers true.
     *
     * @param reclaimable whether the owner could free a slot for a newcomer now; called from any
     *     thread and never under this loop's lock, it must be cheap and may be stale (the newcomer
     *     then stays the limit's one extra until a connection ends)
     */
    public AcceptLoop(Proactor proactor, AsyncServerSocket listener, int maxConnections,
            Consumer<AsyncSocket> onAccepted, Consumer<String> report, BooleanSupplier reclaimable) {
        this.proactor = proactor;
        this.listener = listener;
        this.maxConnections = maxConnections <= 0 ? Integer.MAX_VALUE : maxConnections;
        this.streamBelow = this.maxConnections - this.maxConnections / 4;
        this.onAccepted = onAccepted;
        this.report = report;
        this.reclaimable = reclaimable;
    }

    public void start() {
        maybeAccept();
    }

    /**
     * Stops accepting, closes the listener (which ends the stream and a pending accept, cancelled)
     * and closes the held connections; connections already handed over stay the owner's.
     */
    public void stop() {
        List<AsyncSocket> dropped;
        synchronized (lock) {
            stopped = true;
            dropped = new ArrayList<>(held);
            held.clear();
        }
        listener.closeAsync();
        for (AsyncSocket s : dropped) {
            s.closeAsync(); // as the kernel does with the listen backlog at a listener's close
        }
    }

    /** Whether {@link #stop()} was called: an owner closes a socket it receives after that. */
    public boolean isStopped() {
        return stopped;
    }

    /** Connections handed over so far. */
    public long accepted() {
        return accepted;
    }

    /** Connections handed over and not yet released. */
    public int active() {
        return active;
    }

    /** Connections accepted and held, not yet handed over, for tests. */
    int held() {
        synchronized (lock) {
            return held.size();
        }
    }

    /** Whether more connections are handed over than the limit: the newest is to get a reclaimed slot. */
    public boolean overLimit() {
        return active > maxConnections;
    }

    /** A connection became reclaimable: at the limit, an accept may start again. */
    public void reconsider() {
        if (active >= maxConnections) {
            maybeAccept();
        }
    }

    /** A connection handed over earlier is closed: room for the next. */
    public void released() {
        synchronized (lock) {
            active--;
        }
        maybeAccept();
    }

    /** Hands held connections over while there is room, then starts or stops accepts to match. */
    private void maybeAccept() {
        boolean reclaim = reclaimable.getAsBoolean();
        List<AsyncSocket> out = null;
        synchronized (lock) {
            while (!held.isEmpty() && room(reclaim)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(takeSlot(held.poll()));
            }
            adjust(reclaim);
        }
        handOver(out);
    }

    /**
     * One connection from the stream or a single accept: handed over if there is room and nothing
     * older is held, else held. After the stop it is handed over anyway: the owner closes it and
     * releases its slot, as with any socket it receives then.
     */
    private void arrived(AsyncSocket socket) {
        boolean reclaim = reclaimable.getAsBoolean();
        boolean hand;
        synchronized (lock) {
            hand = stopped || held.isEmpty() && room(reclaim);
            if (hand) {
                takeSlot(socket);
            } else {
                held.add(socket);
            }
            adjust(reclaim);
        }
        if (hand) {
            onAccepted.accept(socket);
        }
    }

    private AsyncSocket takeSlot(AsyncSocket socket) {
        active++;
        accepted++;
        return socket;
    }

    private void handOver(List<AsyncSocket> sockets) {
        if (sockets != null) {
            for (AsyncSocket s : sockets) {
                onAccepted.accept(s);
            }
        }
    }

    private boolean room(boolean reclaim) {
        int n = active;
        return n < maxConnections || n == maxConnections && reclaim;
    }

    /**
     * Decides what is pending (under the lock): the stream runs while nothing is held and fewer
     * than {@link #streamBelow} are handed over; otherwise it is paused, and one single accept is
     * pending while nothing is held and there is room (at the limit: a reclaimable connection).
     */
    private void adjust(boolean reclaim) {
        if (stopped || retrying) {
            return;
        }
        boolean fast = held.isEmpty() && active < streamBelow;
        if (fast) {
            if (stream == null) {
                OperationStream s = listener.acceptEach(this::arrived);
                stream = s;
                s.onComplete((n, failure) -> streamEnded(s, failure));
            } else if (stream.isPaused()) {
                stream.resume();
            }
            return;
        }
        if (stream != null && !stream.isPaused()) {
            stream.pause();
        }
        if (!single && held.isEmpty() && room(reclaim)) {
            single = true;
            listener.accept().onComplete(this::acceptedOne);
        }
    }

    private void acceptedOne(AsyncSocket socket, ProactorException failure) {
        synchronized (lock) {
            single = false;
        }
        if (failure != null) {
            failed(failure);
            return;
        }
        arrived(socket);
    }

    private void streamEnded(OperationStream s, ProactorException failure) {
        synchronized (lock) {
            if (stream == s) {
                stream = null;
            }
        }
        failed(failure);
    }

    /** An accept or the stream ended with {@code failure} (null: the stream ended by itself). */
    private void failed(ProactorException failure) {
        if (stopped || failure instanceof OperationCancelledException || failure instanceof ProactorClosedException) {
            return;
        }
        report.accept("accept failed: " + (failure == null ? "the accept stream ended" : failure.getMessage()));
        synchronized (lock) {
            if (retrying) {
                return;
            }
            retrying = true;
        }
        proactor.timer(Duration.ofMillis(RETRY_MILLIS)).onComplete((v, f) -> {
            synchronized (lock) {
                retrying = false;
            }
            maybeAccept();
        });
    }
}
