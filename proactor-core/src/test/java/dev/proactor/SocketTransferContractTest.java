package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.BackendPair;
import dev.proactor.test.EachBackendPair;
import dev.proactor.test.Ops;
import dev.proactor.test.Sockets;
import dev.proactor.test.TestFiles;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@link AsyncSocket#transferFrom} over every backend pair: the server side sends a file, the client
 * side receives with ordinary reads. The sender's backend is the one under test (io_uring: splice
 * through a pipe; portable: FileChannel.transferTo); every pair runs, so each backend sends to each.
 */
class SocketTransferContractTest {
    private static final int MIB = 1 << 20;

    /**
     * A 16 MiB random file sent in chunks of uneven, non-page-aligned sizes, all initiated at once:
     * each completes with its count, and the receiver's SHA-256 matches the file's.
     */
    @EachBackendPair
    void sixteenMebibytesInChunksArriveWhole(BackendPair pair) throws Exception {
        Path path = pair.serverFixture().tempDir().resolve("transfer16.bin");
        long size = 16L * MIB;
        String sha = TestFiles.writeRandom(path, size, 16);
        AsyncServerSocket listener = Sockets.listen(pair.server());
        Sockets.Connection c = Sockets.connect(listener, pair.client());
        AsyncFile file = Ops.result(pair.server().openFile(path, StandardOpenOption.READ));

        SplittableRandom random = new SplittableRandom(3);
        List<Operation<Long>> sends = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (long at = 0; at < size; ) {
            long n = Math.min(size - at, 1 + random.nextInt(3 * MIB));
            sends.add(c.server().transferFrom(file, at, n));
            counts.add(n);
            at += n;
        }

        MessageDigest got = MessageDigest.getInstance("SHA-256");
        receive(c.client(), size, got::update);
        assertThat(HexFormat.of().formatHex(got.digest())).as("SHA-256 of what the client received").isEqualTo(sha);
        for (int i = 0; i < sends.size(); i++) {
            assertThat(Ops.result(sends.get(i))).as("transfer " + i).isEqualTo(counts.get(i));
        }
        Ops.result(file.closeAsync());
        Ops.result(c.client().closeAsync());
        Ops.result(c.server().closeAsync());
        Ops.result(listener.closeAsync());
    }

    /** A transfer past the end of the file sends what there is, then fails with exactly that count. */
    @EachBackendPair
    void pastEndOfFileFailsWithExactBytesDone(BackendPair pair) throws Exception {
        Path path = pair.serverFixture().tempDir().resolve("short.bin");
        int size = 300_001;
        TestFiles.writeRandom(path, size, 5);
        AsyncServerSocket listener = Sockets.listen(pair.server());
        Sockets.Connection c = Sockets.connect(listener, pair.client());
        AsyncFile file = Ops.result(pair.server().openFile(path, StandardOpenOption.READ));

        long position = 40_000;
        Operation<Long> send = c.server().transferFrom(file, position, 1_000_000);
        ProactorException e = Ops.failure(send);
        assertThat(e).isInstanceOf(EndOfFileException.class);
        assertThat(e.bytesDone()).isEqualTo(size - position);

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        receive(c.client(), size - position, got::write);
        assertThat(got.toByteArray()).isEqualTo(TestFiles.slice(path, position, (int) (size - position)));

        // Starting at the end sends nothing and says so.
        ProactorException atEnd = Ops.failure(c.server().transferFrom(file, size, 1));
        assertThat(atEnd).isInstanceOf(EndOfFileException.class);
        assertThat(atEnd.bytesDone()).isZero();
        assertThat(Ops.result(c.server().transferFrom(file, size, 0))).as("an empty transfer").isZero();

        Ops.result(file.closeAsync());
        Ops.result(c.client().closeAsync());
        Ops.result(c.server().closeAsync());
        Ops.result(listener.closeAsync());
    }

