package dev.proactor.cli.serve;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * One listener's connection slots at {@code --max-connections}: which connections only wait for a
 * request, in the order a newcomer reclaims them, and the newcomer parked while none does.
 *
 * <p>Reclaim order: idle keep-alive connections first, the longest idle first (the client has had
 * every answer it asked for, and HTTP clients retry a request on a reused connection the server
 * closed), then connections that have sent nothing yet, the oldest first (they hold a slot and
 * have not used it). A connection mid-head or mid-response is never reclaimed.
 *
 * <p>A newcomer accepted at the limit (the accept loop's one extra) takes a reclaimed slot at
 * once, or, when every connection is busy, is parked: accepted but not read, its bytes waiting in
 * the kernel as they would in the listen backlog, until a connection starts waiting (it is then
 * reclaimed for it) or ends. At most one is parked, since the accept loop accepts no second extra.
 *
 * <p>Thread-safe: one lock. It is taken before a connection's own lock ({@link
 * Connection#endIfWaiting}) and never while one is held. Membership may lag a connection's state by
 * one step; the connection's state decides.
 */
final class Slots {
    private final LinkedHashSet<Connection> idle = new LinkedHashSet<>(); // guarded by this; oldest first
    private final LinkedHashSet<Connection> silent = new LinkedHashSet<>(); // guarded by this; oldest first
    private Connection parked; // guarded by this

    /**
     * {@code c} waits for its first request ({@code first}) or, after an answer, for the next.
     *
     * @return the parked newcomer, to be started, when {@code c} was reclaimed for it at once; else null
     */
    synchronized Connection waiting(Connection c, boolean first) {
        if (parked != null) {
            if (c.endIfWaiting(true)) {
                return unpark();
            }
            return null; // it is ending anyway, and will release its slot
        }
        if (first) {
            silent.add(c);
        } else {
            idle.remove(c); // re-added at the end: idle since now
            idle.add(c);
        }
        return null;
    }

    /** {@code c} stopped waiting: bytes came, it ends, or it closed. */
    synchronized void busy(Connection c) {
        idle.remove(c);
        silent.remove(c);
    }

    /** Whether a connection could be reclaimed now (it may have stopped waiting meanwhile). */
    synchronized boolean any() {
        return !idle.isEmpty() || !silent.isEmpty();
    }

    /** Connections waiting now, for tests. */
    synchronized int size() {
        return idle.size() + silent.size();
    }

    /**
     * A newcomer accepted beyond the limit: ends the first connection, in reclaim order, that still
     * only waits, or parks the newcomer when none does.
     *
     * @return whether a connection was reclaimed, and the newcomer is to start now
     */
    synchronized boolean admit(Connection newcomer) {
        while (!idle.isEmpty() || !silent.isEmpty()) {
            Iterator<Connection> it = (idle.isEmpty() ? silent : idle).iterator();
            Connection c = it.next();
            it.remove();
            if (c.endIfWaiting(true)) {
                return true;
            }
        }
        parked = newcomer;
        return false;
    }

    /** Takes the parked newcomer, if any, to be started: a slot is free, or the stop wants it. */
    synchronized Connection unpark() {
        Connection p = parked;
        parked = null;
        return p;
    }
}
