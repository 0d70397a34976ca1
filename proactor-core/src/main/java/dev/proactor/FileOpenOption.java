package dev.proactor;

import java.nio.file.OpenOption;

/** Open options beyond {@link java.nio.file.StandardOpenOption}. */
public enum FileOpenOption implements OpenOption {
    /**
     * Bypass the page cache ({@code O_DIRECT}). Buffers, positions and lengths must then be aligned
     * to the device's logical block size; the kernel fails misaligned operations with EINVAL.
     */
    DIRECT
}
