package dev.proactor.internal.uring.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;

/**
 * Downcalls into the C library: the three io_uring system calls and the few libc functions the
 * ring needs. The calls every proactor makes ({@code io_uring_setup/enter/register},
 * {@code mmap}, {@code munmap}, {@code close}, {@code eventfd}) go through the one
 * {@code syscall(2)} handle by number, so they share its downcall stub; each other function has
 * a handle of its own.
 *
 * <p>Every invoker but the two {@code ...IgnoringErrno} ones returns the call's result, or
 * {@code -errno} when the call returned -1, so callers test {@code result < 0} and never see a
 * {@code -1}. errno is captured by the linker ({@link Linker.Option#captureCallState}) into a
 * <em>call-state segment</em>: either one the caller passes (the overloads whose first parameter
 * is {@code callState}, for the hot path; the segment must be at least {@link #callStateSize()}
 * bytes and used by one thread at a time), or one allocated once per thread and kept in a
 * {@link ThreadLocal}. The segment is not allocated per call, but the JDK checks it by slicing it
 * ({@code SharedUtils.checkCaptureSegment}): a segment object per call unless the JIT removes it,
 * which it did not for the wake-up's eventfd write from a worker (9% of a fixed-response HTTP
 * request's bytes). {@link #writeIgnoringErrno} and {@link #readIgnoringErrno} capture nothing
 * and allocate nothing, for calls whose errno changes nothing (they return -1 on failure).
 *
 * <p>No invoker is {@link Linker.Option#critical critical}: {@code io_uring_enter} blocks, and a
 * critical call would hold up safepoints and the garbage collector while it waits.
 *
 * <p>Each function is linked on its first call, in a holder class of its own (the JVM initialises
 * a class once, thread-safely, and the JIT folds its {@code static final} handle as it would a
 * field of this class): linking a downcall spins a stub and lambda forms at run time, which with
 * the class-file library and the JIT compiling it was most of a short command's start-up, so a
 * program links only the calls it makes. A symbol the platform lacks, or native access denied,
 * fails that first call with an {@link ExceptionInInitializerError}, thrown on; the probe ring's
 * {@code io_uring_setup} is the first call, and {@code UringSupport} reports its error as the
 * cause.
 */
@SuppressWarnings("restricted") // the one package allowed to link and reinterpret
public final class LibC {

