package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.proactor.FileOpenOption;
import dev.proactor.FileStat;
import dev.proactor.ResolveOption;
import dev.proactor.internal.spi.Request;
import dev.proactor.internal.uring.ffi.IoUringLayouts;
import dev.proactor.internal.uring.ffi.Pointers;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.MemorySegment;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;

/**
 * How requests' arguments are put to the kernel and its answers read back: timespecs, iovecs,
 * msghdrs, open(2) flags, shutdown(2)'s how, a statx buffer. The ring's SQEs and the fallback's
 * system calls use the same encodings, so the two paths cannot drift apart.
 */
final class KernelArgs {

    /** The kernel caps a single read or write at this many bytes (MAX_RW_COUNT). */
    private static final long MAX_RW = 0x7ffff000L;

    private KernelArgs() {
    }

    static int shutdownHow(Request.Shutdown sh) {
        if (sh.input() && sh.output()) {
            return SHUT_RDWR;
        }
        if (sh.input()) {
            return SHUT_RD;
        }
        if (sh.output()) {
            return SHUT_WR;
        }
        throw new IllegalArgumentException("shutdown of neither direction");
    }

    static int len(MemorySegment buffer) {
        return (int) Math.min(buffer.byteSize(), MAX_RW);
    }

    static MemorySegment timespec(SegmentAllocator arena, long deadlineNanos) {
        // The nanoTime clock is CLOCK_MONOTONIC on Linux, the clock IORING_TIMEOUT_ABS uses by default.
        MemorySegment ts = arena.allocate(IoUringLayouts.KERNEL_TIMESPEC);
        ts.set(JAVA_LONG, IoUringLayouts.TIMESPEC_TV_SEC, Math.floorDiv(deadlineNanos, 1_000_000_000L));
        ts.set(JAVA_LONG, IoUringLayouts.TIMESPEC_TV_NSEC, Math.floorMod(deadlineNanos, 1_000_000_000L));
        return ts;
    }

    static MemorySegment iovecs(SegmentAllocator arena, MemorySegment[] buffers) {
        MemorySegment v = arena.allocate(IoUringLayouts.IOVEC, buffers.length);
        for (int i = 0; i < buffers.length; i++) {
            Pointers.putIovec(v, i, buffers[i]);
        }
        return v;
    }

    /** Native bytes a vectored send's or receive's {@link #msghdr} takes for {@code buffers}: the header and its iovecs. */
    static long msghdrBytes(MemorySegment[] buffers) {
        return IoUringLayouts.MSGHDR.byteSize() + IoUringLayouts.IOVEC.byteSize() * buffers.length;
    }

    /** A {@code struct msghdr} for a gather send or scatter receive of {@code buffers}, with its iovecs, in {@code arena}. */
    static MemorySegment msghdr(SegmentAllocator arena, MemorySegment[] buffers) {
        MemorySegment m = arena.allocate(IoUringLayouts.MSGHDR);
        Pointers.putMsghdr(m, iovecs(arena, buffers), buffers.length);
        return m;
    }

    static int openFlags(Set<OpenOption> options) {
        boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        boolean read = options.contains(StandardOpenOption.READ);
        int flags = O_CLOEXEC | (write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY);
        if (options.contains(StandardOpenOption.CREATE_NEW)) {
            flags |= O_CREAT | O_EXCL;
        } else if (options.contains(StandardOpenOption.CREATE)) {
            flags |= O_CREAT;
        }
        if (options.contains(StandardOpenOption.TRUNCATE_EXISTING) && write) {
            flags |= O_TRUNC;
        }
        if (options.contains(StandardOpenOption.APPEND)) {
            flags |= O_APPEND;
        }
        if (options.contains(StandardOpenOption.SYNC)) {
            flags |= O_SYNC;
        } else if (options.contains(StandardOpenOption.DSYNC)) {
            flags |= O_DSYNC;
        }
        if (options.contains(LinkOption.NOFOLLOW_LINKS)) {
            flags |= O_NOFOLLOW;
        }
        if (options.contains(FileOpenOption.DIRECT)) {
            flags |= O_DIRECT;
        }
        if (options.contains(FileOpenOption.NON_BLOCKING)) {
            flags |= O_NONBLOCK;
        }
        return flags;
    }

    /** The RESOLVE_* bits of {@code rules}. */
    static long resolveFlags(Set<ResolveOption> rules) {
        long bits = 0;
        for (ResolveOption r : rules) {
            bits |= switch (r) {
                case BENEATH -> RESOLVE_BENEATH;
                case NO_SYMLINKS -> RESOLVE_NO_SYMLINKS;
                case NO_MAGICLINKS -> RESOLVE_NO_MAGICLINKS;
            };
        }
        return bits;
    }

    /**
     * The {@code struct open_how} of {@code o}, in {@code arena}. openat2 refuses a mode without
     * O_CREAT (EINVAL), so the mode goes in only with it; O_LARGEFILE is set as openat(2) sets it
     * on 64-bit, the kernel taking open_how's flags as they are.
     */
    static MemorySegment openHow(SegmentAllocator arena, Request.OpenAt o) {
        MemorySegment how = arena.allocate(IoUringLayouts.OPEN_HOW);
        int flags = openFlags(o.options()) | O_LARGEFILE;
        how.set(JAVA_LONG, IoUringLayouts.OPEN_HOW_FLAGS, flags & 0xffffffffL);
        how.set(JAVA_LONG, IoUringLayouts.OPEN_HOW_MODE, (flags & O_CREAT) != 0 ? o.mode() : 0);
        how.set(JAVA_LONG, IoUringLayouts.OPEN_HOW_RESOLVE, resolveFlags(o.resolve()));
        return how;
    }

    /** Native bytes an OpenAt's arguments take: the NUL-terminated path, then the open_how (8-aligned). */
    static long openAtBytes(Request.OpenAt o) {
        return o.path().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1
                + 8 + IoUringLayouts.OPEN_HOW.byteSize();
    }

    static FileStat decodeStat(MemorySegment buf) {
        long mtime = IoUringLayouts.STATX_MTIME_OFFSET;
        return new FileStat(
                buf.get(JAVA_LONG, IoUringLayouts.STATX_SIZE_OFFSET),
                buf.get(JAVA_LONG, IoUringLayouts.STATX_BLOCKS_OFFSET),
                buf.get(JAVA_INT, IoUringLayouts.STATX_BLKSIZE),
                Short.toUnsignedInt(buf.get(JAVA_SHORT, IoUringLayouts.STATX_MODE_OFFSET)),
                buf.get(JAVA_LONG, IoUringLayouts.STATX_INO_OFFSET),
                Integer.toUnsignedLong(buf.get(JAVA_INT, IoUringLayouts.STATX_NLINK_OFFSET)),
                instant(buf, mtime),
                instant(buf, IoUringLayouts.STATX_ATIME_OFFSET),
                instant(buf, IoUringLayouts.STATX_CTIME_OFFSET));
    }

    private static Instant instant(MemorySegment statx, long timestampOffset) {
        return Instant.ofEpochSecond(statx.get(JAVA_LONG, timestampOffset + IoUringLayouts.STATX_TIMESTAMP_SEC),
                Integer.toUnsignedLong(statx.get(JAVA_INT, timestampOffset + IoUringLayouts.STATX_TIMESTAMP_NSEC)));
    }
}
