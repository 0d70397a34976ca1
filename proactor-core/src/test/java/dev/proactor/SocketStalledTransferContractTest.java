package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import dev.proactor.test.StalledPeers;
import dev.proactor.test.TestFiles;
import dev.proactor.test.Waits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link AsyncSocket#transferFrom} to peers that do not read, for far more than the socket buffers
 * hold: a stalled peer costs a wait for room in its socket, never a thread (io_uring once held an
 * {@code iou-wrk} worker per stalled splice). Once the peers read, every byte arrives, in order and
 * once; a cancel, a close or a deadline ends a stalled transfer with the bytes it sent, and on
 * io_uring closes the pipe that still held bytes.
 */
class SocketStalledTransferContractTest {
    /** Stalled transfers in flight at once. */
    private static final int PEERS = 64;
    /** What each transfer sends: many times what a connection's buffers and a pipe hold (about 200 KiB here). */
    private static final int FILE_BYTES = 512 * 1024;
    /**
     * Tasks the stalled transfers may add to the process: io_uring's cap of 16 unbounded io-wq
     * workers per ring, the proactor's worker and file threads, the JIT's; far below one a transfer.
     */
    private static final int TASK_ALLOWANCE = 24;
    private static final SocketOptions SMALL = SocketOptions.defaults().withBufferSizes(16 * 1024, 16 * 1024);
    private static final Duration STALL_WAIT = Duration.ofSeconds(30);

    @EachBackend
    void stalledPeersHoldNoThreadAndGetEveryByteOnceTheyRead(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Path path = fixture.tempDir().resolve("stalled.bin");
        TestFiles.writeRandom(path, FILE_BYTES, 11);
        byte[] content = Files.readAllBytes(path);
        AsyncServerSocket listener = Sockets.listen(p, SMALL);
        List<Sockets.Connection> cs = Sockets.connectMany(listener, p, SMALL, PEERS + 1, 16);
        AsyncFile file = Ops.result(p.openFile(path, StandardOpenOption.READ));
        int baseline = StalledPeers.tasks();

        List<Operation<Long>> sends = new ArrayList<>();
        for (int i = 0; i < PEERS; i++) {
            sends.add(cs.get(i).server().transferFrom(file, 0, FILE_BYTES));
        }
        AtomicInteger peak = new AtomicInteger();
        Waits.until(STALL_WAIT, () -> {
            peak.accumulateAndGet(StalledPeers.tasks(), Math::max);
            return stalled(cs.subList(0, PEERS));
        }, () -> "every sender stalled on its peer");
        peak.accumulateAndGet(StalledPeers.tasks(), Math::max);
        assertThat(peak.get()).as("tasks with %d stalled transfers (baseline %d)", PEERS, baseline)
                .isLessThanOrEqualTo(baseline + TASK_ALLOWANCE);
        assertThat(sends).as("stalled transfers").noneMatch(s -> s.state().isTerminal());

        // A deadline ends a stalled transfer too: one more, on a connection of its own.
        Sockets.Connection late = cs.get(PEERS);
        Operation<Long> timed = late.server().withTimeout(Duration.ofMillis(300)).transferFrom(file, 0, FILE_BYTES);
        ProactorException expired = Ops.failure(timed);
        assertThat(timed.state()).isEqualTo(OperationState.TIMED_OUT);
        assertSentExactly(late, content, expired.bytesDone());

        // A cancel and a close end stalled transfers; each pipe that still held bytes is closed.
        int pipesBefore = StalledPeers.pipes();
        Sockets.Connection cancelled = cs.get(0);
        sends.get(0).cancel();
        ProactorException c = Ops.failure(sends.get(0));
        assertThat(sends.get(0).state()).isEqualTo(OperationState.CANCELLED);
        Sockets.Connection aborted = cs.get(1);
        Ops.result(aborted.server().abort());
        ProactorException a = Ops.failure(sends.get(1));
        assertThat(sends.get(1).state()).isIn(OperationState.CANCELLED, OperationState.FAILED);
        assertThat(a.bytesDone()).isBetween(1L, FILE_BYTES - 1L);
        boolean splices = fixture.backend() == BackendChoice.IO_URING && fixture.uringMask() == null;
        assertThat(StalledPeers.pipes()).as("pipes after two stalled transfers ended")
                .isEqualTo(pipesBefore - (splices ? 2 : 0));
        assertSentExactly(cancelled, content, c.bytesDone());

        // The peers read: every byte of every other transfer arrives, once and in order.
        List<Operation<Long>> reads = new ArrayList<>();
        List<ByteBuffer> got = new ArrayList<>();
        for (int i = 2; i < PEERS; i++) {
            ByteBuffer b = ByteBuffer.allocate(FILE_BYTES);
            got.add(b);
            reads.add(cs.get(i).client().readFully(b));
        }
        for (int i = 2; i < PEERS; i++) {
            assertThat(Ops.result(sends.get(i))).as("transfer %d", i).isEqualTo(FILE_BYTES);
            assertThat(Ops.result(reads.get(i - 2))).isEqualTo(FILE_BYTES);
            assertThat(Arrays.equals(got.get(i - 2).array(), content)).as("bytes received on connection %d", i).isTrue();
        }
        // Nothing beyond the file followed: the next bytes on a connection are the next write's.
        assertSentExactly(cs.get(2), content, 0);

        Ops.result(file.closeAsync());
        Ops.result(aborted.client().closeAsync());
        Sockets.closeAll(cs.subList(2, cs.size()));
        Ops.result(cancelled.client().closeAsync());
        Ops.result(cancelled.server().closeAsync());
        Ops.result(listener.closeAsync());
    }

    /** Whether every connection's server side holds bytes its client has not read or acknowledged. */
    private static boolean stalled(List<Sockets.Connection> cs) {
        var queues = StalledPeers.byPorts();
        for (Sockets.Connection c : cs) {
            if (!StalledPeers.stalled(queues, c.server().localAddress(), c.server().remoteAddress())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes a marker after what a transfer sent, then reads on the client: the first {@code sent}
     * bytes of the file and then the marker, so not a byte of the transfer went missing, and none
     * it did not count (such as what its pipe held) reached the socket.
     */
    private static void assertSentExactly(Sockets.Connection c, byte[] content, long sent) {
        byte[] marker = "-- next write --".getBytes(StandardCharsets.US_ASCII);
        // The socket may still be full of the transfer's bytes: the write ends once the peer reads.
        Operation<Long> write = c.server().writeAll(ByteBuffer.wrap(marker));
        ByteBuffer b = ByteBuffer.allocate((int) sent + marker.length);
        Ops.result(c.client().readFully(b));
        Ops.result(write);
        assertThat(Arrays.equals(b.array(), 0, (int) sent, content, 0, (int) sent)).as("the %d bytes sent", sent).isTrue();
        assertThat(Arrays.copyOfRange(b.array(), (int) sent, b.capacity())).as("what followed them").isEqualTo(marker);
    }
}
