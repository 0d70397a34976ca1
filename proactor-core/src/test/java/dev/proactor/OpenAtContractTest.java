package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@link Proactor#openFileAt}: opens relative to an open directory under {@link ResolveOption}s,
 * the kernel's openat2 on io_uring and its fallback, the walk's emulation on the portable backend,
 * with the same outcomes. The tree: {@code root/sub/inside.txt}, {@code secret.txt} beside root.
 */
class OpenAtContractTest {

    private static final Set<ResolveOption> BENEATH = EnumSet.of(ResolveOption.BENEATH);
    private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ);

    private record Tree(Path root, Path secret) {}

    private static Tree tree(ProactorFixture fixture) throws Exception {
        Path root = Files.createDirectories(fixture.tempDir().resolve("root"));
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/inside.txt"), "inside");
        Path secret = Files.writeString(fixture.tempDir().resolve("secret.txt"), "secret");
        return new Tree(root, secret);
    }

    private static String readAll(AsyncFile f) {
        ByteBuffer b = ByteBuffer.allocate(64);
        int n = Ops.result(f.read(0, b));
        return new String(b.array(), 0, n, StandardCharsets.UTF_8);
    }

    private static String errnoOf(Operation<?> op) {
        ProactorException e = Ops.failure(op);
        assertThat(e).isInstanceOf(OperationFailedException.class);
        assertThat(((OperationFailedException) e).kind()).isEqualTo(OperationKind.OPEN);
        return ((OperationFailedException) e).errnoName();
    }

    @EachBackend
    void aFileInsideOpensAndReadsWithItsPathUnderTheDirectory(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Tree t = tree(fixture);
        try (AsyncFile dir = Ops.result(p.openFile(t.root()))) {
            try (AsyncFile f = Ops.result(p.openFileAt(dir, Path.of("sub/inside.txt"), BENEATH, READ, 0))) {
                assertThat(readAll(f)).isEqualTo("inside");
                assertThat(f.path()).isEqualTo(dir.path().resolve("sub/inside.txt"));
            }
            // A ".." that stays inside is no escape.
            try (AsyncFile f = Ops.result(p.openFileAt(dir, Path.of("sub/../sub/./inside.txt"), BENEATH, READ, 0))) {
                assertThat(readAll(f)).isEqualTo("inside");
            }
            assertThat(dir.isOpen()).as("the directory stays open").isTrue();
        }
        if (fixture.uringMask() != null) {
            assertThat(p.capabilities().operations().get(OperationKind.OPEN))
                    .as("the fallback variant takes the openat2 system call")
                    .contains("fallback: blocking openat2(2)");
        }
    }

    @EachBackend
    void dotDotAndAbsolutePathsThatLeaveTheDirectoryFailWithExdevUnderBeneathOnly(ProactorFixture fixture)
            throws Exception {
        Proactor p = fixture.proactor();
        Tree t = tree(fixture);
        try (AsyncFile dir = Ops.result(p.openFile(t.root()))) {
            assertThat(errnoOf(p.openFileAt(dir, Path.of("../secret.txt"), BENEATH, READ, 0))).isEqualTo("EXDEV");
            assertThat(errnoOf(p.openFileAt(dir, Path.of("sub/../../secret.txt"), BENEATH, READ, 0))).isEqualTo("EXDEV");
            // Out and back in is refused too: the walk may never stand above the directory.
            assertThat(errnoOf(p.openFileAt(dir, Path.of("../root/sub/inside.txt"), BENEATH, READ, 0)))
                    .isEqualTo("EXDEV");
            assertThat(errnoOf(p.openFileAt(dir, t.secret(), BENEATH, READ, 0))).isEqualTo("EXDEV");
            // Without the rule the same paths open: the rule is what refused them.
            try (AsyncFile f = Ops.result(p.openFileAt(dir, Path.of("../secret.txt"), Set.of(), READ, 0))) {
                assertThat(readAll(f)).isEqualTo("secret");
            }
            try (AsyncFile f = Ops.result(p.openFileAt(dir, t.secret(), Set.of(), READ, 0))) {
                assertThat(readAll(f)).isEqualTo("secret");
            }
        }
    }

    /**
     * A link whose target is absolute is refused under BENEATH even when it points inside (the
     * kernel refuses every jump to "/"): the decided behaviour, and serve's.
     */
    @EachBackend
    void linksThatEscapeOrAreAbsoluteFailWithExdevWhileRelativeLinksInsideAreFollowed(ProactorFixture fixture)
            throws Exception {
        Proactor p = fixture.proactor();
        Tree t = tree(fixture);
        Files.createSymbolicLink(t.root().resolve("out"), Path.of("../secret.txt"));
        Files.createSymbolicLink(t.root().resolve("abs-out"), t.secret());
        Files.createSymbolicLink(t.root().resolve("abs-in"), t.root().resolve("sub/inside.txt"));
        Files.createSymbolicLink(t.root().resolve("rel-in"), Path.of("sub/inside.txt"));
        Files.createSymbolicLink(t.root().resolve("sub/up"), Path.of(".."));
        try (AsyncFile dir = Ops.result(p.openFile(t.root()))) {
            assertThat(errnoOf(p.openFileAt(dir, Path.of("out"), BENEATH, READ, 0))).isEqualTo("EXDEV");
            assertThat(errnoOf(p.openFileAt(dir, Path.of("abs-out"), BENEATH, READ, 0))).isEqualTo("EXDEV");
            assertThat(errnoOf(p.openFileAt(dir, Path.of("abs-in"), BENEATH, READ, 0))).isEqualTo("EXDEV");
            assertThat(errnoOf(p.openFileAt(dir, Path.of("sub/up/../secret.txt"), BENEATH, READ, 0))).isEqualTo("EXDEV");
            try (AsyncFile f = Ops.result(p.openFileAt(dir, Path.of("rel-in"), BENEATH, READ, 0))) {
                assertThat(readAll(f)).isEqualTo("inside");
            }
            try (AsyncFile f = Ops.result(p.openFileAt(dir, Path.of("sub/up/sub/inside.txt"), BENEATH, READ, 0))) {
                assertThat(readAll(f)).isEqualTo("inside");
            }
            Set<ResolveOption> noLinks = EnumSet.of(ResolveOption.BENEATH, ResolveOption.NO_SYMLINKS);
            assertThat(errnoOf(p.openFileAt(dir, Path.of("rel-in"), noLinks, READ, 0))).isEqualTo("ELOOP");
            assertThat(errnoOf(p.openFileAt(dir, Path.of("sub/up/sub/inside.txt"), noLinks, READ, 0)))
                    .isEqualTo("ELOOP");
            assertThat(errnoOf(p.openFileAt(dir, Path.of("rel-in"), BENEATH,
                    Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS), 0))).as("O_NOFOLLOW on a last link")
                    .isEqualTo("ELOOP");
        }
    }

    @EachBackend
    void aLinkLoopFailsWithEloop(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Tree t = tree(fixture);
        Files.createSymbolicLink(t.root().resolve("a"), Path.of("b"));
        Files.createSymbolicLink(t.root().resolve("b"), Path.of("a"));
        try (AsyncFile dir = Ops.result(p.openFile(t.root()))) {
            assertThat(errnoOf(p.openFileAt(dir, Path.of("a"), BENEATH, READ, 0))).isEqualTo("ELOOP");
        }
    }

    /**
     * A FIFO opened NON_BLOCKING never waits for a writer: io_uring opens it at once (O_NONBLOCK)
     * and its stat tells it is no regular file; the portable backend, which cannot open without
     * waiting, refuses it with EAGAIN. Either way the open ends, with no writer ever coming.
     */
    @EachBackend
    void aFifoOpenedNonBlockingDoesNotWaitForAWriter(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Tree t = tree(fixture);
        Path fifo = fixture.fifo("root/pipe");
        assertThat(fifo.getParent()).isEqualTo(t.root());
        Set<OpenOption> nonBlocking = Set.of(StandardOpenOption.READ, FileOpenOption.NON_BLOCKING);
        try (AsyncFile dir = Ops.result(p.openFile(t.root()))) {
            Operation<AsyncFile> op = p.openFileAt(dir, Path.of("pipe"), BENEATH, nonBlocking, 0);
            if (fixture.backend() == BackendChoice.IO_URING) {
                try (AsyncFile f = Ops.result(op)) {
                    FileStat st = Ops.result(f.stat());
                    assertThat(st.isRegularFile()).isFalse();
                    assertThat(st.isDirectory()).isFalse();
                }
            } else {
                assertThat(errnoOf(op)).isEqualTo("EAGAIN");
            }
            // A regular file opened NON_BLOCKING reads as any other.
            try (AsyncFile f = Ops.result(p.openFileAt(dir, Path.of("sub/inside.txt"), BENEATH, nonBlocking, 0))) {
                assertThat(readAll(f)).isEqualTo("inside");
                assertThat(Ops.result(f.stat()).isRegularFile()).isTrue();
            }
        }
    }

    @EachBackend
    void badInputFailsClearly(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Tree t = tree(fixture);
        try (AsyncFile dir = Ops.result(p.openFile(t.root()));
                AsyncFile file = Ops.result(p.openFile(t.root().resolve("sub/inside.txt")))) {
            // An empty path names nothing, as with openat2 (AT_EMPTY_PATH is not offered).
            assertThat(errnoOf(p.openFileAt(dir, Path.of(""), BENEATH, READ, 0))).isEqualTo("ENOENT");
            assertThatThrownBy(() -> p.openFileAt(dir, Path.of("x"), BENEATH, Set.of(StandardOpenOption.DELETE_ON_CLOSE), 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported open option");
            assertThatThrownBy(() -> p.openFileAt(dir, Path.of("x"), BENEATH, READ, 010000))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mode");
            try (Proactor other = fixture.open()) {
                assertThatThrownBy(() -> other.openFileAt(dir, Path.of("sub/inside.txt"), BENEATH, READ, 0))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another proactor");
            }
            assertThat(errnoOf(p.openFileAt(dir, Path.of("missing"), BENEATH, READ, 0))).isEqualTo("ENOENT");
            assertThat(errnoOf(p.openFileAt(file, Path.of("x"), BENEATH, READ, 0))).as("relative to a file")
                    .isEqualTo("ENOTDIR");
            assertThat(errnoOf(p.openFileAt(dir, Path.of("sub/inside.txt/x"), BENEATH, READ, 0))).isEqualTo("ENOTDIR");
        }
    }

    @EachBackend
    void aCreatingOpenMakesTheFileInsideWithTheModeAsked(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Tree t = tree(fixture);
        try (AsyncFile dir = Ops.result(p.openFile(t.root()))) {
            Set<OpenOption> create = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try (AsyncFile f = Ops.result(p.openFileAt(dir, Path.of("sub/new.txt"), BENEATH, create, 0600))) {
                assertThat(Ops.result(f.write(0, ByteBuffer.wrap("n".getBytes(StandardCharsets.UTF_8))))).isEqualTo(1);
            }
            assertThat(Files.readString(t.root().resolve("sub/new.txt"))).isEqualTo("n");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(t.root().resolve("sub/new.txt")))).isEqualTo("rw-------");
            assertThat(errnoOf(p.openFileAt(dir, Path.of("../made.txt"), BENEATH, create, 0600))).isEqualTo("EXDEV");
            assertThat(Files.exists(fixture.tempDir().resolve("made.txt"))).isFalse();
        }
    }
}
