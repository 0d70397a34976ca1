package dev.proactor.internal.uring;

import dev.proactor.internal.spi.NativeAccounting;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.ArrayDeque;

/**
 * The native memory of one submission's kernel arguments besides its buffer (a timespec, iovecs,
 * a msghdr, a sockaddr, a statx buffer, a path), held in its {@link OpState} until the last CQE
 * is reaped. Memory comes zeroed, as an arena's does.
 *
 * <p>Most submissions need a few dozen bytes: a send of a response head and its body needs a
 * msghdr and two iovecs (88 bytes), a read with a deadline a timespec (16). An arena of their own
 * each, as they once had, cost a malloc, a free and five objects per request (the largest share
 * of what a small-file HTTP request allocated, by JFR's allocation samples). So blocks of three
 * sizes are carved from chunks the backend keeps and are handed out again once reaped; only a
 * request that needs more than the largest block (a long path, a msghdr of many buffers) gets an
 * arena of its own.
 *
 * <p>The pool never gives chunks back while the backend is open: what it holds is what the most
 * submissions in flight at once needed, at most 512 bytes each, and {@link Pool#bytes()} counts
 * it. Dispatcher thread only.
 */
final class Scratch implements SegmentAllocator {
    /** Block sizes: a timespec; a two-buffer msghdr or a sockaddr; a statx buffer with a timespec. */
    private static final long[] SIZES = {32, 128, 512};
    /** Blocks carved from one chunk. */
    private static final int PER_CHUNK = 32;

    private final Pool pool;
    private final int sizeClass;
    private final MemorySegment block;
    /** The arena of a request too large for a block; null for a pooled block. */
    private final Arena own;
    private long used;

    private Scratch(Pool pool, int sizeClass, MemorySegment block, Arena own) {
        this.pool = pool;
        this.sizeClass = sizeClass;
        this.block = block;
        this.own = own;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (byteSize < 0 || byteAlignment <= 0 || Long.bitCount(byteAlignment) != 1) {
            throw new IllegalArgumentException("size " + byteSize + ", alignment " + byteAlignment);
        }
        long start = (used + byteAlignment - 1) & -byteAlignment;
        if (start + byteSize > block.byteSize()) {
            // The pool sized this block from the request's scratchBytes: a miscount there.
            throw new IllegalStateException("scratch of " + block.byteSize() + " bytes cannot hold " + byteSize
                    + " more at " + start);
        }
        used = start + byteSize;
        MemorySegment s = block.asSlice(start, byteSize);
        s.fill((byte) 0);
        return s;
    }

    /** Gives the memory back: the kernel no longer reads or writes it. */
    void close() {
        pool.give(this);
    }

    /**
     * The blocks, the chunks they come from and the outsized arenas of one backend. Bytes are
     * counted in {@link NativeAccounting} when a chunk or an outsized arena is made, and freed
     * when it is.
     */
    static final class Pool {
        private final Arena chunks = Arena.ofShared();
        @SuppressWarnings("unchecked")
        private final ArrayDeque<Scratch>[] free = new ArrayDeque[SIZES.length];
        /** Native bytes of the chunks and of the outsized arenas in use. */
        private long bytes;
        /** Scratches handed out and not given back. */
        private int outstanding;
        private boolean closed;

        Pool() {
            for (int i = 0; i < free.length; i++) {
                free[i] = new ArrayDeque<>();
            }
        }

        /** Memory for {@code size} bytes of kernel arguments, in the alignments they need. */
        Scratch take(long size) {
            if (closed) {
                throw new IllegalStateException("the backend is closed");
            }
            // A request makes at most three allocations, each of which may lose up to 7 bytes to
            // alignment (the arguments align to 8 at most); scratchBytes counts only their sizes.
            long need = size + 24;
            for (int c = 0; c < SIZES.length; c++) {
                if (need <= SIZES[c]) {
                    Scratch s = free[c].poll();
                    if (s == null) {
                        carve(c);
                        s = free[c].poll();
                    }
                    s.used = 0;
                    outstanding++;
                    return s;
                }
            }
            Arena arena = Arena.ofConfined();
            bytes += need;
            NativeAccounting.allocated(need);
            outstanding++;
            return new Scratch(this, -1, arena.allocate(need, 8), arena);
        }

        private void carve(int c) {
            long size = SIZES[c];
            MemorySegment chunk = chunks.allocate(size * PER_CHUNK, 16);
            bytes += chunk.byteSize();
            NativeAccounting.allocated(chunk.byteSize());
            for (int i = 0; i < PER_CHUNK; i++) {
                free[c].add(new Scratch(this, c, chunk.asSlice(i * size, size), null));
            }
        }

        private void give(Scratch s) {
            outstanding--;
            if (s.own != null) {
                s.own.close();
                bytes -= s.block.byteSize();
                NativeAccounting.freed(s.block.byteSize());
            } else if (!closed) {
                free[s.sizeClass].push(s);
            }
        }

        /** Scratches taken and not given back, for tests and diagnostics. */
        int outstanding() {
            return outstanding;
        }

        /** Native bytes held now. */
        long bytes() {
            return bytes;
        }

        /**
         * Frees the chunks, unless a scratch is still out: a submission the kernel still holds at
         * the backend's close may write to it, so then every chunk is kept (and still counted).
         */
        void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (outstanding == 0) {
                chunks.close();
                NativeAccounting.freed(bytes);
                bytes = 0;
            }
        }
    }
}
