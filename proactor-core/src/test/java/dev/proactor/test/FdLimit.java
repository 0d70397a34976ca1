package dev.proactor.test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * This process's limit on open descriptors ({@code RLIMIT_NOFILE}), read from
 * {@code /proc/self/limits} and raised with {@code setrlimit(2)} for tests that hold tens of
 * thousands of sockets. Linux only; 64-bit {@code rlim_t}.
 *
 * @param soft the soft limit (what {@code open} and {@code socket} are held to)
 * @param hard the hard limit (the ceiling for the soft one without privilege)
 */
public record FdLimit(long soft, long hard) {

    /** {@code RLIMIT_NOFILE} from {@code <asm-generic/resource.h>} (x86-64 and aarch64). */
    private static final int RLIMIT_NOFILE = 7;
    private static final StructLayout RLIMIT = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("rlim_cur"), ValueLayout.JAVA_LONG.withName("rlim_max"));
    private static final VarHandle CUR = RLIMIT.varHandle(MemoryLayout.PathElement.groupElement("rlim_cur"));
    private static final VarHandle MAX = RLIMIT.varHandle(MemoryLayout.PathElement.groupElement("rlim_max"));

    /** The limits now, from {@code /proc/self/limits} ("Max open files"); empty where unreadable. */
    public static Optional<FdLimit> current() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return Optional.of(new FdLimit(parse(f[0]), parse(f[1])));
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static long parse(String s) {
        return s.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(s);
    }

    /**
     * Sets both limits with {@code setrlimit(2)}; raising the hard limit needs
     * {@code CAP_SYS_RESOURCE}. Returns empty on success, else why it failed.
     */
    public static Optional<String> set(FdLimit limit) {
        try {
            Linker linker = Linker.nativeLinker();
            Linker.Option errno = Linker.Option.captureCallState("errno");
            MethodHandle setrlimit = linker.downcallHandle(linker.defaultLookup().find("setrlimit").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), errno);
            StructLayout stateLayout = Linker.Option.captureStateLayout();
            VarHandle errnoHandle = stateLayout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment rl = arena.allocate(RLIMIT);
                CUR.set(rl, 0L, limit.soft());
                MAX.set(rl, 0L, limit.hard());
                MemorySegment state = arena.allocate(stateLayout);
                int rc = (int) setrlimit.invokeExact(state, RLIMIT_NOFILE, rl);
                if (rc != 0) {
                    return Optional.of("setrlimit(RLIMIT_NOFILE, " + limit + ") failed, errno "
                            + (int) errnoHandle.get(state, 0L));
                }
            }
            return Optional.empty();
        } catch (Throwable t) {
            return Optional.of("setrlimit(RLIMIT_NOFILE) unavailable: " + t);
        }
    }
}
