package dev.proactor.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Whether a standard stream is a terminal. */
final class Terminal {
    private Terminal() {}

    /** Standard error's descriptor. */
    static final int STDERR = 2;

    /**
     * Whether descriptor {@code fd} is a terminal, asked of the C library's {@code isatty}. The JDK
     * alone cannot tell for standard error: {@code System.console()} describes standard input and
     * output, so {@code proactor hash . > sums} would lose the progress bar it should keep, and
     * {@code proactor hash . 2> log} would draw one into the log. When the call is not possible,
     * the answer falls back to {@code System.console()}'s.
     */
    static boolean isTerminal(int fd) {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle isatty = linker.downcallHandle(linker.defaultLookup().find("isatty").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            return (int) isatty.invokeExact(fd) == 1;
        } catch (Throwable e) {
            java.io.Console console = System.console();
            return console != null && console.isTerminal();
        }
    }
}
