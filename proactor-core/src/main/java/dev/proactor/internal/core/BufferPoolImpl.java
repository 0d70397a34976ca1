package dev.proactor.internal.core;

import dev.proactor.internal.spi.NativeAccounting;

import dev.proactor.BufferLease;
import dev.proactor.BufferPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The proactor's slab pool: one native allocation cut into equal slabs, handed out as leases.
 * Thread-safe. Each lease object stands for one tenure of one slab; its state moves
 * LEASED → (LENT → LEASED)* → RELEASED, and a transition from any other state fails loudly.
 */
final class BufferPoolImpl implements BufferPool {
    private static final int LEASED = 1;
    private static final int LENT = 2;
    private static final int RELEASED = 3;

    private final Arena arena;
    private final MemorySegment[] slabs;
    private final int size;
    private final long bytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final Lease[] current;
    private volatile boolean registered;
    private boolean closed;

    BufferPoolImpl(int size, int count) {
        this.size = size;
        this.bytes = (long) size * count;
        this.arena = Arena.ofShared();
        this.slabs = new MemorySegment[count];
        this.current = new Lease[count];
        if (count > 0) {
            // Page-aligned so that the slabs also suit O_DIRECT and registered-buffer pinning.
            MemorySegment all = arena.allocate(bytes, 4096);
            NativeAccounting.allocated(bytes);
            for (int i = 0; i < count; i++) {
                slabs[i] = all.asSlice((long) i * size, size);
                free.add(i);
            }
        }
    }

    MemorySegment[] slabs() {
        return slabs.clone();
    }

    void registered(boolean r) {
        registered = r;
    }

    @Override
    public int bufferSize() {
        return size;
    }

    @Override
    public int capacity() {
        return slabs.length;
    }

    @Override
    public int leased() {
        lock.lock();
        try {
            return slabs.length - free.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean registered() {
        return registered;
    }

    @Override
    public BufferLease tryLease() {
        lock.lock();
        try {
            return take();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public BufferLease lease(Duration maxWait) throws TimeoutException, InterruptedException {
        long left = maxWait.toNanos();
        lock.lockInterruptibly();
        try {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("buffer pool closed");
                }
                Lease l = take();
                if (l != null) {
                    return l;
                }
                if (left <= 0) {
                    throw new TimeoutException("no buffer released within " + maxWait + " (" + slabs.length + " slabs, all leased)");
                }
                left = freed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private Lease take() {
        if (closed) {
            throw new IllegalStateException("buffer pool closed");
        }
        Integer i = free.poll();
        if (i == null) {
            return null;
        }
        Lease l = new Lease(i);
        current[i] = l;
        return l;
    }

    /** Lends {@code lease} to an operation for its first {@code length} bytes; fails if it cannot be lent. */
    Lease lendToOperation(BufferLease lease, int length) {
        if (!(lease instanceof Lease l) || l.pool() != this) {
            throw new IllegalArgumentException("lease does not belong to this proactor's pool");
        }
        if (length < 0 || length > size) {
            throw new IllegalArgumentException("length " + length + " outside [0, " + size + "]");
        }
        if (!l.state.compareAndSet(LEASED, LENT)) {
            throw new IllegalStateException(l.state.get() == LENT
                    ? "lease " + l.index + " is already lent to an operation that has not ended"
                    : "lease " + l.index + " was released");
        }
        return l;
    }

    /**
     * Frees the slabs. Leases the application still holds are reclaimed (their segments become
     * inaccessible); returns how many. If {@code keep} is true, an operation the kernel never
     * released still holds a slab, so the memory is kept, not freed.
     */
    int close(boolean keep) {
        int reclaimed = 0;
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            closed = true;
            for (int i = 0; i < current.length; i++) {
                Lease l = current[i];
                if (l != null && l.state.getAndSet(RELEASED) != RELEASED) {
                    reclaimed++;
                }
                if (l != null) {
                    current[i] = null;
                    free.push(i);
                }
            }
            freed.signalAll();
        } finally {
            lock.unlock();
        }
        if (!keep && slabs.length > 0) {
            arena.close();
            NativeAccounting.freed(bytes);
        }
        return reclaimed;
    }

    /** Native bytes held by the pool. */
    long bytes() {
        return bytes;
    }

    /** One tenure of one slab. */
    final class Lease implements BufferLease, LentMemory {
        final int index;
        final AtomicInteger state = new AtomicInteger(LEASED);

        Lease(int index) {
            this.index = index;
        }

        BufferPoolImpl pool() {
            return BufferPoolImpl.this;
        }

        /** The registered index for the kernel, or -1 when the pool is not registered. */
        @Override
        public int registeredIndex() {
            return registered ? index : -1;
        }

        MemorySegment slice(int length) {
            return slabs[index].asSlice(0, length);
        }

        @Override
        public void returnFromOperation() {
            state.compareAndSet(LENT, LEASED);
        }

        @Override
        public MemorySegment segment() {
            if (state.get() == RELEASED) {
                throw new IllegalStateException("lease " + index + " was released");
            }
            return slabs[index];
        }

        @Override
        public ByteBuffer asByteBuffer() {
            return segment().asByteBuffer();
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public boolean isReleased() {
            return state.get() == RELEASED;
        }

        @Override
        public void release() {
            int s = state.get();
            if (s == LENT) {
                throw new IllegalStateException("lease " + index + " is lent to an operation that has not ended");
            }
            if (s == RELEASED || !state.compareAndSet(LEASED, RELEASED)) {
                throw new IllegalStateException("lease " + index + " was already released");
            }
            lock.lock();
            try {
                if (current[index] == this) {
                    current[index] = null;
                    if (!closed) {
                        free.push(index);
                        freed.signal();
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String toString() {
            return "BufferLease[" + index + ", " + size + " bytes, " + switch (state.get()) {
                case LEASED -> "leased";
                case LENT -> "lent";
                default -> "released";
            } + "]";
        }
    }
}
