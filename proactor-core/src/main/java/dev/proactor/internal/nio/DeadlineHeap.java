package dev.proactor.internal.nio;

import java.util.Arrays;

/**
 * Confined to the dispatcher thread, like the backend that owns it: the portable backend's timer
 * queue, a binary min-heap of absolute {@link System#nanoTime()} deadlines, each entry knowing its
 * own index so that it can be removed in O(log n).
 *
 * <p>Why a heap and not a hashed timing wheel: the wheel's O(1) insert pays off with very many
 * timeouts that tolerate a tick's slack (Netty's idle timers). Here entries are the timers and the
 * deadlines of operations in flight, bounded by the proactor's in-flight limit (thousands, not
 * millions), every entry is removed well before it fires in the common case (the operation
 * finished in time), and a timer must never fire early: the heap gives the exact earliest deadline
 * for the selector's wait and fires at that deadline, not at a tick rounded around it, with no
 * ticking thread and no empty-bucket scans while idle.
 *
 * <p>Deadlines are compared as {@code a - b < 0}, as {@code System.nanoTime()} requires, so the
 * heap stays correct across the clock's wrap-around.
 */
final class DeadlineHeap {

    /** An entry's position in the heap; {@link #NOT_QUEUED} while it is not in one. */
    abstract static class Entry {
        static final int NOT_QUEUED = -1;
        long deadlineNanos;
        int heapIndex = NOT_QUEUED;

        /** Whether the entry is in a heap now. */
        final boolean queued() {
            return heapIndex != NOT_QUEUED;
        }
    }

    private Entry[] heap = new Entry[16];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Queues {@code e} to fire at {@code deadlineNanos}. The entry must not be queued already. */
    void add(Entry e, long deadlineNanos) {
        if (e.queued()) {
            throw new IllegalStateException("entry already queued");
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        e.deadlineNanos = deadlineNanos;
        heap[size] = e;
        e.heapIndex = size;
        size++;
        up(e.heapIndex);
    }

    /** The entry with the earliest deadline, or null when empty. */
    Entry peek() {
        return size == 0 ? null : heap[0];
    }

    /** Removes and returns the earliest entry if its deadline is at or before {@code now}, else null. */
    Entry pollExpired(long now) {
        if (size == 0 || now - heap[0].deadlineNanos < 0) {
            return null;
        }
        Entry e = heap[0];
        removeAt(0);
        return e;
    }

    /** Removes {@code e} if it is queued; returns whether it was. */
    boolean remove(Entry e) {
        int i = e.heapIndex;
        if (i == Entry.NOT_QUEUED) {
            return false;
        }
        if (i >= size || heap[i] != e) {
            throw new IllegalStateException("entry belongs to another heap");
        }
        removeAt(i);
        return true;
    }

    /**
     * Nanoseconds from {@code now} until the earliest deadline: 0 when it has passed, -1 when the heap
     * is empty.
     */
    long nanosUntilFirst(long now) {
        if (size == 0) {
            return -1;
        }
        return Math.max(0, heap[0].deadlineNanos - now);
    }

    private void removeAt(int i) {
        Entry gone = heap[i];
        gone.heapIndex = Entry.NOT_QUEUED;
        size--;
        if (i == size) {
            heap[size] = null;
            return;
        }
        Entry last = heap[size];
        heap[size] = null;
        heap[i] = last;
        last.heapIndex = i;
        if (i > 0 && before(last, heap[(i - 1) >>> 1])) {
            up(i);
        } else {
            down(i);
        }
    }

    private static boolean before(Entry a, Entry b) {
        return a.deadlineNanos - b.deadlineNanos < 0;
    }

    private void up(int i) {
        Entry e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Entry p = heap[parent];
            if (!before(e, p)) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = e;
        e.heapIndex = i;
    }

    private void down(int i) {
        Entry e = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(heap[right], heap[child])) {
                child = right;
            }
            if (!before(heap[child], e)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = e;
        e.heapIndex = i;
    }
}
