package dev.proactor.internal.nio;

import dev.proactor.internal.spi.NativeAccounting;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The portable backend's buffers for {@code ReceiveEach}: the counterpart of io_uring's provided
 * buffer ring. A receive takes one only when its socket is readable, and the core gives it back
 * ({@code recycle}) once the handler released the chunk. All methods must be called on the
 * dispatcher thread; the memory is allocated on the first take (a proactor that never streams
 * receives pays nothing) in a shared arena, because handlers read chunks on worker threads.
 */
final class ProvidedBuffers {
    private final int size;
    private final int count;
    private Arena arena;
    private MemorySegment all;
    private int[] free;
    private int top;
    private int lent;

    ProvidedBuffers(int size, int count) {
        this.size = size;
        this.count = count;
    }

    /** A free buffer's id, or -1 when every buffer is taken. */
    int take() {
        if (arena == null) {
            arena = Arena.ofShared();
            all = arena.allocate((long) size * count, 4096);
            NativeAccounting.allocated((long) size * count);
            free = new int[count];
            for (int i = 0; i < count; i++) {
                free[i] = count - 1 - i;
            }
            top = count;
        }
        if (top == 0) {
            return -1;
        }
        lent++;
        return free[--top];
    }

    /** The whole buffer {@code id}. */
    MemorySegment buffer(int id) {
        return all.asSlice((long) id * size, size);
    }

    /** Takes buffer {@code id} back (unused, or recycled by the core). */
    void giveBack(int id) {
        if (id < 0 || id >= count || lent == 0) {
            throw new IllegalArgumentException("buffer " + id + " is not lent");
        }
        free[top++] = id;
        lent--;
    }

    int lent() {
        return lent;
    }

    int count() {
        return count;
    }

    int size() {
        return size;
    }

    /** Native bytes held. */
    long bytes() {
        return arena == null ? 0 : (long) size * count;
    }

    /** Frees the memory; chunks still lent become inaccessible (their segments throw). */
    void close() {
        if (arena != null) {
            arena.close();
            NativeAccounting.freed((long) size * count);
            arena = null;
        }
    }
}
