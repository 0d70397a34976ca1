package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A proactor serves only the handles it made: there is no provider SPI, so a user's own
 * implementation of {@link AsyncFile} or {@link BufferLease}, or another proactor's, is refused with
 * {@link IllegalArgumentException} when the operation is initiated, before anything reaches the
 * kernel, and the refused handle is left as it was.
 */
class ForeignHandleContractTest {

    @EachBackend
    void aLeaseOfAnotherProactorOrOfTheUsersOwnIsRefused(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Path path = fixture.tempDir().resolve("foreign-lease.bin");
        Files.write(path, new byte[4096]);
        AsyncFile file = Ops.result(p.openFile(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
        try (Proactor other = fixture.open(); Arena arena = Arena.ofShared()) {
            BufferLease theirs = other.buffers().tryLease();
            assertThat(theirs).isNotNull();
            assertThatThrownBy(() -> file.read(0, theirs, 16)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("does not belong to this proactor");
            assertThatThrownBy(() -> file.write(0, theirs, 16)).isInstanceOf(IllegalArgumentException.class);
            assertThat(theirs.isReleased()).as("the refused lease is still the caller's").isFalse();
            theirs.release();

            BufferLease own = new UsersOwnLease(arena.allocate(64));
            assertThatThrownBy(() -> file.write(0, own, 16)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("does not belong to this proactor");
        }
        assertThat(p.metrics().ledger().initiated()).as("nothing refused was initiated: only the open").isEqualTo(1);
        Ops.result(file.closeAsync());
    }

    @EachBackend
    void aFileOfAnotherProactorOrOfTheUsersOwnIsRefusedByTransferFrom(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Path path = fixture.tempDir().resolve("foreign-file.bin");
        Files.write(path, new byte[4096]);
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        try (Proactor other = fixture.open()) {
            AsyncFile theirs = Ops.result(other.openFile(path, StandardOpenOption.READ));
            assertThatThrownBy(() -> c.server().transferFrom(theirs, 0, 16)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("another proactor");
            assertThat(theirs.isOpen()).isTrue();
            Ops.result(theirs.closeAsync());

            AsyncFile own = usersOwnFile();
            assertThatThrownBy(() -> c.server().transferFrom(own, 0, 16)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("another proactor");
        }
        assertThat(c.server().pendingWriteBytes()).as("no refused transfer was queued").isZero();
        Ops.result(c.client().closeAsync());
        Ops.result(c.server().closeAsync());
        Ops.result(listener.closeAsync());
    }

    /** A lease the library did not make. */
    private record UsersOwnLease(MemorySegment segment) implements BufferLease {
        @Override public ByteBuffer asByteBuffer() { return segment.asByteBuffer(); }
        @Override public int index() { return 0; }
        @Override public boolean isReleased() { return false; }
        @Override public void release() {}
    }

    /** A file the library did not open: a proxy whose every method fails, and none is reached. */
    private static AsyncFile usersOwnFile() {
        return (AsyncFile) Proxy.newProxyInstance(AsyncFile.class.getClassLoader(), new Class<?>[] {AsyncFile.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "toString" -> "a user's own AsyncFile";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new AssertionError("the proactor called " + method);
                });
    }
}
