package dev.proactor.internal.nio;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Map;

/**
 * Maps what the JDK throws to the errno the io_uring backend would report for the same failure, so
 * that both backends fail alike. Stateless and thread-safe: called on the file threads.
 *
 * <p>Numbers are Linux's asm-generic numbering (include/uapi/asm-generic/errno-base.h and errno.h),
 * the numbering the core's errno table names on every platform. They are repeated here rather than
 * imported from the core because a backend depends on the SPI only; a test checks that the names
 * agree.
 *
 * <p>The JDK keeps the errno of a failed call only as its text: a {@link FileSystemException}'s
 * reason, or an {@link IOException}'s message, is {@code strerror(errno)}. Where no exception type
 * names the error, that text is matched against glibc's texts below; anything else is EIO, with the
 * message logged at DEBUG.
 */
final class NioErrno {
    private NioErrno() {}

    private static final System.Logger LOG = System.getLogger("dev.proactor.nio");

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int ENXIO = 6;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int EXDEV = 18;
    static final int ENODEV = 19;
    static final int ENOTDIR = 20;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int ETXTBSY = 26;
    static final int EFBIG = 27;
    static final int ENOSPC = 28;
    static final int ESPIPE = 29;
    static final int EROFS = 30;
    static final int EMLINK = 31;
    static final int ENAMETOOLONG = 36;
    static final int ELOOP = 40;
    static final int EOVERFLOW = 75;
    static final int EOPNOTSUPP = 95;
    static final int EDQUOT = 122;

    /** glibc's strerror texts of the errors a file call can report, as the JDK passes them on. */
    private static final Map<String, Integer> BY_TEXT = Map.ofEntries(
            Map.entry("Operation not permitted", EPERM),
            Map.entry("No such file or directory", ENOENT),
            Map.entry("Interrupted system call", EINTR),
            Map.entry("Input/output error", EIO),
            Map.entry("No such device or address", ENXIO),
            Map.entry("Bad file descriptor", EBADF),
            Map.entry("Resource temporarily unavailable", EAGAIN),
            Map.entry("Cannot allocate memory", ENOMEM),
            Map.entry("Permission denied", EACCES),
            Map.entry("Bad address", EFAULT),
            Map.entry("Device or resource busy", EBUSY),
            Map.entry("File exists", EEXIST),
            Map.entry("Invalid cross-device link", EXDEV),
            Map.entry("No such device", ENODEV),
            Map.entry("Not a directory", ENOTDIR),
            Map.entry("Is a directory", EISDIR),
            Map.entry("Invalid argument", EINVAL),
            Map.entry("Too many open files in system", ENFILE),
            Map.entry("Too many open files", EMFILE),
            Map.entry("Text file busy", ETXTBSY),
            Map.entry("File too large", EFBIG),
            Map.entry("No space left on device", ENOSPC),
            Map.entry("Illegal seek", ESPIPE),
            Map.entry("Read-only file system", EROFS),
            Map.entry("Too many links", EMLINK),
            Map.entry("File name too long", ENAMETOOLONG),
            Map.entry("Too many levels of symbolic links", ELOOP),
            Map.entry("Value too large for defined data type", EOVERFLOW),
            Map.entry("Operation not supported", EOPNOTSUPP),
            Map.entry("Disk quota exceeded", EDQUOT));

    /** The errno for {@code e}, thrown by a file call on behalf of {@code what} (for the log). */
    static int of(Throwable e, String what) {
        switch (e) {
            case NoSuchFileException x -> { return ENOENT; }
            case FileAlreadyExistsException x -> { return EEXIST; }
            case AccessDeniedException x -> { return EACCES; }
            case NotDirectoryException x -> { return ENOTDIR; }
            // Also AsynchronousCloseException and ClosedByInterruptException: the descriptor went away.
            case ClosedChannelException x -> { return EBADF; }
            case NonReadableChannelException x -> { return EBADF; }
            case NonWritableChannelException x -> { return EBADF; }
            // FileChannel.open refuses option sets that open(2) would take (READ with APPEND).
            case IllegalArgumentException x -> { return EINVAL; }
            case UnsupportedOperationException x -> { return EOPNOTSUPP; }
            // A caller's segment whose arena is confined to another thread, or already closed.
            case WrongThreadException x -> { return EFAULT; }
            case IllegalStateException x -> { return EFAULT; }
            case FileSystemException x -> {
                Integer n = byText(x.getReason());
                if (n != null) {
                    return n;
                }
            }
            case IOException x -> {
                Integer n = byText(x.getMessage());
                if (n != null) {
                    return n;
                }
                if (isDirectIoAlignment(x.getMessage())) {
                    // The kernel answers a misaligned O_DIRECT transfer with EINVAL; the JDK checks first.
                    return EINVAL;
                }
            }
            default -> {
                LOG.log(Level.WARNING, what + " failed unexpectedly; reporting EIO", e);
                return EIO;
            }
        }
        LOG.log(Level.DEBUG, () -> what + " failed with " + e + "; reporting EIO");
        return EIO;
    }

    private static Integer byText(String text) {
        if (text == null) {
            return null;
        }
        Integer n = BY_TEXT.get(text);
        if (n == null && text.startsWith("Too many levels of symbolic links")) {
            // The JDK appends " or unable to access attributes of symbolic link" to ELOOP.
            n = ELOOP;
        }
        return n;
    }

    private static boolean isDirectIoAlignment(String message) {
        return message != null && (message.contains("multiple of the block size") || message.contains("not aligned"));
    }
}
