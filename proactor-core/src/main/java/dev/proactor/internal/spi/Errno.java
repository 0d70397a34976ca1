package dev.proactor.internal.spi;

/**
 * Linux errno numbers, names and texts (the asm-generic numbering, shared by x86_64 and aarch64:
 * include/uapi/asm-generic/errno-base.h and errno.h; texts as glibc's strerror). Both backends
 * report failures in these numbers, the portable one by mapping Java exceptions to them, so that
 * they fail alike.
 */
public final class Errno {
    private Errno() {}

    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** No such file or directory. */
    public static final int ENOENT = 2;
    /** Interrupted system call. */
    public static final int EINTR = 4;
    /** Input/output error. */
    public static final int EIO = 5;
    /** No such device or address. */
    public static final int ENXIO = 6;
    /** Bad address. */
    public static final int EFAULT = 14;
    /** Not a directory. */
    public static final int ENOTDIR = 20;
    /** Too many open files. */
    public static final int EMFILE = 24;
    /** Illegal seek. */
    public static final int ESPIPE = 29;
    /** Too many levels of symbolic links. */
    public static final int ELOOP = 40;
    /** Bad file descriptor. */
    public static final int EBADF = 9;
    /** Resource temporarily unavailable. */
    public static final int EAGAIN = 11;
    /** Cannot allocate memory. */
    public static final int ENOMEM = 12;
    /** Permission denied. */
    public static final int EACCES = 13;
    /** Device or resource busy. */
    public static final int EBUSY = 16;
    /** File exists. */
    public static final int EEXIST = 17;
    /** Is a directory. */
    public static final int EISDIR = 21;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** No space left on device. */
    public static final int ENOSPC = 28;
    /** Function not implemented. */
    public static final int ENOSYS = 38;
    /** Timer expired. */
    public static final int ETIME = 62;
    /** Broken pipe. */
    public static final int EPIPE = 32;
    /** Socket operation on non-socket. */
    public static final int ENOTSOCK = 88;
    /** Operation not supported. */
    public static final int EOPNOTSUPP = 95;
    /** Address family not supported by protocol. */
    public static final int EAFNOSUPPORT = 97;
    /** Transport endpoint is already connected. */
    public static final int EISCONN = 106;
    /** No buffer space available. */
    public static final int ENOBUFS = 105;
    /** Connection reset by peer. */
    public static final int ECONNRESET = 104;
    /** Transport endpoint is not connected. */
    public static final int ENOTCONN = 107;
    /** Connection timed out. */
    public static final int ETIMEDOUT = 110;
    /** Connection refused. */
    public static final int ECONNREFUSED = 111;
    /** Operation already in progress. */
    public static final int EALREADY = 114;
    /** Operation canceled. */
    public static final int ECANCELED = 125;

    private static final String[][] TABLE = new String[134][];
    /** Filled by the static block below, so declared before it. */
    private static final java.util.Map<String, Integer> BY_TEXT = new java.util.HashMap<>();