    /** Writes and transfers initiated back to back on one socket reach the peer in initiation order. */
    @EachBackendPair
    void transfersAndWritesKeepTheirOrder(BackendPair pair) throws Exception {
        Path path = pair.serverFixture().tempDir().resolve("order.bin");
        int size = 3 * MIB + 123;
        TestFiles.writeRandom(path, size, 7);
        AsyncServerSocket listener = Sockets.listen(pair.server());
        Sockets.Connection c = Sockets.connect(listener, pair.client());
        AsyncFile file = Ops.result(pair.server().openFile(path, StandardOpenOption.READ));

        byte[] a = new byte[700_000];
        byte[] b = new byte[5_000];
        new SplittableRandom(1).nextBytes(a);
        new SplittableRandom(2).nextBytes(b);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        List<Operation<Long>> ops = new ArrayList<>();
        ops.add(c.server().writeAll(ByteBuffer.wrap(a)));
        expected.write(a);
        ops.add(c.server().transferFrom(file, 0, 2 * MIB));
        expected.write(TestFiles.slice(path, 0, 2 * MIB));
        ops.add(c.server().writeAll(ByteBuffer.wrap(b)));
        expected.write(b);
        ops.add(c.server().transferFrom(file, 4097, size - 4097));
        expected.write(TestFiles.slice(path, 4097, size - 4097));
        ops.add(c.server().writeAll(ByteBuffer.wrap(a)));
        expected.write(a);

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        receive(c.client(), expected.size(), got::write);
        assertThat(got.toByteArray()).as("bytes in initiation order").isEqualTo(expected.toByteArray());
        for (Operation<Long> op : ops) {
            Ops.result(op);
        }
        Ops.result(file.closeAsync());
        Ops.result(c.client().closeAsync());
        Ops.result(c.server().closeAsync());
        Ops.result(listener.closeAsync());
    }

    /**
     * The peer reads 1 MiB and then stops, so the transfer blocks on a full socket; aborting the
     * sending socket ends it (cancelled, or failed), with the bytes sent so far, and leaves no
     * descriptor or pipe behind (the fixtures check descriptors after their proactors close). An
     * ordinary close would let it drain first ({@code SocketGracefulCloseContractTest}).
     */
    @EachBackendPair
    void closingTheSocketEndsATransferInProgress(BackendPair pair) throws Exception {
        Path path = pair.serverFixture().tempDir().resolve("stuck.bin");
        long size = 16L * MIB;
        TestFiles.writeRandom(path, size, 9);
        SocketOptions small = SocketOptions.defaults().withBufferSizes(64 * 1024, 64 * 1024);
        AsyncServerSocket listener = Sockets.listen(pair.server(), small);
        Sockets.Connection c = Sockets.connect(listener, pair.client(), small);
        AsyncFile file = Ops.result(pair.server().openFile(path, StandardOpenOption.READ));

        Operation<Long> send = c.server().transferFrom(file, 0, size);
        receive(c.client(), MIB, (buf, off, len) -> { });
        Ops.result(c.server().abort());

        ProactorException e = Ops.failure(send);
        assertThat(send.state()).isIn(OperationState.CANCELLED, OperationState.FAILED);
        assertThat(e.bytesDone()).isBetween((long) MIB, size - 1);

        // The file is still usable: the transfer's end left it alone.
        assertThat(Ops.result(file.size())).isEqualTo(size);
        Ops.result(file.closeAsync());
        Ops.result(c.client().closeAsync());
        Ops.result(listener.closeAsync());
    }

    /** Closing the file ends a transfer that is blocked on the socket; the socket stays usable. */
    @EachBackendPair
    void closingTheFileEndsATransferInProgress(BackendPair pair) throws Exception {
        Path path = pair.serverFixture().tempDir().resolve("stuck-file.bin");
        long size = 16L * MIB;
        TestFiles.writeRandom(path, size, 10);
        SocketOptions small = SocketOptions.defaults().withBufferSizes(64 * 1024, 64 * 1024);
        AsyncServerSocket listener = Sockets.listen(pair.server(), small);
        Sockets.Connection c = Sockets.connect(listener, pair.client(), small);
        AsyncFile file = Ops.result(pair.server().openFile(path, StandardOpenOption.READ));

        Operation<Long> send = c.server().transferFrom(file, 0, size);
        receive(c.client(), MIB, (buf, off, len) -> { });
        Ops.result(file.closeAsync());
        ProactorException e = Ops.failure(send);
        assertThat(send.state()).isIn(OperationState.CANCELLED, OperationState.FAILED);
        assertThat(e.bytesDone()).isBetween((long) MIB, size - 1);
        assertThat(Ops.failure(c.server().transferFrom(file, 0, 1))).isInstanceOf(ProactorClosedException.class);

        Ops.result(c.client().closeAsync());
        Ops.result(c.server().closeAsync());
        Ops.result(listener.closeAsync());
    }

    private interface Sink {
        void accept(byte[] buf, int off, int len) throws Exception;
    }

    /** Reads exactly {@code total} bytes from {@code socket}, handing each piece to {@code sink}. */
    private static void receive(AsyncSocket socket, long total, Sink sink) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
        byte[] copy = new byte[buf.capacity()];
        long left = total;
        while (left > 0) {
            buf.clear().limit((int) Math.min(buf.capacity(), left));
            int n = Ops.result(socket.read(buf));
            assertThat(n).as("read with " + left + " bytes still to come").isPositive();
            buf.flip();
            buf.get(copy, 0, n);
            sink.accept(copy, 0, n);
            left -= n;
        }
    }
}
