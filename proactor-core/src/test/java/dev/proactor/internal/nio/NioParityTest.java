package dev.proactor.internal.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.AsyncFile;
import dev.proactor.BackendChoice;
import dev.proactor.FileOpenOption;
import dev.proactor.FileStat;
import dev.proactor.Operation;
import dev.proactor.OperationFailedException;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.ProactorException;
import dev.proactor.internal.uring.UringSupport;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same scenario on both backends must end the same way: the same outcome, the same errno name,
 * the same bytes. Each scenario runs in a fresh directory per backend, prepared identically, and
 * describes its outcome as a string; the two strings must be equal. Skipped, with the reason, where
 * io_uring is unavailable (there is nothing to compare with).
 */
class NioParityTest {
    private static Proactor uring;
    private static Proactor portable;
    private static Path root;

    interface Scenario {
        String run(Proactor p, Path dir) throws Exception;
    }

    @BeforeAll
    static void open() throws Exception {
        assumeTrue(UringSupport.isAvailable(), () -> "io_uring unavailable: " + UringSupport.unavailabilityCause().orElse("?"));
        uring = Proactor.open(ProactorConfig.builder().name("parity-uring").backend(BackendChoice.IO_URING).build());
        portable = Proactor.open(ProactorConfig.builder().name("parity-nio").backend(BackendChoice.PORTABLE).build());
        root = Files.createTempDirectory("nio-parity");
    }

