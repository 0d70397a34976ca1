package dev.proactor;

import java.nio.file.OpenOption;

/** Open options beyond {@link java.nio.file.StandardOpenOption}. */
public enum FileOpenOption implements OpenOption {
    /**
     * Bypass the page cache ({@code O_DIRECT}). Buffers, positions and lengths must then be aligned
     * to the device's logical block size; the kernel fails misaligned operations with EINVAL.
     */
    DIRECT,
    /**
     * Open without waiting ({@code O_NONBLOCK}): opening a FIFO for reading returns at once rather
     * than waiting for a writer, so a path that might name one can be opened and its type checked
     * with {@link AsyncFile#stat()} before anything reads. It has no effect on reads and writes of
     * regular files (open(2)). The portable backend cannot open without blocking: there such an
     * open of anything but a regular file or a directory fails with EAGAIN instead.
     */
    NON_BLOCKING
}
