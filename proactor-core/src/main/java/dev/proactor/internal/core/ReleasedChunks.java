package dev.proactor.internal.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Released chunks on their way back to the dispatcher, which alone may recycle a provided buffer
 * (the buffer ring has one writer) and count a chunk off its stream's back-pressure
 * ({@link StreamParking#chunkReleased}). Thread-safe: any thread adds, the dispatcher drains.
 *
 * <p>Allocation-free: the stack is intrusive ({@link ChunkLease#nextReleased}), and the drain is one
 * command made once, posted in its own inbox node. The release that finds the stack empty posts it;
 * the drain empties the stack before it handles any chunk, so a release after that posts again
 * (the node was taken by then, as {@link Inbox#offerNode} requires), and none is ever left behind
 * while the dispatcher runs. A burst of releases between two of the dispatcher's turns thus costs
 * one inbox entry and at most one wake-up, instead of one command each. Order among released
 * chunks does not matter: each one gives back its own buffer and its own count.
 *
 * <p>A drain posted as the proactor terminates may run on a thread of its own
 * ({@link Dispatcher}'s shutdown runs left-over commands so): then it only forgets the chunks,
 * whose buffers the close reclaims with the backend.
 */
final class ReleasedChunks implements Runnable {
    private static final VarHandle NEWEST;

    static {
        try {
            NEWEST = MethodHandles.lookup().findVarHandle(ReleasedChunks.class, "newest", ChunkLease.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Dispatcher dispatcher;
    /** The drain command in its inbox node, both made once: at most one is posted at a time. */
    private final Inbox.Cmd drain = new Inbox.Cmd(new Dispatcher.Command.Run(this));
    /** Released and not handled yet, newest first, linked through {@link ChunkLease#nextReleased}. */
    private volatile ChunkLease newest;

    ReleasedChunks(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** Chunk {@code c} was released (any thread, once per chunk). */
    void add(ChunkLease c) {
        ChunkLease n;
        do {
            n = newest;
            c.nextReleased = n;
        } while (!NEWEST.compareAndSet(this, n, c));
        if (n == null) {
            dispatcher.post(drain);
        }
    }

    /** The drain (dispatcher): every chunk released so far goes back to its stream. */
    @Override
    public void run() {
        ChunkLease c = (ChunkLease) NEWEST.getAndSet(this, null);
        if (!dispatcher.isOwnThread()) {
            return;
        }
        StreamParking streams = dispatcher.streams();
        while (c != null) {
            ChunkLease next = c.nextReleased;
            c.nextReleased = null;
            streams.chunkReleased(c.stream(), c.bufferId());
            c = next;
        }
    }
}
