package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.EINVAL;
import static dev.proactor.internal.uring.ffi.IoUringConstants.EMFILE;
import static dev.proactor.internal.uring.ffi.IoUringConstants.ENFILE;
import static dev.proactor.internal.uring.ffi.IoUringConstants.ENOMEM;
import static dev.proactor.internal.uring.ffi.IoUringConstants.ENOSYS;
import static dev.proactor.internal.uring.ffi.IoUringConstants.EPERM;

import dev.proactor.internal.uring.ffi.IoUringConstants;
import dev.proactor.internal.uring.ffi.IoUringLayouts;
import dev.proactor.internal.uring.ffi.LibC;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a failed {@code io_uring_setup} errno into a sentence that tells the user why io_uring
 * is off and what would turn it on, reading the sysctls and limits that decide it. Stateless;
 * any thread.
 */
final class SetupDiagnosis {

    static final Path IO_URING_DISABLED = Path.of("/proc/sys/kernel/io_uring_disabled");
    static final Path IO_URING_GROUP = Path.of("/proc/sys/kernel/io_uring_group");

    private SetupDiagnosis() {
    }

    /** The cause of a setup failure with positive {@code errno}, after {@code what} was tried. */
    static String explain(int errno, String what) {
        return switch (errno) {
            case ENOSYS -> "io_uring_setup returned ENOSYS: the kernel lacks io_uring or a seccomp filter hides it";
            case EPERM -> explainEperm();
            case ENOMEM -> "io_uring_setup returned ENOMEM: " + memlockText()
                    + "; raise the limit (ulimit -l) or ask for a smaller ring";
            case EINVAL -> "io_uring_setup returned EINVAL for every flag combination tried (" + what
                    + "): the kernel is too old or the sizes are out of range";
            case EMFILE, ENFILE -> "io_uring_setup returned " + (errno == EMFILE ? "EMFILE" : "ENFILE")
                    + ": out of file descriptors";
            default -> "io_uring_setup failed with errno " + errno + " (" + what + ")";
        };
    }

    private static String explainEperm() {
        String disabled = readTrimmed(IO_URING_DISABLED);
        if ("2".equals(disabled)) {
            return "io_uring_setup returned EPERM: sysctl kernel.io_uring_disabled=2 disables io_uring for"
                    + " all processes";
        }
        if ("1".equals(disabled)) {
            String group = readTrimmed(IO_URING_GROUP);
            return "io_uring_setup returned EPERM: sysctl kernel.io_uring_disabled=1 allows io_uring only to"
                    + " privileged processes and members of kernel.io_uring_group"
                    + (group == null ? "" : " (gid " + group + ")");
        }
        return "io_uring_setup returned EPERM: refused by a seccomp filter or container policy"
                + " (kernel.io_uring_disabled=" + (disabled == null ? "unreadable" : disabled) + ")";
    }

    private static String memlockText() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rl = arena.allocate(IoUringLayouts.RLIMIT);
            if (LibC.getrlimit(IoUringConstants.RLIMIT_MEMLOCK, rl) < 0) {
                return "not enough locked memory (RLIMIT_MEMLOCK unreadable)";
            }
            return "not enough locked memory (RLIMIT_MEMLOCK soft="
                    + limit(rl.get(ValueLayout.JAVA_LONG, IoUringLayouts.RLIMIT_CUR))
                    + ", hard=" + limit(rl.get(ValueLayout.JAVA_LONG, IoUringLayouts.RLIMIT_MAX)) + ")";
        } catch (RuntimeException | LinkageError e) {
            return "not enough locked memory (RLIMIT_MEMLOCK unreadable: " + e + ")";
        }
    }

    private static String limit(long value) {
        // RLIM_INFINITY is all ones.
        return value == -1L ? "unlimited" : value + " bytes";
    }

    private static String readTrimmed(Path path) {
        try {
            return Files.readString(path).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
