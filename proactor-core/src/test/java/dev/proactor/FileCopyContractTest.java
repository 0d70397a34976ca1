package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Byte-exact file transfer through {@code readFully}/{@code writeAll} and single reads and writes,
 * with every kind of buffer (direct, heap through the bounce path, native segment, pooled lease),
 * and the end-of-file semantics of single and full reads.
 */
class FileCopyContractTest {

    private static final int CHUNK = 1 << 20;
    private static final long SIZE = 64L * CHUNK;
    private static final int LANES = 4;

    /** The kinds of buffer a chunk goes through. */
    private enum Via { DIRECT, HEAP, SEGMENT, LEASE }

    @EachBackend
    void copies64MiBByteExactThroughEveryBufferKind(ProactorFixture fixture) throws Exception {
        Path src = fixture.tempDir().resolve("src.bin");
        Path dst = fixture.tempDir().resolve("dst.bin");
        String srcSha = TestFiles.writeRandom(src, SIZE, 0x5eed);
        Proactor p = fixture.open(fixture.config().bufferSize(CHUNK).bufferCount(LANES));

        AsyncFile in = Ops.result(p.openFile(src, StandardOpenOption.READ));
        AsyncFile out = Ops.result(p.openFile(dst, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING));
        List<CompletableFuture<Void>> lanes = new ArrayList<>();
        List<Lane> owned = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            for (int lane = 0; lane < LANES; lane++) {
                Lane l = new Lane(in, out, ByteBuffer.allocateDirect(CHUNK), ByteBuffer.allocate(CHUNK),
                        arena.allocate(CHUNK, 4096), p.buffers().lease(Duration.ofSeconds(5)));
                owned.add(l);
                lanes.add(l.copyFrom(lane));
            }
            CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            for (Lane l : owned) {
                assertThat(l.chunksByVia).as("each lane used every buffer kind").doesNotContain(0);
                l.lease.release();
            }
        }
        Ops.result(in.closeAsync());
        Ops.result(out.closeAsync());
        assertThat(Files.size(dst)).isEqualTo(SIZE);
        assertThat(TestFiles.sha256(dst)).as("SHA-256 of the copy").isEqualTo(srcSha);
        assertThat(p.buffers().leased()).isZero();
    }

    /** Copies chunks {@code first}, {@code first + LANES}, ... one after the other, each through its buffer kind. */
    private static final class Lane {
        final AsyncFile in;
        final AsyncFile out;
        final ByteBuffer direct;
        final ByteBuffer heap;
        final MemorySegment segment;
        final BufferLease lease;
        final int[] chunksByVia = new int[Via.values().length];

        Lane(AsyncFile in, AsyncFile out, ByteBuffer direct, ByteBuffer heap, MemorySegment segment, BufferLease lease) {
            this.in = in;
            this.out = out;
            this.direct = direct;
            this.heap = heap;
            this.segment = segment;
            this.lease = lease;
        }

        CompletableFuture<Void> copyFrom(int chunk) {
            if ((long) chunk * CHUNK >= SIZE) {
                return CompletableFuture.completedFuture(null);
            }
            long pos = (long) chunk * CHUNK;
            // Lane L sees chunks L, L+4, ...: rotate so that every lane uses every kind, and lanes differ.
            Via via = Via.values()[(chunk + chunk / LANES) % Via.values().length];
            chunksByVia[via.ordinal()]++;
            CompletableFuture<?> done = switch (via) {
                case DIRECT -> copyBuffer(pos, direct.clear());
                case HEAP -> copyBuffer(pos, heap.clear());
                case SEGMENT -> in.readFully(pos, segment).stage().toCompletableFuture()
                        .thenCompose(n -> {
                            assertThat(n).isEqualTo((long) CHUNK);
                            return out.writeAll(pos, segment).stage();
                        })
                        .thenAccept(n -> assertThat(n).isEqualTo((long) CHUNK));
                case LEASE -> copyLease(pos);
            };
            return done.thenCompose(x -> copyFrom(chunk + LANES));
        }

        private CompletableFuture<Void> copyBuffer(long pos, ByteBuffer buf) {
            return in.readFully(pos, buf).stage().toCompletableFuture()
                    .thenCompose(n -> {
                        assertThat(n).isEqualTo((long) CHUNK);
                        assertThat(buf.position()).as("position advanced by readFully").isEqualTo(CHUNK);
                        return out.writeAll(pos, buf.flip()).stage();
                    })
                    .thenAccept(n -> {
                        assertThat(n).isEqualTo((long) CHUNK);
                        assertThat(buf.hasRemaining()).as("writeAll consumed the buffer").isFalse();
                    });
        }

        /**
         * Reads and writes once through the lease (the registered-buffer path); a short transfer is
         * finished through the lease's memory as a plain direct buffer, since a lease operation always
         * starts at the slab's first byte.
         */
        private CompletableFuture<Void> copyLease(long pos) {
            return in.read(pos, lease, CHUNK).stage().toCompletableFuture()
                    .thenCompose(n -> n == CHUNK
                            ? CompletableFuture.completedFuture(null)
                            : in.readFully(pos + n, lease.asByteBuffer().position(n).limit(CHUNK)).stage())
                    .thenCompose(x -> out.write(pos, lease, CHUNK).stage())
                    .thenCompose(n -> n == CHUNK
                            ? CompletableFuture.completedFuture(null)
                            : out.writeAll(pos + n, lease.asByteBuffer().position(n).limit(CHUNK)).stage())
                    .thenAccept(x -> { });
        }
    }

    @EachBackend
    void singleReadIsShortAtEndOfFileAndMinusOneAtIt(ProactorFixture fixture) throws Exception {
        Path file = fixture.tempDir().resolve("small.bin");
        long size = 10_000;
        TestFiles.writeRandom(file, size, 7);
        byte[] tail = TestFiles.slice(file, size - 100, 100);
        Proactor p = fixture.proactor();
        AsyncFile f = Ops.result(p.openFile(file, StandardOpenOption.READ));

        for (ByteBuffer buf : List.of(ByteBuffer.allocateDirect(4096), ByteBuffer.allocate(4096))) {
            int n = Ops.result(f.read(size - 100, buf));
            assertThat(n).as("read at size-100 with " + kindOf(buf)).isEqualTo(100);
            assertThat(buf.position()).isEqualTo(100);
            assertThat(bytes(buf, 100)).isEqualTo(tail);

            buf.clear();
            assertThat(Ops.result(f.read(size, buf))).as("read at size").isEqualTo(-1);
            assertThat(buf.position()).isZero();
            assertThat(Ops.result(f.read(size + 12345, buf))).as("read past size").isEqualTo(-1);
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(4096);
            assertThat(Ops.result(f.read(size - 100, seg))).isEqualTo(100);
            assertThat(seg.asSlice(0, 100).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(tail);
            assertThat(Ops.result(f.read(size, seg))).isEqualTo(-1);
        }
        try (BufferLease lease = p.buffers().lease(Duration.ofSeconds(5))) {
            Operation<Integer> op = f.read(size - 100, lease, 4096);
            assertThat(Ops.result(op)).isEqualTo(100);
            assertThat(lease.segment().asSlice(0, 100).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                    .isEqualTo(tail);
        }
        Ops.result(f.closeAsync());
    }

    @EachBackend
    void readFullyPastTheEndFailsWithTheExactCountAndKeepsTheBytes(ProactorFixture fixture) throws Exception {
        Path file = fixture.tempDir().resolve("small.bin");
        long size = 10_000;
        TestFiles.writeRandom(file, size, 8);
        byte[] tail = TestFiles.slice(file, size - 100, 100);
        AsyncFile f = Ops.result(fixture.proactor().openFile(file, StandardOpenOption.READ));

        for (ByteBuffer buf : List.of(ByteBuffer.allocateDirect(4096), ByteBuffer.allocate(4096))) {
            Operation<Long> op = f.readFully(size - 100, buf);
            ProactorException e = Ops.failure(op);
            assertThat(e).as("readFully past the end with " + kindOf(buf)).isInstanceOf(EndOfFileException.class);
            assertThat(e.bytesDone()).isEqualTo(100);
            assertThat(e.kind()).isEqualTo(OperationKind.READ);
            assertThat(op.state()).isEqualTo(OperationState.FAILED);
            assertThat(op.failureNow()).isSameAs(e);
            assertThat(bytes(buf, 100)).as("the bytes read are in the buffer").isEqualTo(tail);
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(4096);
            ProactorException e = Ops.failure(f.readFully(size - 100, seg));
            assertThat(e).isInstanceOf(EndOfFileException.class);
            assertThat(e.bytesDone()).isEqualTo(100);
            assertThat(seg.asSlice(0, 100).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(tail);
        }
        ProactorException atEnd = Ops.failure(f.readFully(size, ByteBuffer.allocate(10)));
        assertThat(atEnd).isInstanceOf(EndOfFileException.class);
        assertThat(atEnd.bytesDone()).isZero();
        Ops.result(f.closeAsync());
    }

    @EachBackend
    void aConfinedSegmentIsRefusedUpFrontWithAClearError(ProactorFixture fixture) throws Exception {
        // The backend's threads and the handler's worker are not the segment's owner; a confined
        // segment would be unusable by them, so every backend refuses it before anything starts.
        Path file = fixture.tempDir().resolve("confined.bin");
        TestFiles.writeRandom(file, 4096, 10);
        AsyncFile f = Ops.result(fixture.proactor().openFile(file, StandardOpenOption.READ));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4096);
            assertThatThrownBy(() -> f.read(0, seg))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("confined");
            try (Arena shared = Arena.ofShared()) {
                MemorySegment ok = shared.allocate(4096);
                assertThat(Ops.result(f.read(0, ok))).isEqualTo(4096);
                assertThat(ok.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(TestFiles.slice(file, 0, 4096));
            }
        } finally {
            Ops.result(f.closeAsync());
        }
    }

    private static String kindOf(ByteBuffer b) {
        return b.isDirect() ? "a direct buffer" : "a heap buffer";
    }

    /** The first {@code n} bytes of the buffer's backing memory, whatever its position. */
    private static byte[] bytes(ByteBuffer buf, int n) {
        byte[] out = new byte[n];
        buf.duplicate().position(0).limit(n).get(out);
        return out;
    }
}