    static {
        def(1, "EPERM", "Operation not permitted");
        def(2, "ENOENT", "No such file or directory");
        def(3, "ESRCH", "No such process");
        def(4, "EINTR", "Interrupted system call");
        def(5, "EIO", "Input/output error");
        def(6, "ENXIO", "No such device or address");
        def(7, "E2BIG", "Argument list too long");
        def(8, "ENOEXEC", "Exec format error");
        def(9, "EBADF", "Bad file descriptor");
        def(10, "ECHILD", "No child processes");
        def(11, "EAGAIN", "Resource temporarily unavailable");
        def(12, "ENOMEM", "Cannot allocate memory");
        def(13, "EACCES", "Permission denied");
        def(14, "EFAULT", "Bad address");
        def(15, "ENOTBLK", "Block device required");
        def(16, "EBUSY", "Device or resource busy");
        def(17, "EEXIST", "File exists");
        def(18, "EXDEV", "Invalid cross-device link");
        def(19, "ENODEV", "No such device");
        def(20, "ENOTDIR", "Not a directory");
        def(21, "EISDIR", "Is a directory");
        def(22, "EINVAL", "Invalid argument");
        def(23, "ENFILE", "Too many open files in system");
        def(24, "EMFILE", "Too many open files");
        def(25, "ENOTTY", "Inappropriate ioctl for device");
        def(26, "ETXTBSY", "Text file busy");
        def(27, "EFBIG", "File too large");
        def(28, "ENOSPC", "No space left on device");
        def(29, "ESPIPE", "Illegal seek");
        def(30, "EROFS", "Read-only file system");
        def(31, "EMLINK", "Too many links");
        def(32, "EPIPE", "Broken pipe");
        def(33, "EDOM", "Numerical argument out of domain");
        def(34, "ERANGE", "Numerical result out of range");
        def(35, "EDEADLK", "Resource deadlock avoided");
        def(36, "ENAMETOOLONG", "File name too long");
        def(37, "ENOLCK", "No locks available");
        def(38, "ENOSYS", "Function not implemented");
        def(39, "ENOTEMPTY", "Directory not empty");
        def(40, "ELOOP", "Too many levels of symbolic links");
        def(61, "ENODATA", "No data available");
        def(62, "ETIME", "Timer expired");
        def(75, "EOVERFLOW", "Value too large for defined data type");
        def(77, "EBADFD", "File descriptor in bad state");
        def(84, "EILSEQ", "Invalid or incomplete multibyte or wide character");
        def(88, "ENOTSOCK", "Socket operation on non-socket");
        def(89, "EDESTADDRREQ", "Destination address required");
        def(90, "EMSGSIZE", "Message too long");
        def(91, "EPROTOTYPE", "Protocol wrong type for socket");
        def(92, "ENOPROTOOPT", "Protocol not available");
        def(93, "EPROTONOSUPPORT", "Protocol not supported");
        def(95, "EOPNOTSUPP", "Operation not supported");
        def(97, "EAFNOSUPPORT", "Address family not supported by protocol");
        def(98, "EADDRINUSE", "Address already in use");
        def(99, "EADDRNOTAVAIL", "Cannot assign requested address");
        def(100, "ENETDOWN", "Network is down");
        def(101, "ENETUNREACH", "Network is unreachable");
        def(102, "ENETRESET", "Network dropped connection on reset");
        def(103, "ECONNABORTED", "Software caused connection abort");
        def(104, "ECONNRESET", "Connection reset by peer");
        def(105, "ENOBUFS", "No buffer space available");
        def(106, "EISCONN", "Transport endpoint is already connected");
        def(107, "ENOTCONN", "Transport endpoint is not connected");
        def(108, "ESHUTDOWN", "Cannot send after transport endpoint shutdown");
        def(110, "ETIMEDOUT", "Connection timed out");
        def(111, "ECONNREFUSED", "Connection refused");
        def(112, "EHOSTDOWN", "Host is down");
        def(113, "EHOSTUNREACH", "No route to host");
        def(114, "EALREADY", "Operation already in progress");
        def(115, "EINPROGRESS", "Operation now in progress");
        def(122, "EDQUOT", "Disk quota exceeded");
        def(125, "ECANCELED", "Operation canceled");
        def(133, "EHWPOISON", "Memory page has hardware error");
    }

    private static void def(int n, String name, String text) {
        TABLE[n] = new String[] {name, text};
        BY_TEXT.put(text, n);
    }

    /**
     * The errno whose system text ({@code strerror}, glibc's wording) is {@code text}, or -1. The JDK
     * keeps a failed call's errno only as that text, so the portable backend maps it back here.
     */
    public static int byText(String text) {
        Integer n = text == null ? null : BY_TEXT.get(text);
        return n == null ? -1 : n;
    }

    /** The symbolic name of {@code errno}, or {@code E<n>} for a number the table lacks. */
    public static String name(int errno) {
        String[] e = errno > 0 && errno < TABLE.length ? TABLE[errno] : null;
        return e == null ? "E" + errno : e[0];
    }

    /** The system's text for {@code errno}. */
    public static String text(int errno) {
        String[] e = errno > 0 && errno < TABLE.length ? TABLE[errno] : null;
        return e == null ? "Unknown error " + errno : e[1];
    }
}
