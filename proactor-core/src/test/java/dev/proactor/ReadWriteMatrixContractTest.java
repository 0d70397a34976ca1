package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The read/write matrix of files and sockets, every cell on every backend: {@code read},
 * {@code write}, {@code readFully} and {@code writeAll}, each with a {@link ByteBuffer}, a native
 * {@link MemorySegment}, a {@link BufferLease} and several buffers. Each cell moves exactly the
 * bytes asked, moves a buffer's position by what it moved, and meets the end of a file or stream as
 * documented (-1 for one round, {@link EndOfFileException} counting what arrived for a full read).
 */
class ReadWriteMatrixContractTest {

    /** A column of the matrix: how the bytes are handed over. */
    enum Form { BYTE_BUFFER, SEGMENT, LEASE, SEVERAL }

    /** Bytes in a form, and what a read left in it. */
    private static final class Held implements AutoCloseable {
        final Form form;
        final int length;
        ByteBuffer buffer;
        ByteBuffer[] several;
        MemorySegment segment;
        BufferLease lease;
        private final Arena arena = Arena.ofShared();

        /** {@code length} bytes of {@code form}, holding {@code data} (or zeros when null). */
        Held(Proactor p, Form form, int length, byte[] data) {
            this.form = form;
            this.length = length;
            switch (form) {
                case BYTE_BUFFER -> buffer = ByteBuffer.allocate(length);
                case SEGMENT -> segment = arena.allocate(length);
                case LEASE -> lease = p.buffers().tryLease();
                case SEVERAL -> {
                    // A heap, an empty, a direct and a heap buffer: the split points move with the length.
                    int a = length / 3;
                    int b = length / 2;
                    several = new ByteBuffer[] {ByteBuffer.allocate(a), ByteBuffer.allocate(0),
                        ByteBuffer.allocateDirect(b), ByteBuffer.allocate(length - a - b)};
                }
            }
            if (data != null && form == Form.SEVERAL) {
                int at = 0;
                for (ByteBuffer b : several) {
                    b.duplicate().put(data, at, b.capacity());
                    at += b.capacity();
                }
            } else if (data != null) {
                MemorySegment.copy(MemorySegment.ofArray(data), 0, segmentView(), 0, length);
            }
        }

        /** The bytes as one segment, whatever the form (buffers' contents, not their positions). */
        private MemorySegment segmentView() {
            return switch (form) {
                case BYTE_BUFFER -> MemorySegment.ofBuffer(buffer.duplicate().clear());
                case SEGMENT -> segment;
                case LEASE -> lease.segment().asSlice(0, length);
                case SEVERAL -> {
                    MemorySegment all = arena.allocate(Math.max(1, length)).asSlice(0, length);
                    long at = 0;
                    for (ByteBuffer b : several) {
                        MemorySegment s = MemorySegment.ofBuffer(b.duplicate().clear());
                        MemorySegment.copy(s, 0, all, at, s.byteSize());
                        at += s.byteSize();
                    }
                    // A copy, for reading only: the constructor fills the buffers themselves.
                    yield all;
                }
            };
        }

        /** The first {@code n} bytes held. */
        byte[] first(long n) {
            return segmentView().asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }

        /** The bytes the buffers' positions say were moved (forms without a position: -1). */
        long positions() {
            return switch (form) {
                case BYTE_BUFFER -> buffer.position();
                case SEVERAL -> Arrays.stream(several).mapToLong(ByteBuffer::position).sum();
                case SEGMENT, LEASE -> -1;
            };
        }

        @Override
        public void close() {
            if (lease != null) {
                lease.release();
            }
            arena.close();
        }
    }

