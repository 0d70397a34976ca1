package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_REGISTER_PBUF_RING;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_UNREGISTER_PBUF_RING;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.proactor.internal.spi.NativeAccounting;
import dev.proactor.internal.uring.ffi.IoUringLayouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * A provided buffer ring (IORING_REGISTER_PBUF_RING, kernel 5.19) of equal buffers that multishot
 * receives pick from when data arrives. All methods must be called on the dispatcher thread: the
 * ring's tail has a single writer, the dispatcher, and the kernel alone moves its head.
 *
 * <p>Ownership: a buffer is the kernel's while its entry sits in the ring; a CQE with
 * IORING_CQE_F_BUFFER hands it to the backend ({@link #take}), which lends it to the core as a chunk
 * until {@link #recycle} puts it back. The ring and the buffers are one page-aligned allocation each
 * (the kernel needs the ring page-aligned) in a shared arena, because handlers read chunks on worker
 * threads; closing the arena makes a chunk still held after close fail loudly instead of reading
 * freed memory. Memory is released only by {@link #close}, after the kernel is done.
 */
final class BufferRing {
    /** The buffer group id every multishot receive of the backend names. */
    static final int GROUP = 0;
    private static final long PAGE = 4096;
    private static final VarHandle TAIL = JAVA_SHORT.varHandle();

    private final Arena arena;
    private final MemorySegment ring;
    private final MemorySegment buffers;
    private final int count;
    private final int size;
    private final long bytes;
    private int tail;
    private int lent;

    private BufferRing(Arena arena, MemorySegment ring, MemorySegment buffers, int count, int size, long bytes) {
        this.arena = arena;
        this.ring = ring;
        this.buffers = buffers;
        this.count = count;
        this.size = size;
        this.bytes = bytes;
    }

    /**
     * Allocates {@code count} buffers of {@code size} bytes (count a power of two, at most 32768),
     * registers the ring as group {@link #GROUP} and hands every buffer to the kernel. Returns the
     * ring, or throws {@link IllegalStateException} with the kernel's errno when registration fails
     * (nothing is left allocated then).
     */
    static BufferRing register(Ring uring, int count, int size) {
        long ringBytes = Math.max(PAGE, IoUringLayouts.IO_URING_BUF.byteSize() * count);
        long bytes = ringBytes + (long) count * size;
        Arena arena = Arena.ofShared();
        MemorySegment ring = arena.allocate(ringBytes, PAGE);
        MemorySegment buffers = arena.allocate((long) count * size, PAGE);
        int r;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment reg = scratch.allocate(IoUringLayouts.IO_URING_BUF_REG);
            reg.set(JAVA_LONG, IoUringLayouts.BUF_REG_RING_ADDR, ring.address());
            reg.set(JAVA_INT, IoUringLayouts.BUF_REG_RING_ENTRIES, count);
            reg.set(JAVA_SHORT, IoUringLayouts.BUF_REG_BGID, (short) GROUP);
            r = uring.register(IORING_REGISTER_PBUF_RING, reg, 1);
        }
        if (r < 0) {
            arena.close();
            throw new IllegalStateException("IORING_REGISTER_PBUF_RING failed: errno " + -r);
        }
        NativeAccounting.allocated(bytes);
        BufferRing b = new BufferRing(arena, ring, buffers, count, size, bytes);
        for (int bid = 0; bid < count; bid++) {
            b.put(bid);
        }
        b.publish();
        return b;
    }

    /** The kernel filled buffer {@code bid} with {@code length} bytes: it is lent out until recycled. */
    MemorySegment take(int bid, int length) {
        lent++;
        return buffers.asSlice((long) bid * size, length);
    }

    /** Gives buffer {@code bid}, taken before, back to the kernel. */
    void recycle(int bid) {
        if (bid < 0 || bid >= count || lent == 0) {
            throw new IllegalArgumentException("buffer " + bid + " is not lent");
        }
        lent--;
        put(bid);
        publish();
    }

    /** Writes the entry at the tail (the kernel reads it only after {@link #publish}). */
    private void put(int bid) {
        long e = (long) (tail & (count - 1)) * IoUringLayouts.IO_URING_BUF.byteSize();
        // Entry 0's last field is the ring's tail: only addr, len and bid are written here.
        ring.set(JAVA_LONG, e + IoUringLayouts.BUF_ADDR, buffers.address() + (long) bid * size);
        ring.set(JAVA_INT, e + IoUringLayouts.BUF_LEN, size);
        ring.set(JAVA_SHORT, e + IoUringLayouts.BUF_BID, (short) bid);
        tail++;
    }

    /** Release store of the tail: the kernel sees the entries before the tail that exposes them. */
    private void publish() {
        TAIL.setRelease(ring, IoUringLayouts.BUF_RING_TAIL, (short) tail);
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
        return bytes;
    }

    /**
     * Unregisters the ring and frees the memory. Call only when no receive that names the group is
     * in the kernel; the ring must still be open.
     */
    void close(Ring uring) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment reg = scratch.allocate(IoUringLayouts.IO_URING_BUF_REG);
            reg.set(JAVA_SHORT, IoUringLayouts.BUF_REG_BGID, (short) GROUP);
            uring.register(IORING_UNREGISTER_PBUF_RING, reg, 1);
        }
        arena.close();
        NativeAccounting.freed(bytes);
    }
}
