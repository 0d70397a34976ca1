package dev.proactor.internal.nio;

import dev.proactor.FileStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.Map;

/**
 * A {@link FileStat} for an open file, with the fields io_uring's {@code statx} fills where the JDK
 * can tell them. Stateless; runs on the file threads.
 *
 * <p>The JDK has no {@code fstat}: the size is the channel's own ({@code FileChannel.size()} is an
 * {@code fstat}), and the other fields are read by the path the file was opened by. Where the JDK
 * offers the {@code unix} attribute view (Linux, macOS) that gives {@code st_mode} (type and
 * permission bits), {@code st_ino}, {@code st_nlink} and the three times. Elsewhere the basic view
 * gives the type and times, the POSIX view (if any) the permission bits, and inode and link count
 * are 0 and 1. Never available: {@code st_blocks} (reported as -1), and {@code st_blksize}, for
 * which the file store's block size stands in. If the path no longer names the file (unlinked or
 * renamed since the open) only the size is known: mode, inode and links are 0 and the times the
 * epoch; a path that now names another file gives that file's attributes with this file's size.
 */
final class NioStat {
    private NioStat() {}

    /** Unknown {@code st_blocks}. */
    static final long UNKNOWN_BLOCKS = -1;

    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    static FileStat of(ChannelTable.OpenFile f) throws IOException {
        long size = f.channel.size();
        Path path = f.path;
        int blockSize = f.blockSize;
        if (blockSize == 0) {
            blockSize = blockSize(path);
            f.blockSize = blockSize;
        }
        try {
            if (path.getFileSystem().supportedFileAttributeViews().contains("unix")) {
                Map<String, Object> a = Files.readAttributes(path, "unix:mode,ino,nlink,lastModifiedTime,lastAccessTime,ctime");
                return new FileStat(size, UNKNOWN_BLOCKS, blockSize, (Integer) a.get("mode"), (Long) a.get("ino"),
                        ((Integer) a.get("nlink")).longValue(), instant(a.get("lastModifiedTime")),
                        instant(a.get("lastAccessTime")), instant(a.get("ctime")));
            }
            return basic(path, size, blockSize);
        } catch (NoSuchFileException gone) {
            return new FileStat(size, UNKNOWN_BLOCKS, blockSize, 0, 0, 0, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH);
        }
    }

    private static FileStat basic(Path path, long size, int blockSize) throws IOException {
        BasicFileAttributes b = Files.readAttributes(path, BasicFileAttributes.class);
        int mode = b.isRegularFile() ? S_IFREG : b.isDirectory() ? S_IFDIR : b.isSymbolicLink() ? S_IFLNK : 0;
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            mode |= permissionBits(Files.readAttributes(path, PosixFileAttributes.class));
        }
        // No status-change time without the unix view; creation time is the closest the JDK has.
        return new FileStat(size, UNKNOWN_BLOCKS, blockSize, mode, 0, 1, b.lastModifiedTime().toInstant(),
                b.lastAccessTime().toInstant(), b.creationTime().toInstant());
    }

    private static int permissionBits(PosixFileAttributes p) {
        int bits = 0;
        for (PosixFilePermission perm : p.permissions()) {
            // PosixFilePermission's order is OWNER_READ .. OTHERS_EXECUTE, i.e. bit 8 down to bit 0.
            bits |= 1 << (8 - perm.ordinal());
        }
        return bits;
    }

    private static int blockSize(Path path) {
        try {
            long b = Files.getFileStore(path).getBlockSize();
            return b > 0 && b <= Integer.MAX_VALUE ? (int) b : 4096;
        } catch (IOException | UnsupportedOperationException e) {
            return 4096;
        }
    }

    private static Instant instant(Object fileTime) {
        return ((FileTime) fileTime).toInstant();
    }
}
