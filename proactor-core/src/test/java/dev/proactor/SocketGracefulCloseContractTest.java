package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.BackendPair;
import dev.proactor.test.EachBackend;
import dev.proactor.test.EachBackendPair;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;

/**
 * A socket's ordinary close keeps what was written: the writes initiated before it finish in order,
 * then FIN, then the descriptor closes; a close whose writes cannot drain ends by its bound with the
 * writes cancelled, the connection reset and the descriptor closed; {@code abort()} drops queued
 * writes and resets at once; {@code shutdownOutput()} runs after the writes initiated before it.
 * Peers that must not read yet have small buffers, so that writes of a few MiB really are still
 * pending when the close or shutdown is initiated (each test asserts it).
 */
class SocketGracefulCloseContractTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Small buffers: a write of a few MiB to a peer that does not read stays pending. */
    private static final SocketOptions SMALL = SocketOptions.defaults().withBufferSizes(16 * 1024, 16 * 1024);
    /** A linger no test waits for: a close that still ends promptly did not wait for it. */
    private static final SocketOptions SMALL_NO_BOUND = SMALL.withCloseLinger(Duration.ofHours(1));

    @TempDir
    Path dir;

    /**
     * The case: an echo server that sends each received chunk back from the buffer it
     * arrived in and closes its socket when the receive stream ends, against 8 clients that each
     * send 0.3 to 2.4 MB and then shut down their output. Every client gets every byte back, then
     * end of stream.
     */
    @EachBackendPair
    void aReceiveEachEchoServerThatClosesAtEndOfStreamReturnsEveryByte(BackendPair pair) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server());
        List<String> serverFailures = java.util.Collections.synchronizedList(new ArrayList<>());
        OperationStream accepts = listener.acceptEach(socket -> {
            socket.receiveEach(chunk -> {
                int n = (int) chunk.segment().byteSize();
                socket.writeAll(chunk, n).onComplete((w, f) -> {
                    chunk.release();
                    if (f != null) {
                        serverFailures.add("echo write: " + f);
                    }
                });
            }).onComplete((total, f) -> {
                if (f != null) {
                    serverFailures.add("receive stream: " + f);
                }
                socket.closeAsync().onComplete((v, cf) -> {
                    if (cf != null) {
                        serverFailures.add("close: " + cf);
                    }
                });
            });
        });
        SplittableRandom random = new SplittableRandom(20261202);
        List<byte[]> sent = new ArrayList<>();
        List<CompletableFuture<byte[]>> echoed = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] data = new byte[300_000 + random.nextInt(2_100_001)];
            random.nextBytes(data);
            sent.add(data);
            AsyncSocket client = Ops.result(pair.client().connect(listener.localAddress()));
            echoed.add(readToEnd(client));
            Thread.ofVirtual().start(() -> {
                try {
                    client.writeAll(ByteBuffer.wrap(data)).await();
                    client.shutdownOutput().await();
                } catch (Exception e) {
                    // The reader then misses bytes, which the comparison below reports.
                }
            });
        }
        for (int i = 0; i < 8; i++) {
            byte[] back = echoed.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(back.length).as("client %d: bytes echoed of %d", i, sent.get(i).length)
                    .isEqualTo(sent.get(i).length);
            assertThat(Arrays.equals(back, sent.get(i))).as("client %d: echo is byte-exact", i).isTrue();
        }
        accepts.cancel().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Ops.result(listener.closeAsync());
        assertThat(serverFailures).isEmpty();
    }

    /**
     * Plain, gather, native, lent and file-transfer writes, all pending when close() is called, all
     * reach the peer, in order, followed by end of stream; the close completes and the writes
     * complete.
     */
    @EachBackendPair
    void writeThenCloseLosesNothing(BackendPair pair) throws Exception {
        writeThenClose(pair.server(), pair.client());
    }

    /** The same with zero-copy sends on the writing side (io_uring; a plain send elsewhere). */
    @EachBackendPair
    void writeThenCloseLosesNothingWithZeroCopySends(BackendPair pair) throws Exception {
        writeThenClose(pair.openServer(pair.config().zeroCopySendThreshold(4096)), pair.client());
    }

    private void writeThenClose(Proactor server, Proactor client) throws Exception {
        AsyncServerSocket listener = Sockets.listen(server, SMALL_NO_BOUND);
        Sockets.Connection c = Sockets.connect(listener, client, SMALL);
        SplittableRandom random = new SplittableRandom(7);
        byte[] a = bytes(random, 1 << 20);
        byte[] b1 = bytes(random, 300_000);
        byte[] b2 = bytes(random, 200_000);
        byte[] d = bytes(random, 500_000);
        byte[] e = bytes(random, 64 * 1024);
        byte[] f = bytes(random, 700_000);
        Path file = dir.resolve("body");
        Files.write(file, f);
        AsyncFile af = Ops.result(server.openFile(file, StandardOpenOption.READ));
        BufferLease lease = server.buffers().tryLease();
        int leased = (int) Math.min(e.length, lease.segment().byteSize());
        lease.segment().asByteBuffer().put(0, e, 0, leased);

        AsyncSocket s = c.server();
        List<Operation<?>> writes = new ArrayList<>();
        writes.add(s.writeAll(ByteBuffer.wrap(a)));
        writes.add(s.writeAll(ByteBuffer.wrap(b1), ByteBuffer.allocateDirect(b2.length).put(b2).flip()));
        java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared();
        writes.add(s.writeAll(arena.allocate(d.length).copyFrom(java.lang.foreign.MemorySegment.ofArray(d))));
        writes.add(s.writeAll(lease, leased));
        writes.add(s.transferFrom(af, 0, f.length));
        Operation<Void> close = s.closeAsync();
        long pendingAtClose = s.pendingWriteBytes();
        assertThat(pendingAtClose).as("bytes of writes still pending when close() was called").isPositive();
        assertThat(s.isOpen()).isFalse();

        byte[] back = readToEnd(c.client()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(a);
        expected.write(b1);
        expected.write(b2);
        expected.write(d);
        expected.write(e, 0, leased);
        expected.write(f);
        assertThat(back.length).isEqualTo(expected.size());
        assertThat(Arrays.equals(back, expected.toByteArray())).as("bytes in order, byte-exact").isTrue();
        close.await(WAIT);
        for (Operation<?> w : writes) {
            w.await(WAIT);
            assertThat(w.state()).as("write %s", w).isEqualTo(OperationState.COMPLETED);
        }
        lease.release();
        arena.close();
        Ops.result(af.closeAsync());
        Ops.result(c.client().closeAsync());
        Ops.result(listener.closeAsync());
    }

    /** shutdownOutput() after several queued writes: the peer reads every byte, then end of stream. */
    @EachBackendPair
    void shutdownOutputRunsAfterTheWritesInitiatedBeforeIt(BackendPair pair) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server(), SMALL);
        Sockets.Connection c = Sockets.connect(listener, pair.client(), SMALL);
        SplittableRandom random = new SplittableRandom(11);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        List<Operation<Long>> writes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] chunk = bytes(random, 100_000 + random.nextInt(300_000));
            expected.write(chunk);
            ByteBuffer buf = i % 2 == 0 ? ByteBuffer.wrap(chunk) : ByteBuffer.allocateDirect(chunk.length).put(chunk).flip();
            writes.add(c.client().writeAll(buf));
        }
        Operation<Void> shutdown = c.client().shutdownOutput();
        assertThat(c.client().pendingWriteBytes()).as("writes pending when the shutdown was initiated").isPositive();

        byte[] back = readToEnd(c.server()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(back.length).isEqualTo(expected.size());
        assertThat(Arrays.equals(back, expected.toByteArray())).as("bytes in order, byte-exact").isTrue();
        shutdown.await(WAIT);
        for (Operation<Long> w : writes) {
            assertThat(w.await(WAIT)).isPositive();
        }
        c.close();
        Ops.result(listener.closeAsync());
    }

    /**
     * abort() with writes stuck (the peer does not read, and the socket's close linger is an hour):
     * it completes without waiting, the writes end cancelled, the descriptor is gone and the peer
     * sees a reset, not end of stream.
     */
    @EachBackendPair
    void abortDropsQueuedWritesAndClosesAtOnce(BackendPair pair) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server(), SMALL_NO_BOUND);
        Sockets.Connection c = Sockets.connect(listener, pair.client(), SMALL);
        List<Operation<Long>> writes = stuckWrites(c.server());
        Set<Integer> fdsBefore = Sockets.socketFds();

        Operation<Void> abort = c.server().abort();
        abort.await(WAIT);
        assertThat(abort.state()).isEqualTo(OperationState.COMPLETED);
        assertCancelled(writes);
        assertThat(closedSince(fdsBefore)).as("socket descriptors closed by the abort").hasSize(1);
        assertPeerSeesReset(c.client());
        Ops.result(c.client().closeAsync());
        Ops.result(listener.closeAsync());
    }

    /** abort() after close(): the close stops waiting for its writes and completes (no timeout). */
    @EachBackendPair
    void abortAfterCloseEndsTheClosesWait(BackendPair pair) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server(), SMALL_NO_BOUND);
        Sockets.Connection c = Sockets.connect(listener, pair.client(), SMALL);
        List<Operation<Long>> writes = stuckWrites(c.server());
        Operation<Void> close = c.server().closeAsync();
        Operation<Void> abort = c.server().abort();
        assertThat(abort).isSameAs(close);
        close.await(WAIT);
        assertThat(close.state()).isEqualTo(OperationState.COMPLETED);
        assertCancelled(writes);
        assertPeerSeesReset(c.client());
        Ops.result(c.client().closeAsync());
        Ops.result(listener.closeAsync());
    }

    /**
     * A close whose writes cannot drain (the peer never reads) ends by the bound of the view it was
     * called on: TIMED_OUT, saying the writes were cancelled, with the descriptor closed all the
     * same, the writes cancelled and the peer reset.
     */
    @EachBackendPair
    void aCloseWhoseWritesCannotDrainEndsByItsTimeout(BackendPair pair) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server(), SMALL_NO_BOUND);
        Sockets.Connection c = Sockets.connect(listener, pair.client(), SMALL);
        boundedClose(c.server(), c.server().withTimeout(Duration.ofMillis(300)), c.client());
        Ops.result(c.client().closeAsync());
        Ops.result(listener.closeAsync());
    }

    /** The same, bounded by the socket's {@link SocketOptions#closeLinger()} (the connecting side's). */
    @EachBackendPair
    void aCloseWhoseWritesCannotDrainEndsByItsCloseLinger(BackendPair pair) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server(), SMALL);
        Sockets.Connection c = Sockets.connect(listener, pair.client(), SMALL.withCloseLinger(Duration.ofMillis(300)));
        boundedClose(c.client(), c.client(), c.server());
        Ops.result(c.server().closeAsync());
        Ops.result(listener.closeAsync());
    }

    private static void boundedClose(AsyncSocket socket, AsyncSocket closeVia, AsyncSocket peer) throws Exception {
        List<Operation<Long>> writes = stuckWrites(socket);
        Set<Integer> fdsBefore = Sockets.socketFds();
        Operation<Void> close = closeVia.closeAsync();
        awaitEnd(close);
        assertThat(close.state()).isEqualTo(OperationState.TIMED_OUT);
        assertThat(close.failureNow()).isInstanceOf(OperationTimeoutException.class)
                .hasMessageContaining("cancelled").hasMessageContaining("reset");
        assertCancelled(writes);
        assertThat(closedSince(fdsBefore)).as("socket descriptors closed by the close").hasSize(1);
        assertThat(socket.isOpen()).isFalse();
        assertPeerSeesReset(peer);
    }

    /**
     * Closing the proactor while a socket's close waits for writes that cannot drain keeps the
     * proactor's semantics: by its deadline the writes are cancelled and the socket's close goes on
     * to close the descriptor; nothing is abandoned.
     */
    @EachBackendPair
    void closingTheProactorEndsALingeringClose(BackendPair pair) throws Exception {
        Proactor server = pair.openServer(pair.config());
        AsyncServerSocket listener = Sockets.listen(server, SMALL_NO_BOUND);
        Sockets.Connection c = Sockets.connect(listener, pair.client(), SMALL);
        List<Operation<Long>> writes = stuckWrites(c.server());
        Operation<Void> close = c.server().closeAsync();
        CloseReport report = server.close(Duration.ofMillis(200));
        assertThat(report.abandoned()).as("close report %s", report).isEmpty();
        assertCancelled(writes);
        awaitEnd(close);
        assertThat(close.state().isTerminal()).isTrue();
        assertThat(c.server().isOpen()).isFalse();
        Ops.result(c.client().closeAsync());
    }

    /** close() refuses what comes after it: a write, a read, a shutdown. */
    @EachBackend
    void anOperationInitiatedAfterCloseFails(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        Operation<Void> close = c.client().closeAsync();
        Operation<Integer> write = c.client().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        Operation<Long> writeAll = c.client().writeAll(ByteBuffer.allocateDirect(10));
        Operation<Void> shutdown = c.client().shutdownOutput();
        for (Operation<?> op : List.of(write, writeAll, shutdown)) {
            awaitEnd(op);
            assertThat(op.state()).as("%s", op).isEqualTo(OperationState.FAILED);
            assertThat(op.failureNow()).isInstanceOf(ProactorClosedException.class).hasMessageContaining("socket closed");
        }
        close.await(WAIT);
        assertThat(readToEnd(c.server()).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEmpty();
        Ops.result(c.server().closeAsync());
        Ops.result(listener.closeAsync());
    }

    /**
     * close() right after a small write and with a read pending: the write's bytes arrive, then end
     * of stream; the read ends cancelled; the close completes.
     */
    @EachBackend
    void aCloseAfterASmallWriteDeliversItThenEndOfStream(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        Operation<Integer> read = c.client().read(ByteBuffer.allocate(16));
        c.client().writeAll(ByteBuffer.wrap(new byte[] {9, 8, 7}));
        Operation<Void> close = c.client().closeAsync();
        close.await(WAIT);
        assertThat(close.state()).isEqualTo(OperationState.COMPLETED);
        awaitEnd(read);
        assertThat(read.state()).as("the pending read ends cancelled").isEqualTo(OperationState.CANCELLED);
        assertThat(readToEnd(c.server()).get(WAIT.toSeconds(), TimeUnit.SECONDS)).containsExactly(9, 8, 7);
        Ops.result(c.server().closeAsync());
        Ops.result(listener.closeAsync());
    }

    // ------------------------------------------------------------------ helpers

    /** Writes 4 MiB in 4 writes to a peer that does not read: they stay pending. */
    private static List<Operation<Long>> stuckWrites(AsyncSocket s) {
        List<Operation<Long>> writes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            writes.add(s.writeAll(ByteBuffer.allocateDirect(1 << 20)));
        }
        assertThat(s.pendingWriteBytes()).as("writes pending").isPositive();
        return writes;
    }

    /** Reads until end of stream, on a virtual thread; fails the future on a read failure. */
    private static CompletableFuture<byte[]> readToEnd(AsyncSocket s) {
        CompletableFuture<byte[]> out = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (true) {
                    buf.clear();
                    int n = s.read(buf).await(WAIT);
                    if (n < 0) {
                        out.complete(got.toByteArray());
                        return;
                    }
                    got.write(buf.array(), 0, n);
                }
            } catch (Exception e) {
                out.completeExceptionally(e);
            }
        });
        return out;
    }

    /** The peer's reads end with ECONNRESET (after whatever had arrived), never with end of stream. */
    private static void assertPeerSeesReset(AsyncSocket peer) throws Exception {
        try {
            byte[] got = readToEnd(peer).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the peer read end of stream after " + got.length + " bytes, not a reset");
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(OperationFailedException.class);
            assertThat(((OperationFailedException) e.getCause()).errnoName()).isEqualTo("ECONNRESET");
        }
    }

    private static void assertCancelled(List<Operation<Long>> writes) throws Exception {
        for (Operation<Long> w : writes) {
            awaitEnd(w);
            assertThat(w.state()).as("write %s", w).isEqualTo(OperationState.CANCELLED);
        }
    }

    private static void awaitEnd(Operation<?> op) throws Exception {
        try {
            op.await(WAIT);
        } catch (ProactorException expected) {
            // The state is what the caller checks.
        }
    }

    private static Set<Integer> closedSince(Set<Integer> before) {
        Set<Integer> gone = new TreeSet<>(before);
        gone.removeAll(Sockets.socketFds());
        return gone;
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