    @AfterAll
    static void close() throws Exception {
        for (Proactor p : new Proactor[] {uring, portable}) {
            if (p != null) {
                p.close();
                assertThat(p.metrics().ledger().outstanding()).isZero();
            }
        }
        if (root != null) {
            try (Stream<Path> all = Files.walk(root)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void bothBackendsEndTheSameWay(Scenario s) throws Exception {
        String name = Long.toHexString(System.nanoTime());
        String onUring = s.run(uring, prepared(root.resolve("uring-" + name)));
        String onPortable = s.run(portable, prepared(root.resolve("nio-" + name)));
        assertThat(onPortable).as("portable versus io_uring").isEqualTo(onUring);
    }

    @org.junit.jupiter.api.Test
    void statOfOneFileAgreesExceptBlocks() throws Exception {
        Path dir = prepared(root.resolve("stat"));
        for (String name : new String[] {"file", "sub", "big"}) {
            FileStat u = stat(uring, dir.resolve(name));
            FileStat n = stat(portable, dir.resolve(name));
            assertThat(n).as(name).usingRecursiveComparison().ignoringFields("blocks").isEqualTo(u);
            assertThat(n.blocks()).isEqualTo(NioStat.UNKNOWN_BLOCKS);
        }
    }

    /**
     * The one known difference: for O_DIRECT the JDK requires the buffer's address to be aligned to
     * the file system's block size and refuses with EINVAL before any call, where the kernel asks
     * only for the device's DMA alignment (often much smaller) and may accept the same read.
     */
    @org.junit.jupiter.api.Test
    void directReadIntoMisalignedMemoryIsRefusedByTheJdk() throws Exception {
        Path dir = prepared(root.resolve("direct"));
        String r = withFile(portable, dir.resolve("big"), Set.of(StandardOpenOption.READ, FileOpenOption.DIRECT), f -> {
            try (Arena a = Arena.ofShared()) {
                return outcome(f.read(0, a.allocate(4096 + 512, 4096).asSlice(1, 512)));
            }
        });
        assertThat(r).isEqualTo("failed EINVAL");
    }

    private static FileStat stat(Proactor p, Path path) throws Exception {
        AsyncFile f = p.openFile(path).await();
        try {
            return f.stat().await();
        } finally {
            f.closeAsync().await();
        }
    }

    private static Path prepared(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("file"), "0123456789");
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("file"));
        Files.write(dir.resolve("big"), new byte[8192]);
        return dir;
    }

    static Stream<Named<Scenario>> scenarios() {
        return Stream.of(
                Named.of("open a missing file", (p, d) -> opened(p.openFile(d.resolve("missing")))),
                Named.of("CREATE_NEW on an existing file", (p, d) -> opened(p.openFile(d.resolve("file"),
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))),
                Named.of("open a directory for writing", (p, d) -> opened(p.openFile(d.resolve("sub"), StandardOpenOption.WRITE))),
                Named.of("open below a regular file", (p, d) -> opened(p.openFile(d.resolve("file/x")))),
                Named.of("NOFOLLOW_LINKS on a symbolic link", (p, d) -> opened(p.openFile(d.resolve("link"),
                        StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))),
                Named.of("open a directory and read it", (p, d) -> withFile(p, d.resolve("sub"), Set.of(StandardOpenOption.READ),
                        f -> outcome(f.read(0, ByteBuffer.allocate(8))))),
                Named.of("write a read-only file", (p, d) -> withFile(p, d.resolve("file"), Set.of(StandardOpenOption.READ),
                        f -> outcome(f.write(0, ByteBuffer.wrap(new byte[] {1}))))),
                Named.of("read a write-only file", (p, d) -> withFile(p, d.resolve("file"), Set.of(StandardOpenOption.WRITE),
                        f -> outcome(f.read(0, ByteBuffer.allocate(1))))),
                Named.of("fsync a read-only file", (p, d) -> withFile(p, d.resolve("file"), Set.of(StandardOpenOption.READ),
                        f -> outcome(f.fsync()) + " " + outcome(f.fdatasync()))),
                Named.of("read at and past the end", (p, d) -> withFile(p, d.resolve("file"), Set.of(StandardOpenOption.READ),
                        f -> outcome(f.read(10, ByteBuffer.allocate(4))) + " " + outcome(f.read(99, ByteBuffer.allocate(4)))
                                + " " + outcome(f.readFully(8, ByteBuffer.allocate(4))) + " " + outcome(f.read(0, ByteBuffer.allocate(0)))
                                + " " + outcome(f.read(10, ByteBuffer.allocate(2))))),
                Named.of("READ, WRITE and APPEND: writes append, reads read", (p, d) -> withFile(p, d.resolve("file"),
                        Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.APPEND), f -> {
                            String w = outcome(f.write(0, ByteBuffer.wrap("ab".getBytes(StandardCharsets.UTF_8))));
                            String v = outcome(f.write(0, ByteBuffer.wrap("c".getBytes(StandardCharsets.UTF_8))));
                            ByteBuffer dst = ByteBuffer.allocate(16);
                            String r = outcome(f.read(0, dst));
                            return w + " " + v + " " + r + " " + new String(dst.array(), 0, dst.position(), StandardCharsets.UTF_8)
                                    + " " + Files.readString(d.resolve("file"));
                        })),
                Named.of("APPEND alone", (p, d) -> withFile(p, d.resolve("file"), Set.of(StandardOpenOption.APPEND), f ->
                        outcome(f.write(3, ByteBuffer.wrap("z".getBytes(StandardCharsets.UTF_8)))) + " "
                                + outcome(f.read(0, ByteBuffer.allocate(1))) + " " + Files.readString(d.resolve("file")))),
                Named.of("TRUNCATE_EXISTING with CREATE and a mode", (p, d) -> {
                    Path f = d.resolve("file");
                    String o = withFile(p, f, Set.of(StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), x -> "open");
                    Path n = d.resolve("new");
                    String c = withFile(p, n, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE), 0604, x -> "open");
                    return o + " " + Files.size(f) + " " + c + " " + java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(n));
                }),
                Named.of("DIRECT: aligned and misaligned reads", (p, d) -> withFile(p, d.resolve("big"),
                        Set.of(StandardOpenOption.READ, FileOpenOption.DIRECT), f -> {
                            try (Arena a = Arena.ofShared()) {
                                MemorySegment aligned = a.allocate(4096, 4096);
                                return outcome(f.read(0, aligned)) + " " + outcome(f.read(4096, aligned.asSlice(0, 4096)))
                                        + " " + outcome(f.read(1, aligned)) + " " + outcome(f.read(0, aligned.asSlice(0, 100)));
                            }
                        })));
    }

    interface FileBody {
        String run(AsyncFile f) throws Exception;
    }

    private static String withFile(Proactor p, Path path, Set<OpenOption> options, FileBody body) throws Exception {
        return withFile(p, path, options, 0644, body);
    }

    private static String withFile(Proactor p, Path path, Set<OpenOption> options, int mode, FileBody body) throws Exception {
        AsyncFile f;
        try {
            f = p.openFile(path, options, mode).await();
        } catch (OperationFailedException e) {
            return "open failed " + e.errnoName();
        }
        try {
            return body.run(f);
        } finally {
            f.closeAsync().await();
        }
    }

    private static String opened(Operation<AsyncFile> op) throws Exception {
        String o = outcome(op);
        if (o.startsWith("ok")) {
            op.resultNow().closeAsync().await();
            return "opened";
        }
        return o;
    }

    private static String outcome(Operation<?> op) throws InterruptedException {
        try {
            Object v = op.await();
            return "ok " + (v instanceof AsyncFile ? "file" : v);
        } catch (OperationFailedException e) {
            return "failed " + e.errnoName();
        } catch (ProactorException e) {
            return e.getClass().getSimpleName();
        }
    }
}
