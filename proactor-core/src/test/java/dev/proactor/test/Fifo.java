package dev.proactor.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Creates named pipes: {@code mkfifo(3)} through FFM, else the {@code mkfifo} command. */
public final class Fifo {
    private Fifo() {}

    private static final Optional<MethodHandle> MKFIFO = lookup();

    @SuppressWarnings("restricted")
    private static Optional<MethodHandle> lookup() {
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find("mkfifo").map(addr -> linker.downcallHandle(addr,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT)));
    }

    /** Creates a FIFO with mode 0600 at {@code path} and returns the path. */
    public static Path create(Path path) {
        if (MKFIFO.isPresent()) {
            try (Arena arena = Arena.ofConfined()) {
                int rc = (int) MKFIFO.get().invokeExact(arena.allocateFrom(path.toString()), 0600);
                if (rc == 0) {
                    return path;
                }
            } catch (Throwable t) {
                // fall through to the command
            }
        }
        try {
            Process p = new ProcessBuilder("mkfifo", "-m", "600", path.toString())
                    .redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            int rc = p.waitFor();
            p.getOutputStream().close();
            p.getInputStream().close();
            p.getErrorStream().close();
            if (rc != 0 || !Files.exists(path)) {
                throw new IOException("mkfifo " + path + " exited with " + rc);
            }
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