    private static long write(AsyncFile f, long position, Held h, boolean all) {
        Operation<? extends Number> op = switch (h.form) {
            case BYTE_BUFFER -> all ? f.writeAll(position, h.buffer) : f.write(position, h.buffer);
            case SEGMENT -> all ? f.writeAll(position, h.segment) : f.write(position, h.segment);
            case LEASE -> all ? f.writeAll(position, h.lease, h.length) : f.write(position, h.lease, h.length);
            case SEVERAL -> all ? f.writeAll(position, h.several) : f.write(position, h.several);
        };
        return Ops.result(op).longValue();
    }

    private static Operation<? extends Number> read(AsyncFile f, long position, Held h, boolean fully) {
        return switch (h.form) {
            case BYTE_BUFFER -> fully ? f.readFully(position, h.buffer) : f.read(position, h.buffer);
            case SEGMENT -> fully ? f.readFully(position, h.segment) : f.read(position, h.segment);
            case LEASE -> fully ? f.readFully(position, h.lease, h.length) : f.read(position, h.lease, h.length);
            case SEVERAL -> fully ? f.readFully(position, h.several) : f.read(position, h.several);
        };
    }

    private static long write(AsyncSocket s, Held h, boolean all) {
        Operation<? extends Number> op = switch (h.form) {
            case BYTE_BUFFER -> all ? s.writeAll(h.buffer) : s.write(h.buffer);
            case SEGMENT -> all ? s.writeAll(h.segment) : s.write(h.segment);
            case LEASE -> all ? s.writeAll(h.lease, h.length) : s.write(h.lease, h.length);
            case SEVERAL -> all ? s.writeAll(h.several) : s.write(h.several);
        };
        return Ops.result(op).longValue();
    }

