package dev.proactor.internal.uring.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Downcalls for the system calls behind io_uring opcodes, for the backend's per-operation fallback
 * when the kernel's probe lacks an opcode: the file calls run on the backend's fallback threads
 * (they may block), the socket calls on the dispatcher with {@link #MSG_DONTWAIT} or on a
 * non-blocking descriptor (they never block). Same conventions as {@link LibC}: each returns the
 * call's result or {@code -errno}, with errno captured into the calling thread's call-state segment.
 * Segments passed in must be accessible from the calling thread (global or shared arenas).
 * Each function is linked on its first call, in a holder class of its own, as in {@link LibC}, so
 * a program links only the calls it makes.
 */
public final class Syscalls {

    private Syscalls() {
    }

    // ---- constants the 6.1 UAPI headers in /usr/include hold as well (values are ABI, stable) ----

    /** {@code SOCK_NONBLOCK} (linux/net.h, = O_NONBLOCK on x86_64 and aarch64). */
    public static final int SOCK_NONBLOCK = 04000;
    /** {@code F_GETFL} (asm-generic/fcntl.h). */
    public static final int F_GETFL = 3;
    /** {@code F_SETFL} (asm-generic/fcntl.h). */
    public static final int F_SETFL = 4;
    /** {@code MSG_DONTWAIT} (linux/socket.h): this call alone is non-blocking. */
    public static final int MSG_DONTWAIT = 0x40;
    /** {@code SO_ERROR} (asm-generic/socket.h): a finished non-blocking connect's outcome. */
    public static final int SO_ERROR = 4;
    /** {@code ESPIPE} (asm-generic/errno-base.h): positional I/O on a pipe or FIFO. */
    public static final int ESPIPE = 29;
    /** {@code EINPROGRESS} (asm-generic/errno.h): a non-blocking connect goes on in the background. */
    public static final int EINPROGRESS = 115;

    private static final class Openat {
        static final MethodHandle HANDLE = LibC.link("openat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                LibC.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(3));
    }
    private static final class Pread {
        static final MethodHandle HANDLE = LibC.link("pread",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), LibC.CAPTURE_ERRNO);
    }
    private static final class Pwrite {
        static final MethodHandle HANDLE = LibC.link("pwrite",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), LibC.CAPTURE_ERRNO);
    }
    private static final class Preadv {
        static final MethodHandle HANDLE = LibC.link("preadv",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG), LibC.CAPTURE_ERRNO);
    }
    private static final class Pwritev {
        static final MethodHandle HANDLE = LibC.link("pwritev",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG), LibC.CAPTURE_ERRNO);
    }
    private static final class Readv {
        static final MethodHandle HANDLE = LibC.link("readv",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), LibC.CAPTURE_ERRNO);
    }
    private static final class Writev {
        static final MethodHandle HANDLE = LibC.link("writev",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), LibC.CAPTURE_ERRNO);
    }
    private static final class Fsync {
        static final MethodHandle HANDLE = LibC.link("fsync",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT), LibC.CAPTURE_ERRNO);
    }
    private static final class Fdatasync {
        static final MethodHandle HANDLE = LibC.link("fdatasync",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT), LibC.CAPTURE_ERRNO);
    }
    private static final class Statx {
        static final MethodHandle HANDLE = LibC.link("statx",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), LibC.CAPTURE_ERRNO);
    }
    private static final class Accept4 {
        static final MethodHandle HANDLE = LibC.link("accept4",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), LibC.CAPTURE_ERRNO);
    }
    private static final class Recv {
        static final MethodHandle HANDLE = LibC.link("recv",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), LibC.CAPTURE_ERRNO);
    }
    private static final class Send {
        static final MethodHandle HANDLE = LibC.link("send",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), LibC.CAPTURE_ERRNO);
    }
    private static final class Sendmsg {
        static final MethodHandle HANDLE = LibC.link("sendmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), LibC.CAPTURE_ERRNO);
    }
    private static final class Recvmsg {
        static final MethodHandle HANDLE = LibC.link("recvmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), LibC.CAPTURE_ERRNO);
    }
    private static final class Shutdown {
        static final MethodHandle HANDLE = LibC.link("shutdown",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), LibC.CAPTURE_ERRNO);
    }
    private static final class Getsockopt {
        static final MethodHandle HANDLE = LibC.link("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), LibC.CAPTURE_ERRNO);
    }
    /** {@code int fcntl(int fd, int cmd, ...)}: the int argument is variadic. */
    private static final class Fcntl {
        static final MethodHandle HANDLE = LibC.link("fcntl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                LibC.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    }

    // ---- files (may block) ----

    /** {@code openat(dirfd, path, flags, mode)}, path NUL-terminated: the fd, or -errno. */
    public static int openat(int dirfd, MemorySegment path, int flags, int mode) {
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            return result((int) Openat.HANDLE.invokeExact(cs, dirfd, path, flags, mode), cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code pread(fd, buf, buf.byteSize(), offset)}: bytes read, or -errno. */
    public static long pread(int fd, MemorySegment buf, long offset) {
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            return result((long) Pread.HANDLE.invokeExact(cs, fd, buf, buf.byteSize(), offset), cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code pwrite(fd, buf, buf.byteSize(), offset)}: bytes written, or -errno. */
    public static long pwrite(int fd, MemorySegment buf, long offset) {
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            return result((long) Pwrite.HANDLE.invokeExact(cs, fd, buf, buf.byteSize(), offset), cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * {@code preadv(fd, iov, count, offset)}, or {@code readv(fd, iov, count)} when {@code offset}
     * is negative: bytes read, or -errno. {@code iov} holds {@code count} {@link IoUringLayouts#IOVEC}s.
     */
    public static long readv(int fd, MemorySegment iov, int count, long offset) {
        LibC.checkLength(iov, count * IoUringLayouts.IOVEC.byteSize());
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            long r = offset < 0 ? (long) Readv.HANDLE.invokeExact(cs, fd, iov, count)
                    : (long) Preadv.HANDLE.invokeExact(cs, fd, iov, count, offset);
            return result(r, cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** As {@link #readv}, writing: {@code pwritev}, or {@code writev} when {@code offset} is negative. */
    public static long writev(int fd, MemorySegment iov, int count, long offset) {
        LibC.checkLength(iov, count * IoUringLayouts.IOVEC.byteSize());
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            long r = offset < 0 ? (long) Writev.HANDLE.invokeExact(cs, fd, iov, count)
                    : (long) Pwritev.HANDLE.invokeExact(cs, fd, iov, count, offset);
            return result(r, cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code fdatasync(fd)} when {@code dataOnly}, else {@code fsync(fd)}: 0, or -errno. */
    public static int fsync(int fd, boolean dataOnly) {
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            return result(dataOnly ? (int) Fdatasync.HANDLE.invokeExact(cs, fd) : (int) Fsync.HANDLE.invokeExact(cs, fd), cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code statx(dirfd, path, flags, mask, buf)} into a {@link IoUringLayouts#STATX} segment: 0, or -errno. */
    public static int statx(int dirfd, MemorySegment path, int flags, int mask, MemorySegment buf) {
        LibC.checkLength(buf, IoUringLayouts.STATX.byteSize());
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            return result((int) Statx.HANDLE.invokeExact(cs, dirfd, path, flags, mask, buf), cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    // ---- sockets (never block here: MSG_DONTWAIT, or a non-blocking descriptor) ----

    /**
     * {@code accept4(fd, addr, len, flags)}: the new fd, or -errno; {@code len} (a socklen_t) holds
     * the room in {@code addr} on entry and the peer address's length on return.
     */
    public static int accept4(int fd, MemorySegment addr, MemorySegment len, int flags) {
        LibC.checkLength(addr, Integer.toUnsignedLong(len.get(JAVA_INT, 0)));
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            return result((int) Accept4.HANDLE.invokeExact(cs, fd, addr, len, flags), cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code recv(fd, buf, buf.byteSize(), flags)}: bytes received (0 at end of stream), or -errno. */
    public static long recv(int fd, MemorySegment buf, int flags) {
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            return result((long) Recv.HANDLE.invokeExact(cs, fd, buf, buf.byteSize(), flags), cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code send(fd, buf, buf.byteSize(), flags)}: bytes sent, or -errno. */
    public static long send(int fd, MemorySegment buf, int flags) {
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            return result((long) Send.HANDLE.invokeExact(cs, fd, buf, buf.byteSize(), flags), cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * {@code sendmsg(fd, msghdr, flags)}: bytes sent, or -errno. {@code msghdr} is an
     * {@link IoUringLayouts#MSGHDR} whose iovecs the caller keeps alive for the call.
     */
    public static long sendmsg(int fd, MemorySegment msghdr, int flags) {
        LibC.checkLength(msghdr, IoUringLayouts.MSGHDR.byteSize());
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            return result((long) Sendmsg.HANDLE.invokeExact(cs, fd, msghdr, flags), cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * {@code recvmsg(fd, msghdr, flags)}: bytes received, 0 at end of stream, or -errno.
     * {@code msghdr} is an {@link IoUringLayouts#MSGHDR} whose iovecs the caller keeps alive for the call.
     */
    public static long recvmsg(int fd, MemorySegment msghdr, int flags) {
        LibC.checkLength(msghdr, IoUringLayouts.MSGHDR.byteSize());
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            return result((long) Recvmsg.HANDLE.invokeExact(cs, fd, msghdr, flags), cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code shutdown(fd, how)}: 0, or -errno. */
    public static int shutdown(int fd, int how) {
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            return result((int) Shutdown.HANDLE.invokeExact(cs, fd, how), cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * {@code getsockopt(fd, level, name, value, len)} for an int option: the value, which is never
     * negative for the options read here, or -errno. {@code scratch} holds at least 8 bytes.
     */
    public static int getIntOption(int fd, int level, int name, MemorySegment scratch) {
        MemorySegment value = scratch.asSlice(0, Integer.BYTES);
        MemorySegment len = scratch.asSlice(Integer.BYTES, Integer.BYTES);
        len.set(JAVA_INT, 0, Integer.BYTES);
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            int r = result((int) Getsockopt.HANDLE.invokeExact(cs, fd, level, name, value, len), cs);
            return r < 0 ? r : value.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * Turns {@code O_NONBLOCK} on or off ({@code fcntl} F_GETFL, then F_SETFL if it changes): 0, or
     * -errno.
     */
    public static int nonBlocking(int fd, boolean on) {
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            int flags = result((int) Fcntl.HANDLE.invokeExact(cs, fd, F_GETFL, 0), cs);
            if (flags < 0) {
                return flags;
            }
            int wanted = on ? flags | IoUringConstants.O_NONBLOCK : flags & ~IoUringConstants.O_NONBLOCK;
            return wanted == flags ? 0 : result((int) Fcntl.HANDLE.invokeExact(cs, fd, F_SETFL, wanted), cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code fcntl(fd, F_GETFL)}: the file status flags of {@code fd}'s open file description, or -errno. */
    public static int statusFlags(int fd) {
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            return result((int) Fcntl.HANDLE.invokeExact(cs, fd, F_GETFL, 0), cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code fcntl(fd, F_SETFL, flags)}: 0, or -errno. */
    public static int setStatusFlags(int fd, int flags) {
        MemorySegment cs = LibC.THREAD_CALL_STATE.get();
        try {
            return result((int) Fcntl.HANDLE.invokeExact(cs, fd, F_SETFL, flags), cs);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static int result(int r, MemorySegment cs) {
        return r == -1 ? -LibC.errno(cs) : r;
    }

    private static long result(long r, MemorySegment cs) {
        return r == -1 ? -LibC.errno(cs) : r;
    }
}
