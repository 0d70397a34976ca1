package dev.proactor;

import java.time.Instant;

/**
 * What {@code statx} reports about a file.
 *
 * @param size length in bytes
 * @param blocks 512-byte blocks allocated, or -1 when the backend cannot tell (the portable backend)
 * @param blockSize the preferred I/O size (on the portable backend: the file store's block size)
 * @param mode file type and permission bits
 * @param inode the inode number
 * @param links the number of hard links
 * @param lastModified modification time
 * @param lastAccess access time
 * @param lastStatusChange status change time
 */
public record FileStat(
        long size,
        long blocks,
        int blockSize,
        int mode,
        long inode,
        long links,
        Instant lastModified,
        Instant lastAccess,
        Instant lastStatusChange) {

    /** Whether the file is a regular file. */
    public boolean isRegularFile() {
        return (mode & 0170000) == 0100000;
    }

    /** Whether the file is a directory. */
    public boolean isDirectory() {
        return (mode & 0170000) == 0040000;
    }
}
