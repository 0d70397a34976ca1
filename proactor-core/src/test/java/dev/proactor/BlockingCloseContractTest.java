package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.test.EachBackend;
import dev.proactor.test.InHandler;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.ResourceSnapshot;
import dev.proactor.test.Sockets;
import dev.proactor.test.TestFiles;
import dev.proactor.test.Waits;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code close()} on a file, socket or listener (what try-with-resources calls) is
 * {@code closeAsync()} and a wait for it: it returns once the descriptor is closed, a socket's
 * queued writes sent first, and rethrows the close's failure. On the proactor's own threads it
 * initiates the close without waiting, since the close's delivery may need that very thread.
 */
class BlockingCloseContractTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Small buffers: 4 MiB written to a peer that does not read stay pending. */
    private static final SocketOptions SMALL = SocketOptions.defaults().withBufferSizes(16 * 1024, 16 * 1024);
    private static final int STUCK_BYTES = 4 << 20;

    @EachBackend
    void tryWithResourcesClosesTheFileAndItsDescriptor(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        Path path = fixture.tempDir().resolve("twr.bin");
        TestFiles.writeRandom(path, 4096, 3);
        AsyncFile escaped;
        try (AsyncFile f = Ops.result(p.openFile(path, StandardOpenOption.READ))) {
            assertThat(descriptorsOn(path)).as("descriptors on the file while open").isEqualTo(1);
            assertThat(Ops.result(f.read(0, ByteBuffer.allocate(4096)))).isEqualTo(4096);
            escaped = f;
        }
        assertThat(escaped.isOpen()).isFalse();
        assertThat(descriptorsOn(path)).as("descriptors on the file once close() returned").isZero();
        assertThat(escaped.closeAsync().state()).isEqualTo(OperationState.COMPLETED);
        assertThat(Ops.failure(escaped.read(0, ByteBuffer.allocate(16)))).isInstanceOf(ProactorClosedException.class);
    }

    @EachBackend
    void tryWithResourcesClosesTheListener(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        SocketAddress address;
        try (AsyncServerSocket listener = Sockets.listen(p)) {
            address = listener.localAddress();
        }
        // The descriptor is closed when close() returns, so nothing listens on the port any more.
        assertThatThrownBy(() -> new Socket().connect(address)).isInstanceOf(ConnectException.class);
    }

    /**
     * The socket's close waits for the 4 MiB of writes queued before it: it is parked until the
     * peer reads them, and when it returns every write has completed and the peer gets every byte
     * and then end of stream.
     */
    @EachBackend
    void aSocketsCloseReturnsOnlyAfterItsQueuedWritesWereSent(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        AsyncServerSocket listener = Sockets.listen(p, SMALL.withCloseLinger(Duration.ofHours(1)));
        Sockets.Connection c = Sockets.connect(listener, p, SMALL);
        AsyncSocket s = c.server();
        List<Operation<Long>> writes = stuckWrites(s);
        AtomicReference<List<OperationState>> statesAtReturn = new AtomicReference<>();
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        Thread closer = Thread.ofVirtual().start(() -> {
            try {
                s.close();
                statesAtReturn.set(writes.stream().map(Operation::state).toList());
                closed.complete(null);
            } catch (Throwable t) {
                closed.complete(t);
            }
        });
        // Either parked in the wait (what close() should do) or already back (what it must not).
        Waits.until(WAIT, () -> closer.getState() == Thread.State.WAITING || closed.isDone(),
                () -> "closer neither waiting nor done: " + closer.getState());
        assertThat(closed.isDone()).as("close() returned while 4 MiB of writes were queued").isFalse();

        byte[] back = readToEnd(c.client());

        assertThat(closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNull();
        assertThat(statesAtReturn.get()).as("write states when close() returned")
                .containsOnly(OperationState.COMPLETED);
        assertThat(back).hasSize(STUCK_BYTES);
        c.client().close();
        listener.close();
    }

    /** A close cut by its linger rethrows that: TIMED_OUT, with the descriptor closed all the same. */
    @EachBackend
    void closeRethrowsTheTimeoutOfALingerThatCutQueuedWrites(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        AsyncServerSocket listener = Sockets.listen(p, SMALL);
        Sockets.Connection c = Sockets.connect(listener, p, SMALL.withCloseLinger(Duration.ofMillis(200)));
        AsyncSocket s = c.client();
        List<Operation<Long>> writes = stuckWrites(s);

        assertThatThrownBy(s::close).isInstanceOf(OperationTimeoutException.class).hasMessageContaining("cancelled");

        assertThat(s.isOpen()).isFalse();
        assertThat(s.closeAsync().state()).isEqualTo(OperationState.TIMED_OUT);
        for (Operation<Long> w : writes) {
            assertThat(w.state()).as("write %s", w).isEqualTo(OperationState.CANCELLED);
        }
        c.server().abort().await(WAIT);
        listener.close();
    }

    /**
     * An interrupt ends the wait, not the close: close() returns with the interrupt flag set, the
     * socket already refuses new operations, and its queued writes still reach the peer.
     */
    @EachBackend
    void anInterruptedCloseReturnsWithTheFlagSetAndTheCloseGoesOn(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        AsyncServerSocket listener = Sockets.listen(p, SMALL.withCloseLinger(Duration.ofHours(1)));
        Sockets.Connection c = Sockets.connect(listener, p, SMALL);
        AsyncSocket s = c.server();
        List<Operation<Long>> writes = stuckWrites(s);

        Thread.currentThread().interrupt();
        s.close();

        assertThat(Thread.interrupted()).as("interrupt flag set again").isTrue();
        assertThat(s.isOpen()).isFalse();
        assertThat(s.closeAsync().isDone()).as("close still waiting for the writes").isFalse();
        assertThat(readToEnd(c.client())).hasSize(STUCK_BYTES);
        s.closeAsync().await(WAIT);
        for (Operation<Long> w : writes) {
            assertThat(w.state()).as("write %s", w).isEqualTo(OperationState.COMPLETED);
        }
        c.client().close();
        listener.close();
    }

    @EachBackend
    void aSecondCloseIsHarmlessAndSeesTheSameClose(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        Path path = fixture.tempDir().resolve("twice.bin");
        TestFiles.writeRandom(path, 64, 4);
        AsyncFile f = Ops.result(p.openFile(path, StandardOpenOption.READ));
        Operation<Void> first = f.closeAsync();

        f.close();
        f.close();

        assertThat(f.closeAsync()).isSameAs(first);
        assertThat(first.state()).isEqualTo(OperationState.COMPLETED);
    }

    /**
     * In an inline handler close() cannot wait (the dispatcher delivers the close): it initiates
     * the close and returns, and the close then completes.
     */
    @EachBackend
    void closeFromAnInlineHandlerInitiatesWithoutDeadlocking(ProactorFixture fixture) throws Exception {
        closeFromAHandler(fixture, fixture.config().inlineHandlers(true));
    }

    /**
     * On the proactor's only worker close() cannot wait either: that worker is the one that would
     * deliver the close.
     */
    @EachBackend
    void closeFromTheOnlyWorkerInitiatesWithoutDeadlocking(ProactorFixture fixture) throws Exception {
        closeFromAHandler(fixture, fixture.config().workerThreads(1));
    }

    /** Once the proactor is closed its close has closed the file: close() returns that outcome. */
    @EachBackend
    void closeAfterTheProactorClosedFindsTheFileClosed(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        Path path = fixture.tempDir().resolve("late.bin");
        TestFiles.writeRandom(path, 64, 6);
        AsyncFile f = Ops.result(p.openFile(path, StandardOpenOption.READ));
        assertThat(p.close(Duration.ofSeconds(5)).clean()).isTrue();

        f.close();

        assertThat(f.isOpen()).isFalse();
        assertThat(descriptorsOn(path)).isZero();
    }

    private static void closeFromAHandler(ProactorFixture fixture, ProactorConfig.Builder config) throws Exception {
        Proactor p = fixture.open(config);
        Path path = fixture.tempDir().resolve("handler.bin");
        TestFiles.writeRandom(path, 64, 5);
        AsyncFile f = Ops.result(p.openFile(path, StandardOpenOption.READ));
        Throwable thrown = InHandler.thrown(p, f::close);

        assertThat(thrown).isNull();
        assertThat(f.isOpen()).isFalse();
        f.closeAsync().await(WAIT);
        assertThat(f.closeAsync().state()).isEqualTo(OperationState.COMPLETED);
        assertThat(descriptorsOn(path)).isZero();
    }

    // ------------------------------------------------------------------ helpers

    private static long descriptorsOn(Path path) {
        String target = path.toAbsolutePath().toString();
        return ResourceSnapshot.openFds().values().stream().filter(target::equals).count();
    }

    /** Writes {@link #STUCK_BYTES} in 4 writes to a peer that does not read: they stay pending. */
    private static List<Operation<Long>> stuckWrites(AsyncSocket s) {
        List<Operation<Long>> writes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            writes.add(s.writeAll(ByteBuffer.allocateDirect(STUCK_BYTES / 4)));
        }
        assertThat(s.pendingWriteBytes()).as("writes pending").isPositive();
        return writes;
    }

    private static byte[] readToEnd(AsyncSocket s) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (true) {
            int n = s.read(buf.clear()).await(WAIT);
            if (n < 0) {
                return got.toByteArray();
            }
            got.write(buf.array(), 0, n);
        }
    }
}
