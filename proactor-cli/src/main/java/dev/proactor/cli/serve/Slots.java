package dev.proactor.cli.serve;

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
    private final Ring idle = new Ring(); // guarded by this; oldest first
    private final Ring silent = new Ring(); // guarded by this; oldest first
    private Connection parked; // guarded by this

    /**
     * A connection's place in one of the rings, linked in place, so that the per-request moves in
     * and out (twice a request on a keep-alive connection) allocate nothing. Guarded by the
     * {@link Slots} that links it; one per connection.
     */
    static final class Node {
        final Connection connection;
        private Node prev;
        private Node next;
        private Ring ring; // null: in none

        Node(Connection connection) {
            this.connection = connection;
        }
    }

    /** A first-in first-out ring of nodes with a sentinel. Guarded by the owning {@link Slots}. */
    private static final class Ring {
        private final Node head = new Node(null);
        private int size;

        Ring() {
            head.prev = head;
            head.next = head;
        }

        void addLast(Node n) {
            n.prev = head.prev;
            n.next = head;
            head.prev.next = n;
            head.prev = n;
            n.ring = this;
            size++;
        }

        /** Takes {@code n} out of whichever ring holds it, if any. */
        static void unlink(Node n) {
            Ring r = n.ring;
            if (r == null) {
                return;
            }
            n.prev.next = n.next;
            n.next.prev = n.prev;
            n.prev = null;
            n.next = null;
            n.ring = null;
            r.size--;
        }

        Node first() {
            return size == 0 ? null : head.next;
        }
    }

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
        Node n = c.slot;
        Ring.unlink(n); // re-added at the end: waiting since now
        (first ? silent : idle).addLast(n);
        return null;
    }

    /** {@code c} stopped waiting: bytes came, it ends, or it closed. */
    synchronized void busy(Connection c) {
        Ring.unlink(c.slot);
    }

    /** Whether a connection could be reclaimed now (it may have stopped waiting meanwhile). */
    synchronized boolean any() {
        return idle.size + silent.size > 0;
    }

    /** Connections waiting now, for tests. */
    synchronized int size() {
        return idle.size + silent.size;
    }

    /**
     * A newcomer accepted beyond the limit: ends the first connection, in reclaim order, that still
     * only waits, or parks the newcomer when none does.
     *
     * @return whether a connection was reclaimed, and the newcomer is to start now
     */
    synchronized boolean admit(Connection newcomer) {
        for (Node n; (n = idle.size > 0 ? idle.first() : silent.first()) != null; ) {
            Ring.unlink(n);
            if (n.connection.endIfWaiting(true)) {
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
