package dev.proactor.internal.uring.ffi;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * Where a native segment's address is read and stored into a kernel struct: the one place outside
 * the downcalls that handles raw addresses, so that logic classes never do.
 */
public final class Pointers {
    private Pointers() {}

    /** The address of a native segment, as the kernel's {@code __u64 addr} fields want it. */
    public static long address(MemorySegment segment) {
        return segment.address();
    }

    /** Whether a mapping call answered with the NULL pointer. */
    public static boolean isNull(MemorySegment segment) {
        return segment.address() == 0L;
    }

    /**
     * Fills element {@code index} of an array of {@code struct iovec} (linux/uio.h) to describe
     * {@code buffer}.
     */
    public static void putIovec(MemorySegment iovecs, int index, MemorySegment buffer) {
        long base = index * IoUringLayouts.IOVEC.byteSize();
        iovecs.set(JAVA_LONG, base + IoUringLayouts.IOVEC_BASE, buffer.address());
        iovecs.set(JAVA_LONG, base + IoUringLayouts.IOVEC_LEN, buffer.byteSize());
    }

    /**
     * Points a zeroed {@code struct msghdr} ({@link IoUringLayouts#MSGHDR}) at {@code count} iovecs:
     * no address, no control data, as a send on a connected socket wants it.
     */
    public static void putMsghdr(MemorySegment msghdr, MemorySegment iovecs, int count) {
        msghdr.set(JAVA_LONG, IoUringLayouts.MSGHDR_IOV, iovecs.address());
        msghdr.set(JAVA_LONG, IoUringLayouts.MSGHDR_IOVLEN, count);
    }

    /** Stores the address of {@code target} into the 64-bit pointer field at {@code offset}. */
    public static void putPointer(MemorySegment struct, long offset, MemorySegment target) {
        struct.set(JAVA_LONG, offset, target.address());
    }
}
