package dev.proactor.internal.core;

import dev.proactor.FileOpenOption;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/** Validation of open options, shared by every backend so they accept and refuse the same sets. */
final class OpenOptions {
    private OpenOptions() {}

    private static final Set<OpenOption> SUPPORTED = Set.of(
            StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.APPEND,
            StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.DSYNC, StandardOpenOption.SYNC, LinkOption.NOFOLLOW_LINKS, FileOpenOption.DIRECT,
            FileOpenOption.NON_BLOCKING);

    /** A checked copy; READ is implied when neither READ, WRITE nor APPEND is given. */
    static Set<OpenOption> check(Set<? extends OpenOption> options) {
        Set<OpenOption> out = new HashSet<>();
        for (OpenOption o : options) {
            if (!SUPPORTED.contains(o)) {
                throw new IllegalArgumentException("unsupported open option: " + o);
            }
            out.add(o);
        }
        if (out.contains(StandardOpenOption.APPEND) && out.contains(StandardOpenOption.READ)
                && !out.contains(StandardOpenOption.WRITE)) {
            throw new IllegalArgumentException("READ with APPEND needs WRITE as well");
        }
        if (out.contains(StandardOpenOption.APPEND) && out.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            throw new IllegalArgumentException("APPEND and TRUNCATE_EXISTING exclude each other");
        }
        if (!out.contains(StandardOpenOption.WRITE) && !out.contains(StandardOpenOption.APPEND)) {
            out.add(StandardOpenOption.READ);
        }
        return Set.copyOf(out);
    }

    /** Refuses permission bits outside {@code 07777}. */
    static void checkMode(int mode) {
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException("mode must be within 07777: " + Integer.toOctalString(mode));
        }
    }
}
