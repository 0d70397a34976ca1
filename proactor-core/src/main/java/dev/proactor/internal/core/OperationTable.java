package dev.proactor.internal.core;

import java.util.function.Consumer;

/**
 * The dispatcher's table of kernel rounds in flight, addressed by token = slot (32 bits) and
 * generation (24 bits). A slot is reused only after its round was released; the generation makes a
 * completion that names a reused slot's earlier round a stray, never a wrong match. Not thread-safe:
 * all methods must be called on the dispatcher thread.
 */
final class OperationTable {
    static final int GENERATION_BITS = 24;
    static final long GENERATION_MASK = (1L << GENERATION_BITS) - 1;

    private OperationImpl<?>[] slots = new OperationImpl<?>[64];
    private int[] generations = new int[64];
    private int[] free = new int[64];
    private int freeTop;
    private int next;
    private int size;

    /** Takes a slot for {@code op}'s next round; returns its token. */
    long register(OperationImpl<?> op) {
        int slot;
        if (freeTop > 0) {
            slot = free[--freeTop];
        } else {
            if (next == slots.length) {
                grow();
            }
            slot = next++;
        }
        slots[slot] = op;
        int gen = (generations[slot] + 1) & (int) GENERATION_MASK;
        generations[slot] = gen;
        size++;
        return ((long) slot << GENERATION_BITS) | gen;
    }

    /** The operation whose current round has {@code token}, or null. */
    OperationImpl<?> lookup(long token) {
        if (token < 0) {
            return null;
        }
        long slot = token >>> GENERATION_BITS;
        if (slot >= next) {
            return null;
        }
        int s = (int) slot;
        OperationImpl<?> op = slots[s];
        if (op == null || generations[s] != (int) (token & GENERATION_MASK)) {
            return null;
        }
        return op;
    }

    /** Frees the slot of a released round; a token that no longer matches is ignored. */
    void free(long token) {
        if (lookup(token) == null) {
            return;
        }
        int s = (int) (token >>> GENERATION_BITS);
        slots[s] = null;
        if (freeTop == free.length) {
            free = java.util.Arrays.copyOf(free, free.length * 2);
        }
        free[freeTop++] = s;
        size--;
    }

    int size() {
        return size;
    }

    void forEach(Consumer<OperationImpl<?>> action) {
        for (int i = 0; i < next; i++) {
            OperationImpl<?> op = slots[i];
            if (op != null) {
                action.accept(op);
            }
        }
    }

    private void grow() {
        int n = slots.length * 2;
        slots = java.util.Arrays.copyOf(slots, n);
        generations = java.util.Arrays.copyOf(generations, n);
    }
}
