package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.BackendPair;
import dev.proactor.test.EachBackend;
import dev.proactor.test.EachBackendPair;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * A read or write of zero bytes completes with 0 at once, as a channel's does, whatever the
 * descriptor's readiness: on an idle connection (where a zero-byte recv on io_uring, or a
 * poll-first fallback, would wait for data that never comes), behind a write stuck on a full send
 * buffer, and on a FIFO with nothing in it. It moves nothing: no byte is taken from the stream, no
 * buffer position changes. On a closed socket it fails like any other operation.
 */
class EmptyTransferContractTest {

    @EachBackendPair
    void emptyReadsOnAnIdleConnectionCompleteAtOnceAndTakeNothing(BackendPair pair) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server());
        Sockets.Connection c = Sockets.connect(listener, pair.client());
        ByteBuffer heap = ByteBuffer.allocate(0);
        ByteBuffer direct = ByteBuffer.allocateDirect(8).position(8);
        assertThat(Ops.result(c.client().read(heap))).isZero();
        assertThat(Ops.result(c.client().read(direct))).isZero();
        assertThat(Ops.result(c.client().read(MemorySegment.NULL))).isZero();
        assertThat(Ops.result(c.client().readFully(ByteBuffer.allocate(0)))).isZero();
        assertThat(heap.position()).isZero();
        assertThat(direct.position()).isEqualTo(8);

        // With data waiting, an empty read still takes none of it.
        Ops.result(c.server().writeAll(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        assertThat(Ops.result(c.client().read(ByteBuffer.allocate(0)))).isZero();
        ByteBuffer three = ByteBuffer.allocate(3);
        assertThat(Ops.result(c.client().readFully(three))).isEqualTo(3L);
        assertThat(three.array()).containsExactly(1, 2, 3);

        c.close();
        Ops.result(listener.closeAsync());
    }

    @EachBackendPair
    void emptyWritesDoNotWaitBehindAWriteTheFullSendBufferHolds(BackendPair pair) throws Exception {
        SocketOptions small = SocketOptions.defaults().withBufferSizes(4096, 4096);
        AsyncServerSocket listener = Sockets.listen(pair.server(), small);
        Sockets.Connection c = Sockets.connect(listener, pair.client(), small);
        byte[] big = new byte[4 << 20];
        new SplittableRandom(3).nextBytes(big);
        // The peer does not read yet: the kernel cannot take 4 MiB, so this write stays pending.
        Operation<Long> stuck = c.client().writeAll(ByteBuffer.wrap(big));
        assertThat(Ops.result(c.client().write(ByteBuffer.allocate(0)))).isZero();
        assertThat(Ops.result(c.client().writeAll(ByteBuffer.allocateDirect(0)))).isZero();
        assertThat(Ops.result(c.client().write(new ByteBuffer[] {ByteBuffer.allocate(0), ByteBuffer.allocate(0)})))
                .isZero();
        assertThat(stuck.isDone()).as("the 4 MiB write, with the peer not reading").isFalse();

        ByteBuffer got = ByteBuffer.allocate(big.length);
        assertThat(Ops.result(c.server().readFully(got))).isEqualTo((long) big.length);
        assertThat(Ops.result(stuck)).isEqualTo((long) big.length);
        assertThat(got.array()).isEqualTo(big);

        c.close();
        Ops.result(listener.closeAsync());
    }

    @EachBackendPair
    void anEmptyReadOnAClosedSocketFails(BackendPair pair) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server());
        Sockets.Connection c = Sockets.connect(listener, pair.client());
        Ops.result(c.client().closeAsync());
        Operation<Integer> read = c.client().read(ByteBuffer.allocate(0));
        assertThat(Ops.failure(read)).isInstanceOf(ProactorClosedException.class);
        c.close();
        Ops.result(listener.closeAsync());
    }

    @EachBackend
    void emptyReadsOnAFifoWithNoDataCompleteAtOnce(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Path fifo = fixture.fifo("empty.fifo");
        // READ+WRITE: the open never waits for a writer, and a read would wait for data, not see EOF.
        AsyncFile pipe = Ops.result(p.openFile(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
        assertThat(Ops.result(pipe.read(0, ByteBuffer.allocate(0)))).isZero();
        try (Arena arena = Arena.ofShared()) {
            assertThat(Ops.result(pipe.read(0, arena.allocate(0)))).isZero();
        }
        assertThat(Ops.result(pipe.write(0, ByteBuffer.allocate(0)))).isZero();
        Ops.result(pipe.closeAsync());
    }
}