    private static Operation<? extends Number> read(AsyncSocket s, Held h, boolean fully) {
        return switch (h.form) {
            case BYTE_BUFFER -> fully ? s.readFully(h.buffer) : s.read(h.buffer);
            case SEGMENT -> fully ? s.readFully(h.segment) : s.read(h.segment);
            case LEASE -> fully ? s.readFully(h.lease, h.length) : s.read(h.lease, h.length);
            case SEVERAL -> fully ? s.readFully(h.several) : s.read(h.several);
        };
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static final int LENGTH = 5000;

    @EachBackend
    void everyFileCellMovesExactlyTheBytesAsked(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Path path = fixture.tempDir().resolve("matrix.bin");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (AsyncFile f = Ops.result(p.openFile(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW))) {
            long position = 0;
            int cell = 0;
            for (Form form : Form.values()) {
                for (boolean fully : new boolean[] {false, true}) {
                    String name = form + (fully ? " readFully/writeAll" : " read/write");
                    byte[] data = random(LENGTH, cell++);
                    try (Held out = new Held(p, form, LENGTH, data)) {
                        assertThat(write(f, position, out, fully)).as(name + " written").isEqualTo(LENGTH);
                        assertThat(out.positions()).as(name + " source positions").isIn(-1L, (long) LENGTH);
                    }
                    try (Held in = new Held(p, form, LENGTH, null)) {
                        long n = Ops.result(read(f, position, in, fully)).longValue();
                        assertThat(n).as(name + " read").isEqualTo(LENGTH);
                        assertThat(in.positions()).as(name + " destination positions").isIn(-1L, (long) LENGTH);
                        assertThat(in.first(n)).as(name + " bytes").isEqualTo(data);
                    }
                    expected.writeBytes(data);
                    position += LENGTH;
                }
            }
        }
        assertThat(Arrays.mismatch(Files.readAllBytes(path), expected.toByteArray())).as("file on disk").isEqualTo(-1);
    }

    @EachBackend
    void everyFileReadCellMeetsTheEndAsDocumented(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Path path = fixture.tempDir().resolve("end.bin");
        byte[] content = random(100, 99);
        Files.write(path, content);
        try (AsyncFile f = Ops.result(p.openFile(path, StandardOpenOption.READ))) {
            for (Form form : Form.values()) {
                try (Held in = new Held(p, form, 50, null)) {
                    assertThat(Ops.result(read(f, 100, in, false)).longValue()).as(form + " read at the end").isEqualTo(-1);
                }
                try (Held in = new Held(p, form, 50, null)) {
                    assertThat(Ops.result(read(f, 90, in, false)).longValue()).as(form + " read near the end").isEqualTo(10);
                    assertThat(in.first(10)).isEqualTo(Arrays.copyOfRange(content, 90, 100));
                }
                try (Held in = new Held(p, form, 50, null)) {
                    ProactorException e = Ops.failure(read(f, 90, in, true));
                    assertThat(e).as(form + " readFully past the end").isInstanceOf(EndOfFileException.class);
                    assertThat(e.bytesDone()).isEqualTo(10);
                    assertThat(in.positions()).isIn(-1L, 10L);
                    assertThat(in.first(10)).isEqualTo(Arrays.copyOfRange(content, 90, 100));
                }
            }
        }
    }

    @EachBackend
    void everySocketCellMovesExactlyTheBytesAsked(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        int cell = 0;
        for (Form form : Form.values()) {
            for (boolean fully : new boolean[] {false, true}) {
                String name = form + (fully ? " readFully/writeAll" : " read/write");
                byte[] data = random(LENGTH, 100 + cell++);
                try (Held out = new Held(p, form, LENGTH, data)) {
                    long sent = write(c.client(), out, fully);
                    if (fully) {
                        assertThat(sent).as(name + " sent").isEqualTo(LENGTH);
                    } else {
                        // One round may be short: the rest goes out plainly behind it.
                        assertThat(sent).as(name + " sent").isBetween(1L, (long) LENGTH);
                        Ops.result(c.client().writeAll(ByteBuffer.wrap(data, (int) sent, LENGTH - (int) sent)));
                    }
                    assertThat(out.positions()).as(name + " source positions").isIn(-1L, sent);
                }
                try (Held in = new Held(p, form, LENGTH, null)) {
                    long n = Ops.result(read(c.server(), in, fully)).longValue();
                    if (fully) {
                        assertThat(n).as(name + " received").isEqualTo(LENGTH);
                    } else {
                        assertThat(n).as(name + " received").isBetween(1L, (long) LENGTH);
                    }
                    assertThat(in.positions()).as(name + " destination positions").isIn(-1L, n);
                    assertThat(in.first(n)).as(name + " bytes").isEqualTo(Arrays.copyOf(data, (int) n));
                    ByteBuffer rest = ByteBuffer.allocate(LENGTH - (int) n);
                    Ops.result(c.server().readFully(rest));
                    assertThat(rest.array()).as(name + " the bytes after one round").isEqualTo(
                            Arrays.copyOfRange(data, (int) n, LENGTH));
                }
            }
        }
        c.close();
        Ops.result(listener.closeAsync());
    }

    @EachBackend
    void everySocketReadCellMeetsTheEndAsDocumented(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        AsyncServerSocket listener = Sockets.listen(p);
        for (Form form : Form.values()) {
            Sockets.Connection c = Sockets.connect(listener, p);
            byte[] ten = random(10, form.ordinal());
            Ops.result(c.client().writeAll(ByteBuffer.wrap(ten)));
            Ops.result(c.client().shutdownOutput());
            try (Held in = new Held(p, form, 50, null)) {
                ProactorException e = Ops.failure(read(c.server(), in, true));
                assertThat(e).as(form + " readFully past the end").isInstanceOf(EndOfFileException.class);
                assertThat(e.bytesDone()).isEqualTo(10);
                assertThat(in.positions()).isIn(-1L, 10L);
                assertThat(in.first(10)).isEqualTo(ten);
            }
            try (Held in = new Held(p, form, 50, null)) {
                assertThat(Ops.result(read(c.server(), in, false)).longValue()).as(form + " read at the end").isEqualTo(-1);
            }
            c.close();
        }
        Ops.result(listener.closeAsync());
    }
}
