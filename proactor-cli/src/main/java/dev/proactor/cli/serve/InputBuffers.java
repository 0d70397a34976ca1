package dev.proactor.cli.serve;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The connections' direct input buffers, reused: a buffer is allocated only when none is free, and
 * one is given back only once its connection's socket is closed (so no read of the kernel's is
 * still pending into it). Native memory for input therefore stays at the most connections ever
 * open at once times the buffer size, however many connections come and go; without reuse each
 * connection's buffer would wait for a garbage collection to free it, and a flood of short
 * connections grows the process by their sum before one runs. Thread-safe.
 */
final class InputBuffers {
    private final int size;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>(); // guarded by this
    private int allocated; // guarded by this

    InputBuffers(int size) {
        this.size = size;
    }

    /** A cleared buffer of the size; its old bytes stay, unread: a connection parses only what it read. */
    ByteBuffer take() {
        synchronized (this) {
            ByteBuffer b = free.poll();
            if (b != null) {
                return b.clear();
            }
            allocated++;
        }
        return ByteBuffer.allocateDirect(size);
    }

    /** Takes {@code b} back: nothing may use it afterwards. */
    synchronized void give(ByteBuffer b) {
        free.push(b);
    }

    /** Buffers allocated so far: the most connections ever open at once. */
    synchronized int allocated() {
        return allocated;
    }
}
