package dev.proactor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code proactor hash} against GNU {@code sha256sum} on the same files: the output must be the
 * same bytes, and {@code sha256sum -c} must accept ours. Every test that opens a backend runs on
 * every variant of the core harness ({@link EachBackend}: io_uring, portable, io_uring-fallback).
 */
class HashCommandTest {

    @TempDir
    Path dir;

    /** A tree with a space in a name, a backslash in a name, an empty file, 5 MiB, a nested directory. */
    private List<Path> tree() throws IOException {
        Path root = Files.createDirectory(dir.resolve("tree"));
        byte[] big = new byte[5 << 20];
        new Random(42).nextBytes(big);
        Files.writeString(root.resolve("a b.txt"), "hello, world\n");
        Files.write(root.resolve("big.bin"), big);
        Files.write(root.resolve("empty"), new byte[0]);
        Files.writeString(root.resolve("back\\slash"), "escaped\n");
        Files.createDirectories(root.resolve("sub/deeper"));
        Files.writeString(root.resolve("sub/deeper/nested.txt"), "nested\n");
        Files.writeString(root.resolve("sub/z.txt"), "z\n");
        // The order the command promises: depth first, names sorted ('\\' sorts after the capitals, before 'b').
        return List.of(root.resolve("a b.txt"), root.resolve("back\\slash"), root.resolve("big.bin"),
                root.resolve("empty"), root.resolve("sub/deeper/nested.txt"), root.resolve("sub/z.txt"));
    }

    @EachBackend
    void matchesSha256sumByteForByte(ProactorFixture variant) throws Exception {
        List<Path> files = tree();
        List<String> command = new ArrayList<>(List.of("sha256sum"));
        files.forEach(f -> command.add(f.toString()));
        String expected = exec(command).out;

        CommandRun run = CommandRun.of(variant, "hash", dir.resolve("tree").toString());

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(expected);
        assertThat(run.out()).contains("\\").contains("  " + dir.resolve("tree/a b.txt"));
    }

    @EachBackend
    void smallChunksAndManyFilesInFlightKeepTheOrderAndTheDigests(ProactorFixture variant) throws Exception {
        List<Path> files = tree();
        List<String> command = new ArrayList<>(List.of("sha256sum"));
        files.forEach(f -> command.add(f.toString()));
        String expected = exec(command).out;

        CommandRun run = CommandRun.of(variant, "hash", "--chunk-size", "4k", "--concurrency", "3",
                "--workers", "2", dir.resolve("tree").toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(expected);
    }

    @EachBackend
    void sha256sumCheckAcceptsTheOutput(ProactorFixture variant) throws Exception {
        tree();
        CommandRun run = CommandRun.of(variant, "hash", dir.resolve("tree").toString());
        Path sums = Files.writeString(dir.resolve("SHA256SUMS"), run.out());

        Result check = exec(List.of("sha256sum", "--check", "--strict", sums.toString()));

        assertThat(check.code).as(check.out + check.err).isZero();
        assertThat(check.out.lines()).hasSize(6).allMatch(l -> l.endsWith(": OK"));
    }

    /**
     * The failure case. Tests run as root here, and {@code chmod 000} does not stop root from
     * reading, so a permission failure cannot be produced honestly. A dangling symbolic link named
     * on the command line can: the listing takes it like any named path, and the asynchronous open
     * then fails with ENOENT, so the report comes through the library's own failure path. The files
     * named after it must still be hashed, and the exit code must be 1.
     */
    @EachBackend
    void anUnopenableFileIsReportedAndTheRestStillHashed(ProactorFixture variant) throws Exception {
        Path good = Files.writeString(dir.resolve("good.txt"), "good\n");
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("gone"));
        Path after = Files.writeString(dir.resolve("after.txt"), "after\n");

        CommandRun run = CommandRun.of(variant, "hash", good.toString(), dangling.toString(),
                after.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("proactor hash: " + dangling + ": No such file or directory\n");
        assertThat(run.out()).isEqualTo(exec(List.of("sha256sum", good.toString(), after.toString())).out);
    }

    /** Inside a tree only regular files count: links (even to files) and FIFOs are skipped, not failures. */
    @EachBackend
    void insideATreeOnlyRegularFilesAreHashed(ProactorFixture variant) throws Exception {
        Path root = Files.createDirectory(dir.resolve("tree"));
        Path outside = Files.writeString(dir.resolve("outside.txt"), "outside\n");
        Files.writeString(root.resolve("file.txt"), "inside\n");
        Files.createSymbolicLink(root.resolve("link-out"), outside);
        Files.createSymbolicLink(root.resolve("link-dangling"), dir.resolve("gone"));
        Files.createSymbolicLink(root.resolve("link-dir"), dir);
        mkfifo(root.resolve("fifo"));

        CommandRun run = CommandRun.of(variant, "hash", root.toString());

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(exec(List.of("sha256sum", root.resolve("file.txt").toString())).out);
    }

    /** A FIFO named on the command line is refused rather than read, since reading it might never end. */
    @EachBackend
    void aNamedFifoIsReportedAsNotARegularFile(ProactorFixture variant) throws Exception {
        Path fifo = dir.resolve("fifo");
        mkfifo(fifo);

        CommandRun run = CommandRun.of(variant, "hash", fifo.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("proactor hash: " + fifo + ": not a regular file\n");
    }

    @org.junit.jupiter.api.Test
    void filesStartLargestFirstAndEqualSizesInListingOrder() {
        List<HashTargets.Target> targets = List.of(new HashTargets.Target(Path.of("a"), 10, null),
                new HashTargets.Target(Path.of("b"), 300, null), new HashTargets.Target(Path.of("c"), 0, "gone"),
                new HashTargets.Target(Path.of("d"), 300, null), new HashTargets.Target(Path.of("e"), 5, null));

        assertThat(HashCommand.startOrder(targets)).containsExactly(1, 3, 0, 4, 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "5000", "1k"})
    void outOfRangeOptionsAreBadUsage(String concurrency) {
        CommandRun run = CommandRun.of("hash", "--concurrency", concurrency, dir.toString());
        if (concurrency.equals("1k")) {
            assertThat(run.err()).contains("Invalid value for option '--concurrency'");
        } else {
            assertThat(run.err()).contains("--concurrency must be in [1, 4096]");
        }
        assertThat(run.exitCode()).isEqualTo(2);
    }

    private static void mkfifo(Path path) throws Exception {
        Result r = exec(List.of("mkfifo", path.toString()));
        assertThat(r.code).as(r.err).isZero();
    }

    private record Result(int code, String out, String err) {}

    private static Result exec(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        byte[] err = p.getErrorStream().readAllBytes();
        byte[] out = p.getInputStream().readAllBytes();
        int code = p.waitFor();
        return new Result(code, new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
