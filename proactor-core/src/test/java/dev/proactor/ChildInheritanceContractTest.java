package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.ResourceSnapshot;
import dev.proactor.test.Sockets;
import dev.proactor.test.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A child process started by native code ({@code posix_spawn}, which, unlike the JDK's
 * ProcessBuilder, closes nothing for the child) inherits none of the proactor's descriptors: every
 * one is close-on-exec.
 */
class ChildInheritanceContractTest {

    @EachBackend
    void aSpawnedChildInheritsNoneOfTheProactorsDescriptors(ProactorFixture fixture) throws Throwable {
        assumeTrue(fixture.backend() != BackendChoice.PORTABLE, "the portable backend's descriptors are the JDK's"
                + " channels, opened without close-on-exec, and no public API reaches their numbers to set it"
                + " (ProcessBuilder children inherit none of them: the JDK closes them in the child)");
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc to list descriptors");
        Map<Integer, String> baseline = ResourceSnapshot.openFds();
        Proactor p = fixture.open();
        Path file = fixture.tempDir().resolve("data.bin");
        TestFiles.writeRandom(file, 100_000, 5);
        AsyncFile f = Ops.result(p.openFile(file, StandardOpenOption.READ));
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        // A transfer takes a pipe from the backend's pool (io_uring) and keeps it for the next one.
        assertThat(Ops.result(c.server().transferFrom(f, 0, 1000))).isPositive();

        Set<String> ours = new HashSet<>(ResourceSnapshot.newFds(baseline, ResourceSnapshot.openFds()).values());
        assertThat(ours).as("the proactor's descriptors").contains(file.toString())
                .anyMatch(t -> t.startsWith("socket:"));
        List<String> inherited = spawnAndListDescriptors(fixture.tempDir().resolve("child-fds.txt"));
        assertThat(inherited).as("descriptors the child holds").isNotEmpty();
        assertThat(inherited).as("the proactor's descriptors %s in the child", ours).noneMatch(ours::contains);

        c.close();
        Ops.result(listener.closeAsync());
        Ops.result(f.closeAsync());
    }

    /** Starts {@code /bin/sh} with posix_spawn(3); it writes the targets of its descriptors to {@code out}. */
    @SuppressWarnings("restricted")
    private static List<String> spawnAndListDescriptors(Path out) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle spawn = linker.downcallHandle(linker.defaultLookup().find("posix_spawn").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        MethodHandle waitpid = linker.downcallHandle(linker.defaultLookup().find("waitpid").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_INT));
        String script = "for d in /proc/$$/fd/*; do readlink \"$d\"; done > '" + out + "'";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom("/bin/sh");
            MemorySegment argv = arena.allocate(ValueLayout.ADDRESS, 4);
            argv.setAtIndex(ValueLayout.ADDRESS, 0, path);
            argv.setAtIndex(ValueLayout.ADDRESS, 1, arena.allocateFrom("-c"));
            argv.setAtIndex(ValueLayout.ADDRESS, 2, arena.allocateFrom(script));
            argv.setAtIndex(ValueLayout.ADDRESS, 3, MemorySegment.NULL);
            MemorySegment envp = arena.allocate(ValueLayout.ADDRESS, 1);
            envp.setAtIndex(ValueLayout.ADDRESS, 0, MemorySegment.NULL);
            MemorySegment pid = arena.allocate(ValueLayout.JAVA_INT);
            int rc = (int) spawn.invokeExact(pid, path, MemorySegment.NULL, MemorySegment.NULL, argv, envp);
            assertThat(rc).as("posix_spawn").isZero();
            MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            int waited = (int) waitpid.invokeExact(pid.get(ValueLayout.JAVA_INT, 0), status, 0);
            assertThat(waited).isEqualTo(pid.get(ValueLayout.JAVA_INT, 0));
            assertThat(status.get(ValueLayout.JAVA_INT, 0)).as("the child's wait status").isZero();
        }
        return Files.readAllLines(out);
    }
}
