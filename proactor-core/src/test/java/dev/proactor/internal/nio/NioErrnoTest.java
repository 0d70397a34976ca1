package dev.proactor.internal.nio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.core.Errno;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
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
    void numbersAgreeWithTheCoresNames() throws IllegalAccessException {
        int checked = 0;
        for (Field f : NioErrno.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class && f.getName().startsWith("E")) {
                f.setAccessible(true);
                assertThat(Errno.name(f.getInt(null))).as(f.getName()).isEqualTo(f.getName());
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20);
    }

    @Test
    void exceptionTypesMapToTheirErrno() {
        assertThat(NioErrno.of(new NoSuchFileException("/x"), "t")).isEqualTo(NioErrno.ENOENT);
        assertThat(NioErrno.of(new FileAlreadyExistsException("/x"), "t")).isEqualTo(NioErrno.EEXIST);
        assertThat(NioErrno.of(new AccessDeniedException("/x"), "t")).isEqualTo(NioErrno.EACCES);
        assertThat(NioErrno.of(new NotDirectoryException("/x"), "t")).isEqualTo(NioErrno.ENOTDIR);
        assertThat(NioErrno.of(new ClosedChannelException(), "t")).isEqualTo(NioErrno.EBADF);
        assertThat(NioErrno.of(new AsynchronousCloseException(), "t")).isEqualTo(NioErrno.EBADF);
        assertThat(NioErrno.of(new NonReadableChannelException(), "t")).isEqualTo(NioErrno.EBADF);
        assertThat(NioErrno.of(new NonWritableChannelException(), "t")).isEqualTo(NioErrno.EBADF);
        assertThat(NioErrno.of(new IllegalArgumentException("READ + APPEND not allowed"), "t")).isEqualTo(NioErrno.EINVAL);
        assertThat(NioErrno.of(new UnsupportedOperationException("DIRECT"), "t")).isEqualTo(NioErrno.EOPNOTSUPP);
        assertThat(NioErrno.of(new WrongThreadException("confined"), "t")).isEqualTo(NioErrno.EFAULT);
    }

    @Test
    void strerrorTextsMapBackToTheirErrno() {
        assertThat(NioErrno.of(new FileSystemException("/tmp", null, "Is a directory"), "t")).isEqualTo(NioErrno.EISDIR);
        assertThat(NioErrno.of(new IOException("Is a directory"), "t")).isEqualTo(NioErrno.EISDIR);
        assertThat(NioErrno.of(new FileSystemException("/a/b", null, "Not a directory"), "t")).isEqualTo(NioErrno.ENOTDIR);
        assertThat(NioErrno.of(new FileSystemException("/l", null,
                "Too many levels of symbolic links or unable to access attributes of symbolic link"), "t"))
                .isEqualTo(NioErrno.ELOOP);
        assertThat(NioErrno.of(new IOException("No space left on device"), "t")).isEqualTo(NioErrno.ENOSPC);
        assertThat(NioErrno.of(new IOException("Channel position (3) is not a multiple of the block size (512)"), "t"))
                .isEqualTo(NioErrno.EINVAL);
    }

    @Test
    void anythingElseIsEio() {
        assertThat(NioErrno.of(new IOException("something odd"), "t")).isEqualTo(NioErrno.EIO);
        assertThat(NioErrno.of(new FileSystemException("/x", null, null), "t")).isEqualTo(NioErrno.EIO);
        assertThat(NioErrno.of(new NullPointerException(), "t")).isEqualTo(NioErrno.EIO);
    }
}
