package dev.proactor.internal.nio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.spi.Errno;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.junit.jupiter.api.Test;

class NioErrnoTest {

    @Test
    void everySystemTextMapsBackToItsNumber() {
        int checked = 0;
        for (int n = 1; n < 134; n++) {
            if (!Errno.name(n).equals("E" + n)) {
                assertThat(Errno.byText(Errno.text(n))).as(Errno.name(n)).isEqualTo(n);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(60);
        assertThat(Errno.byText("not an error text")).isEqualTo(-1);
    }

    @Test
    void exceptionTypesMapToTheirErrno() {
        assertThat(NioErrno.of(new NoSuchFileException("/x"), "t")).isEqualTo(Errno.ENOENT);
        assertThat(NioErrno.of(new FileAlreadyExistsException("/x"), "t")).isEqualTo(Errno.EEXIST);
        assertThat(NioErrno.of(new AccessDeniedException("/x"), "t")).isEqualTo(Errno.EACCES);
        assertThat(NioErrno.of(new NotDirectoryException("/x"), "t")).isEqualTo(Errno.ENOTDIR);
        assertThat(NioErrno.of(new ClosedChannelException(), "t")).isEqualTo(Errno.EBADF);
        assertThat(NioErrno.of(new AsynchronousCloseException(), "t")).isEqualTo(Errno.EBADF);
        assertThat(NioErrno.of(new NonReadableChannelException(), "t")).isEqualTo(Errno.EBADF);
        assertThat(NioErrno.of(new NonWritableChannelException(), "t")).isEqualTo(Errno.EBADF);
        assertThat(NioErrno.of(new IllegalArgumentException("READ + APPEND not allowed"), "t")).isEqualTo(Errno.EINVAL);
        assertThat(NioErrno.of(new UnsupportedOperationException("DIRECT"), "t")).isEqualTo(Errno.EOPNOTSUPP);
        assertThat(NioErrno.of(new WrongThreadException("confined"), "t")).isEqualTo(Errno.EFAULT);
    }

    @Test
    void strerrorTextsMapBackToTheirErrno() {
        assertThat(NioErrno.of(new FileSystemException("/tmp", null, "Is a directory"), "t")).isEqualTo(Errno.EISDIR);
        assertThat(NioErrno.of(new IOException("Is a directory"), "t")).isEqualTo(Errno.EISDIR);
        assertThat(NioErrno.of(new FileSystemException("/a/b", null, "Not a directory"), "t")).isEqualTo(Errno.ENOTDIR);
        assertThat(NioErrno.of(new FileSystemException("/l", null,
                "Too many levels of symbolic links or unable to access attributes of symbolic link"), "t"))
                .isEqualTo(Errno.ELOOP);
        assertThat(NioErrno.of(new IOException("No space left on device"), "t")).isEqualTo(Errno.ENOSPC);
        assertThat(NioErrno.of(new IOException("Channel position (3) is not a multiple of the block size (512)"), "t"))
                .isEqualTo(Errno.EINVAL);
    }

    @Test
    void anythingElseIsEio() {
        assertThat(NioErrno.of(new IOException("something odd"), "t")).isEqualTo(Errno.EIO);
        assertThat(NioErrno.of(new FileSystemException("/x", null, null), "t")).isEqualTo(Errno.EIO);
        assertThat(NioErrno.of(new NullPointerException(), "t")).isEqualTo(Errno.EIO);
    }

    @Test
    void socketFailuresMapToTheKernelsErrno() {
        assertThat(NioErrno.of(new java.net.ConnectException("Connection refused"), "t")).isEqualTo(Errno.ECONNREFUSED);
        // The JDK rewrites ECONNRESET on a socket read to this text.
        assertThat(NioErrno.of(new java.net.SocketException("Connection reset"), "t")).isEqualTo(Errno.ECONNRESET);
        assertThat(NioErrno.of(new IOException("Connection reset by peer"), "t")).isEqualTo(Errno.ECONNRESET);
        assertThat(NioErrno.of(new IOException("Broken pipe"), "t")).isEqualTo(Errno.byText("Broken pipe"));
        assertThat(NioErrno.of(new java.net.BindException("Address already in use"), "t"))
                .isEqualTo(Errno.byText("Address already in use"));
        assertThat(NioErrno.of(new java.nio.channels.NotYetConnectedException(), "t")).isEqualTo(Errno.ENOTCONN);
        assertThat(NioErrno.of(new java.nio.channels.UnsupportedAddressTypeException(), "t"))
                .isEqualTo(NioErrno.EAFNOSUPPORT);
        assertThat(NioErrno.of(new java.nio.channels.UnresolvedAddressException(), "t")).isEqualTo(Errno.EINVAL);
        assertThat(NioErrno.of(new UnsupportedOperationException("SO_REUSEPORT"), "t")).isEqualTo(Errno.EOPNOTSUPP);
    }
}