    private LibC() {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    /**
     * Where errno sits in a call-state segment, read with a plain {@code get(JAVA_INT, offset)}:
     * a layout path's VarHandle would be adapted with combinators into lambda forms the JVM
     * spins at start-up.
     */
    private static final long ERRNO_OFFSET =
            CALL_STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** {@code long syscall(long number, ...)}: variadic after the number; all six args as long. */
    private static final class Syscall6 {
        static final MethodHandle HANDLE = link("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                        JAVA_LONG, JAVA_LONG),
                CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    }
    /** {@code ssize_t read(int fd, void *buf, size_t count)}. */
    private static final class Read {
        static final MethodHandle HANDLE = link("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    }
    /** {@code ssize_t write(int fd, const void *buf, size_t count)}. */
    private static final class Write {
        static final MethodHandle HANDLE = link("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    }
    /**
     * {@code ssize_t write(int fd, const void *buf, size_t count)} with no errno captured: the JDK
     * slices the call-state segment on every call that captures (a segment object per call), which
     * showed as 9% of the bytes a fixed-response HTTP request allocated, in the wake-up's write.
     */
    private static final class WriteNoErrno {
        static final MethodHandle HANDLE = link("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }
    /** {@code ssize_t read(int fd, void *buf, size_t count)} with no errno captured, as {@link WriteNoErrno}. */
    private static final class ReadNoErrno {
        static final MethodHandle HANDLE = link("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }
    /** {@code int mkfifo(const char *path, mode_t mode)}. */
    private static final class Mkfifo {
        static final MethodHandle HANDLE = link("mkfifo",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    }
    /** {@code int open(const char *path, int flags, ...)}: the mode is the variadic argument. */
    private static final class Open {
        static final MethodHandle HANDLE = link("open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    }
    /** {@code int pipe2(int pipefd[2], int flags)}. */
    private static final class Pipe2 {
        static final MethodHandle HANDLE = link("pipe2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    }
    /** {@code int getrlimit(int resource, struct rlimit *rlim)}. */
    private static final class Getrlimit {
        static final MethodHandle HANDLE = link("getrlimit",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    }

    /** {@code int socket(int domain, int type, int protocol)}. */
    private static final class Socket {
        static final MethodHandle HANDLE = link("socket",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    }
    /** {@code int setsockopt(int fd, int level, int name, const void *value, socklen_t len)}. */
    private static final class Setsockopt {
        static final MethodHandle HANDLE = link("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    }
    /** {@code int bind(int fd, const struct sockaddr *addr, socklen_t len)}. */
    private static final class Bind {
        static final MethodHandle HANDLE = link("bind",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    }
    /** {@code int connect(int fd, const struct sockaddr *addr, socklen_t len)}. */
    private static final class Connect {
        static final MethodHandle HANDLE = link("connect",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    }
    /** {@code int listen(int fd, int backlog)}. */
    private static final class Listen {
        static final MethodHandle HANDLE = link("listen",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    }
    /** {@code int getsockname(int fd, struct sockaddr *addr, socklen_t *len)}. */
    private static final class Getsockname {
        static final MethodHandle HANDLE = link("getsockname",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    }
    /** {@code int getpeername(int fd, struct sockaddr *addr, socklen_t *len)}. */
    private static final class Getpeername {
        static final MethodHandle HANDLE = link("getpeername",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    }

    /**
     * One call-state segment per thread, allocated on the thread's first call and freed by the
     * garbage collector with the thread.
     */
    static final ThreadLocal<MemorySegment> THREAD_CALL_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    /** The bytes a caller-supplied call-state segment needs. */
    public static long callStateSize() {
        return CALL_STATE.byteSize();
    }

    /** The alignment a caller-supplied call-state segment needs. */
    public static long callStateAlignment() {
        return CALL_STATE.byteAlignment();
    }

    /**
     * The errno that the calling thread's last call through a thread-local invoker captured;
     * meaningful right after a call reported failure, for {@link #mmap} which cannot return it.
     */
    public static int lastErrno() {
        return errno(THREAD_CALL_STATE.get());
    }

    // ---- io_uring system calls ----

    /** {@code io_uring_setup(entries, params)}: the ring fd, or -errno. */
    public static int ioUringSetup(int entries, MemorySegment params) {
        return ioUringSetup(THREAD_CALL_STATE.get(), entries, params);
    }

    /** As {@link #ioUringSetup(int, MemorySegment)}, capturing errno into {@code callState}. */
    public static int ioUringSetup(MemorySegment callState, int entries, MemorySegment params) {
        int r = (int) syscall(callState, IoUringConstants.SYS_IO_URING_SETUP, entries, params.address(),
                0, 0, 0, 0);
        // The address went in as a long; keep the segment (and an automatic arena) alive past the call.
        Reference.reachabilityFence(params);
        return r;
    }

    /**
     * {@code io_uring_enter(fd, toSubmit, minComplete, flags, arg, argSize)}: SQEs consumed, or
     * -errno. {@code arg} is {@link MemorySegment#NULL} unless a flag such as
     * {@code IORING_ENTER_EXT_ARG} gives it a meaning. Blocks while waiting for completions.
     */
    public static int ioUringEnter(int fd, int toSubmit, int minComplete, int flags, MemorySegment arg,
                                   long argSize) {
        return ioUringEnter(THREAD_CALL_STATE.get(), fd, toSubmit, minComplete, flags, arg, argSize);
    }

    /** As {@link #ioUringEnter(int, int, int, int, MemorySegment, long)}, errno into {@code callState}. */
    public static int ioUringEnter(MemorySegment callState, int fd, int toSubmit, int minComplete, int flags,
                                   MemorySegment arg, long argSize) {
        int r = (int) syscall(callState, IoUringConstants.SYS_IO_URING_ENTER, fd, toSubmit, minComplete,
                flags, arg.address(), argSize);
        Reference.reachabilityFence(arg);
        return r;
    }

    /** {@code io_uring_register(fd, opcode, arg, nrArgs)}: an opcode-specific result, or -errno. */
    public static int ioUringRegister(int fd, int opcode, MemorySegment arg, int nrArgs) {
        return ioUringRegister(THREAD_CALL_STATE.get(), fd, opcode, arg, nrArgs);
    }

    /** As {@link #ioUringRegister(int, int, MemorySegment, int)}, errno into {@code callState}. */
    public static int ioUringRegister(MemorySegment callState, int fd, int opcode, MemorySegment arg,
                                      int nrArgs) {
        int r = (int) syscall(callState, IoUringConstants.SYS_IO_URING_REGISTER, fd, opcode, arg.address(),
                nrArgs, 0, 0);
        Reference.reachabilityFence(arg);
        return r;
    }

    private static long syscall(MemorySegment callState, long number, long a1, long a2, long a3, long a4,
                                long a5, long a6) {
        try {
            long r = (long) Syscall6.HANDLE.invokeExact(callState, number, a1, a2, a3, a4, a5, a6);
            return r == -1 ? -errno(callState) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- memory mapping ----

    /**
     * {@code mmap(NULL, len, prot, flags, fd, offset)}: the mapping as a segment of {@code len}
     * bytes with no lifetime of its own (the caller unmaps it, typically from an arena cleanup),
     * or {@link MemorySegment#NULL} on failure with the errno in {@link #lastErrno()}.
     */
    public static MemorySegment mmap(long len, int prot, int flags, int fd, long offset) {
        MemorySegment callState = THREAD_CALL_STATE.get();
        // MAP_FAILED is (void *) -1, which syscall turns into -errno, errno staying in callState;
        // a user-space address is never negative as a long.
        long p = syscall(callState, IoUringConstants.SYS_MMAP, 0L, len, prot, flags, fd, offset);
        return p < 0 ? MemorySegment.NULL : MemorySegment.ofAddress(p).reinterpret(len);
    }

    /**
     * As {@link #mmap(long, int, int, int, long)}, but the mapping belongs to {@code arena}:
     * closing the arena invalidates the segment (later access throws) and then unmaps it.
     */
    public static MemorySegment mmap(long len, int prot, int flags, int fd, long offset, Arena arena) {
        MemorySegment raw = mmap(len, prot, flags, fd, offset);
        if (raw.address() == 0L) {
            return raw;
        }
        // The cleanup gets a fresh zero-length view of the same address: widen it for munmap.
        return raw.reinterpret(len, arena, unmapped -> munmap(unmapped.reinterpret(len)));
    }

    /** {@code munmap(segment, segment.byteSize())}: 0, or -errno. */
    public static int munmap(MemorySegment mapping) {
        int r = (int) syscall(THREAD_CALL_STATE.get(), IoUringConstants.SYS_MUNMAP, mapping.address(),
                mapping.byteSize(), 0, 0, 0, 0);
        Reference.reachabilityFence(mapping);
        return r;
    }

    // ---- file descriptors ----

    /** {@code close(fd)}: 0, or -errno. The fd is released even when the result is -EINTR. */
    public static int close(int fd) {
        return (int) syscall(THREAD_CALL_STATE.get(), IoUringConstants.SYS_CLOSE, fd, 0, 0, 0, 0, 0);
    }

    /**
     * {@code openat2(dirfd, path, how, sizeof(struct open_how))}, path NUL-terminated, {@code how}
     * an {@link IoUringLayouts#OPEN_HOW}: the fd, or -errno. May block (on a FIFO without
     * O_NONBLOCK, on a slow file system): for the fallback threads.
     */
    public static int openat2(int dirfd, MemorySegment path, MemorySegment how) {
        int r = (int) syscall(THREAD_CALL_STATE.get(), IoUringConstants.SYS_OPENAT2, dirfd, path.address(),
                how.address(), IoUringLayouts.OPEN_HOW.byteSize(), 0, 0);
        Reference.reachabilityFence(path);
        Reference.reachabilityFence(how);
        return r;
    }

    /** {@code eventfd(initval, flags)}: the new fd, or -errno. */
    public static int eventfd(int initval, int flags) {
        // glibc's eventfd() is the eventfd2 system call.
        return (int) syscall(THREAD_CALL_STATE.get(), IoUringConstants.SYS_EVENTFD2, initval, flags, 0, 0, 0, 0);
    }

    /** {@code read(fd, buf, len)}: bytes read, or -errno; {@code len} must not exceed the segment. */
    public static long read(int fd, MemorySegment buf, long len) {
        checkLength(buf, len);
        MemorySegment callState = THREAD_CALL_STATE.get();
        try {
            long r = (long) Read.HANDLE.invokeExact(callState, fd, buf, len);
            return r == -1 ? -errno(callState) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code write(fd, buf, len)}: bytes written, or -errno; {@code len} must not exceed the segment. */
    public static long write(int fd, MemorySegment buf, long len) {
        checkLength(buf, len);
        MemorySegment callState = THREAD_CALL_STATE.get();
        try {
            long r = (long) Write.HANDLE.invokeExact(callState, fd, buf, len);
            return r == -1 ? -errno(callState) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code write(fd, buf, len)} for a caller that no errno would change: bytes written, or -1.
     * Allocates nothing ({@link WriteNoErrno}); {@code len} must not exceed the segment.
     */
    public static long writeIgnoringErrno(int fd, MemorySegment buf, long len) {
        checkLength(buf, len);
        try {
            return (long) WriteNoErrno.HANDLE.invokeExact(fd, buf, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code read(fd, buf, len)} for a caller that no errno would change: bytes read, or -1.
     * Allocates nothing ({@link ReadNoErrno}); {@code len} must not exceed the segment.
     */
    public static long readIgnoringErrno(int fd, MemorySegment buf, long len) {
        checkLength(buf, len);
        try {
            return (long) ReadNoErrno.HANDLE.invokeExact(fd, buf, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code mkfifo(path, mode)}, path a NUL-terminated string: 0, or -errno. */
    public static int mkfifo(MemorySegment path, int mode) {
        MemorySegment callState = THREAD_CALL_STATE.get();
        try {
            int r = (int) Mkfifo.HANDLE.invokeExact(callState, path, mode);
            return r == -1 ? -errno(callState) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code open(path, flags, mode)}, path a NUL-terminated string: the fd, or -errno. */
    public static int open(MemorySegment path, int flags, int mode) {
        MemorySegment callState = THREAD_CALL_STATE.get();
        try {
            int r = (int) Open.HANDLE.invokeExact(callState, path, flags, mode);
            return r == -1 ? -errno(callState) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code pipe2(fds, flags)}: 0 with the read end in {@code fds[0]} and the write end in
     * {@code fds[1]} (two {@code int}s), or -errno.
     */
    public static int pipe2(MemorySegment fds, int flags) {
        checkLength(fds, 2L * Integer.BYTES);
        MemorySegment callState = THREAD_CALL_STATE.get();
        try {
            int r = (int) Pipe2.HANDLE.invokeExact(callState, fds, flags);
            return r == -1 ? -errno(callState) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code getrlimit(resource, rlimit)} into a {@link IoUringLayouts#RLIMIT} segment: 0, or -errno. */
    public static int getrlimit(int resource, MemorySegment rlimit) {
        MemorySegment callState = THREAD_CALL_STATE.get();
        try {
            int r = (int) Getrlimit.HANDLE.invokeExact(callState, resource, rlimit);
            return r == -1 ? -errno(callState) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- sockets (none of these blocks: they only create, configure or describe a socket) ----

    /** {@code socket(domain, type, protocol)}: the new fd, or -errno. */
    public static int socket(int domain, int type, int protocol) {
        MemorySegment callState = THREAD_CALL_STATE.get();
        try {
            int r = (int) Socket.HANDLE.invokeExact(callState, domain, type, protocol);
            return r == -1 ? -errno(callState) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code setsockopt(fd, level, name, value, value.byteSize())}: 0, or -errno. */
    public static int setsockopt(int fd, int level, int name, MemorySegment value) {
        MemorySegment callState = THREAD_CALL_STATE.get();
        try {
            int r = (int) Setsockopt.HANDLE.invokeExact(callState, fd, level, name, value, (int) value.byteSize());
            return r == -1 ? -errno(callState) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code bind(fd, addr, len)}; {@code len} must not exceed the segment: 0, or -errno. */
    public static int bind(int fd, MemorySegment addr, int len) {
        checkLength(addr, len);
        MemorySegment callState = THREAD_CALL_STATE.get();
        try {
            int r = (int) Bind.HANDLE.invokeExact(callState, fd, addr, len);
            return r == -1 ? -errno(callState) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code connect(fd, addr, len)}, for the uses that never block: an {@code AF_UNSPEC} address
     * dissolves a TCP socket's association (tcp_disconnect: the send queue is purged and the peer
     * gets a reset), and a connect on a non-blocking socket answers at once (-EINPROGRESS while the
     * connection goes on). 0, or -errno.
     */
    public static int connect(int fd, MemorySegment addr, int len) {
        checkLength(addr, len);
        MemorySegment callState = THREAD_CALL_STATE.get();
        try {
            int r = (int) Connect.HANDLE.invokeExact(callState, fd, addr, len);
            return r == -1 ? -errno(callState) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code listen(fd, backlog)}: 0, or -errno. */
    public static int listen(int fd, int backlog) {
        MemorySegment callState = THREAD_CALL_STATE.get();
        try {
            int r = (int) Listen.HANDLE.invokeExact(callState, fd, backlog);
            return r == -1 ? -errno(callState) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code getsockname(fd, addr, len)}: {@code len} (a socklen_t) holds the room in {@code addr}
     * on entry and the address's true length on return. 0, or -errno.
     */
    public static int getsockname(int fd, MemorySegment addr, MemorySegment len) {
        checkSocklen(addr, len);
        MemorySegment callState = THREAD_CALL_STATE.get();
        try {
            int r = (int) Getsockname.HANDLE.invokeExact(callState, fd, addr, len);
            return r == -1 ? -errno(callState) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code getpeername(fd, addr, len)}, with {@code len} as for {@link #getsockname}: 0, or -errno. */
    public static int getpeername(int fd, MemorySegment addr, MemorySegment len) {
        checkSocklen(addr, len);
        MemorySegment callState = THREAD_CALL_STATE.get();
        try {
            int r = (int) Getpeername.HANDLE.invokeExact(callState, fd, addr, len);
            return r == -1 ? -errno(callState) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- plumbing ----

    static int errno(MemorySegment callState) {
        return callState.get(JAVA_INT, ERRNO_OFFSET);
    }

    static void checkLength(MemorySegment buf, long len) {
        if (len < 0 || len > buf.byteSize()) {
            throw new IndexOutOfBoundsException("length " + len + " outside segment of " + buf.byteSize());
        }
    }

    private static void checkSocklen(MemorySegment addr, MemorySegment len) {
        if (len.byteSize() < JAVA_INT.byteSize()) {
            throw new IndexOutOfBoundsException("socklen_t needs 4 bytes, segment has " + len.byteSize());
        }
        checkLength(addr, Integer.toUnsignedLong(len.get(JAVA_INT, 0)));
    }

    static MethodHandle link(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc symbol not found: " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("downcall failed", t);
    }
}
