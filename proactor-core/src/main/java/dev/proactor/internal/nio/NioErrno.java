package dev.proactor.internal.nio;

import static dev.proactor.internal.spi.Errno.*;

import dev.proactor.internal.spi.Errno;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Maps what the JDK throws to the errno the io_uring backend would report for the same failure, so
 * that both backends fail alike. Stateless and thread-safe: called on the file threads.
 *
 * <p>Numbers and texts are the SPI's {@link Errno} table. The JDK keeps the errno of a failed call
 * only as its text: a {@link FileSystemException}'s reason, or an {@link IOException}'s message, is
 * {@code strerror(errno)}. Where no exception type names the error, that text is looked up in the
 * table; anything else is EIO, with the message logged at DEBUG.
 */
final class NioErrno {
    private NioErrno() {}

    private static final System.Logger LOG = System.getLogger("dev.proactor.nio");

    // Numbers the SPI's Errno has no constant for (asm-generic/errno.h).
    static final int EAFNOSUPPORT = 97;
    static final int EISCONN = 106;

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
            // The socket states the JDK checks before it makes the call; the kernel's answers.
            case NotYetConnectedException x -> { return ENOTCONN; }
            case AlreadyConnectedException x -> { return EISCONN; }
            case ConnectionPendingException x -> { return EALREADY; }
            case NoConnectionPendingException x -> { return ENOTCONN; }
            case NotYetBoundException x -> { return EINVAL; }
            case UnsupportedAddressTypeException x -> { return EAFNOSUPPORT; }
            // The JDK replaces ECONNRESET (and EPIPE) on a socket read with "Connection reset".
            case SocketException x when "Connection reset".equals(x.getMessage()) -> { return ECONNRESET; }
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
        if (text.startsWith("Too many levels of symbolic links")) {
            // The JDK appends " or unable to access attributes of symbolic link" to ELOOP.
            return ELOOP;
        }
        int n = Errno.byText(text);
        return n < 0 ? null : n;
    }

    private static boolean isDirectIoAlignment(String message) {
        return message != null && (message.contains("multiple of the block size") || message.contains("not aligned"));
    }
}
