package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.RingTesting.assumeUring;
import static dev.proactor.internal.uring.RingTesting.byUserData;
import static dev.proactor.internal.uring.RingTesting.submitAndCollect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.uring.RingTesting.Cqe;
import dev.proactor.internal.uring.ffi.IoUringConstants;
import dev.proactor.internal.uring.ffi.IoUringLayouts;
import dev.proactor.internal.uring.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File operations through the ring, checked against what the JDK reads and writes. */
class RingFileOperationsTest {

    @TempDir
    Path dir;

    private Arena arena;
    private Ring ring;
    private Path file;
    private byte[] content;

    @BeforeEach
    void setUp() throws Exception {
        assumeUring();
        arena = Arena.ofConfined();
        ring = Ring.open(RingOptions.defaults());
        content = new byte[1000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + 7);
        }
        file = Files.write(dir.resolve("data.bin"), content);
    }

    @AfterEach
    void tearDown() {
        if (ring != null) {
            ring.close();
        }
        if (arena != null) {
            arena.close();
        }
    }

    @Test
    void readFillsTheBufferWithTheFileBytes() {
        int fd = openFile(file, IoUringConstants.O_RDONLY);
        try {
            MemorySegment buf = arena.allocate(content.length);
            ring.sq().prepRead(fd, buf, content.length, 0, 7);
            assertThat(submitAndCollect(ring, 1)).containsExactly(new Cqe(7, content.length, 0));
            assertThat(buf.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(content);
        } finally {
            LibC.close(fd);
        }
    }

    @Test
    void readAtAnOffsetReadsTheTail() {
        int fd = openFile(file, IoUringConstants.O_RDONLY);
        try {
            MemorySegment buf = arena.allocate(content.length);
            ring.sq().prepRead(fd, buf, content.length, 900, 8);
            assertThat(submitAndCollect(ring, 1)).containsExactly(new Cqe(8, 100, 0));
            assertThat(buf.asSlice(0, 100).toArray(ValueLayout.JAVA_BYTE))
                    .isEqualTo(Arrays.copyOfRange(content, 900, 1000));
        } finally {
            LibC.close(fd);
        }
    }

    @Test
    void readvScattersIntoTwoBuffers() {
        int fd = openFile(file, IoUringConstants.O_RDONLY);
        try {
            MemorySegment first = arena.allocate(300);
            MemorySegment second = arena.allocate(700);
            MemorySegment iovecs = arena.allocate(IoUringLayouts.IOVEC, 2);
            setIovec(iovecs, 0, first);
            setIovec(iovecs, 1, second);
            ring.sq().prepReadv(fd, iovecs, 2, 0, 9);
            assertThat(submitAndCollect(ring, 1)).containsExactly(new Cqe(9, 1000, 0));
            assertThat(first.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Arrays.copyOfRange(content, 0, 300));
            assertThat(second.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Arrays.copyOfRange(content, 300, 1000));
        } finally {
            LibC.close(fd);
        }
    }

    @Test
    void writeThenFsyncThenTheJdkReadsItBack() throws Exception {
        Path out = dir.resolve("out.txt");
        int fd = openFile(out, IoUringConstants.O_RDWR | IoUringConstants.O_CREAT | IoUringConstants.O_TRUNC);
        try {
            byte[] text = "written through io_uring".getBytes(StandardCharsets.US_ASCII);
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, text);
            ring.sq().prepWrite(fd, buf, text.length, 0, 10);
            assertThat(submitAndCollect(ring, 1)).containsExactly(new Cqe(10, text.length, 0));
            ring.sq().prepFsync(fd, 0, 11);
            ring.sq().prepFsync(fd, IoUringConstants.IORING_FSYNC_DATASYNC, 12);
            List<Cqe> synced = submitAndCollect(ring, 2);
            assertThat(byUserData(synced, 11).res()).isZero();
            assertThat(byUserData(synced, 12).res()).isZero();
            assertThat(Files.readAllBytes(out)).isEqualTo(text);
        } finally {
            LibC.close(fd);
        }
    }

    @Test
    void writevGathersTwoBuffers() throws Exception {
        Path out = dir.resolve("gathered.txt");
        int fd = openFile(out, IoUringConstants.O_WRONLY | IoUringConstants.O_CREAT | IoUringConstants.O_TRUNC);
        try {
            MemorySegment iovecs = arena.allocate(IoUringLayouts.IOVEC, 2);
            setIovec(iovecs, 0, arena.allocateFrom(ValueLayout.JAVA_BYTE, "head-".getBytes(StandardCharsets.US_ASCII)));
            setIovec(iovecs, 1, arena.allocateFrom(ValueLayout.JAVA_BYTE, "tail".getBytes(StandardCharsets.US_ASCII)));
            ring.sq().prepWritev(fd, iovecs, 2, 0, 13);
            assertThat(submitAndCollect(ring, 1)).containsExactly(new Cqe(13, 9, 0));
            assertThat(Files.readString(out)).isEqualTo("head-tail");
        } finally {
            LibC.close(fd);
        }
    }

    @Test
    void openatThenCloseThroughTheRing() {
        MemorySegment path = arena.allocateFrom(file.toString());
        ring.sq().prepOpenat(IoUringConstants.AT_FDCWD, path,
                IoUringConstants.O_RDONLY | IoUringConstants.O_CLOEXEC, 0, 14);
        Cqe opened = submitAndCollect(ring, 1).getFirst();
        assertThat(opened.userData()).isEqualTo(14);
        assertThat(opened.res()).as("fd or -errno").isGreaterThanOrEqualTo(0);
        ring.sq().prepClose(opened.res(), 15);
        assertThat(submitAndCollect(ring, 1)).containsExactly(new Cqe(15, 0, 0));
        // Closing it again proves the ring really closed it.
        assertThat(LibC.close(opened.res())).isEqualTo(-IoUringConstants.EBADF);
    }

    @Test
    void openatOfAMissingFileReportsEnoent() {
        MemorySegment path = arena.allocateFrom(dir.resolve("missing").toString());
        ring.sq().prepOpenat(IoUringConstants.AT_FDCWD, path, IoUringConstants.O_RDONLY, 0, 16);
        assertThat(submitAndCollect(ring, 1)).containsExactly(new Cqe(16, -IoUringConstants.ENOENT, 0));
    }

    @Test
    void statxReportsTheFileSize() {
        MemorySegment path = arena.allocateFrom(file.toString());
        MemorySegment stx = arena.allocate(IoUringLayouts.STATX);
        ring.sq().prepStatx(IoUringConstants.AT_FDCWD, path, 0, IoUringConstants.STATX_SIZE, stx, 17);
        assertThat(submitAndCollect(ring, 1)).containsExactly(new Cqe(17, 0, 0));
        assertThat(stx.get(ValueLayout.JAVA_INT, IoUringLayouts.STATX_MASK) & IoUringConstants.STATX_SIZE).isNotZero();
        assertThat(stx.get(ValueLayout.JAVA_LONG, IoUringLayouts.STATX_SIZE_OFFSET)).isEqualTo(content.length);
    }

    @Test
    void fixedBuffersWriteAndReadBack() throws Exception {
        MemorySegment registered = arena.allocate(4096, 4096);
        assertThat(ring.registerBuffers(new MemorySegment[] {registered})).isZero();
        Path out = dir.resolve("fixed.bin");
        int fd = openFile(out, IoUringConstants.O_RDWR | IoUringConstants.O_CREAT | IoUringConstants.O_TRUNC);
        try {
            MemorySegment src = registered.asSlice(0, 100);
            for (int i = 0; i < 100; i++) {
                src.set(ValueLayout.JAVA_BYTE, i, (byte) (100 - i));
            }
            ring.sq().prepWriteFixed(fd, src, 100, 0, 0, 18);
            assertThat(submitAndCollect(ring, 1)).containsExactly(new Cqe(18, 100, 0));

            MemorySegment dst = registered.asSlice(1000, 100);
            ring.sq().prepReadFixed(fd, dst, 100, 0, 0, 19);
            assertThat(submitAndCollect(ring, 1)).containsExactly(new Cqe(19, 100, 0));
            assertThat(dst.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(src.toArray(ValueLayout.JAVA_BYTE));
            assertThat(Files.readAllBytes(out)).isEqualTo(src.toArray(ValueLayout.JAVA_BYTE));
        } finally {
            LibC.close(fd);
            assertThat(ring.unregisterBuffers()).isZero();
        }
    }

    @Test
    void readOfAnEventfdThroughTheRing() {
        int efd = LibC.eventfd(0, IoUringConstants.EFD_CLOEXEC);
        try {
            MemorySegment counter = arena.allocate(ValueLayout.JAVA_LONG);
            counter.set(ValueLayout.JAVA_LONG, 0, 3);
            assertThat(LibC.write(efd, counter, 8)).isEqualTo(8);
            counter.set(ValueLayout.JAVA_LONG, 0, 0);
            ring.sq().prepRead(efd, counter, 8, 0, 20);
            assertThat(submitAndCollect(ring, 1)).containsExactly(new Cqe(20, 8, 0));
            assertThat(counter.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(3);
        } finally {
            LibC.close(efd);
        }
    }

    private int openFile(Path path, int flags) {
        int fd = LibC.open(arena.allocateFrom(path.toString()), flags | IoUringConstants.O_CLOEXEC, 0644);
        assertThat(fd).as("open %s", path).isGreaterThanOrEqualTo(0);
        return fd;
    }

    private static void setIovec(MemorySegment iovecs, int index, MemorySegment buffer) {
        long at = index * IoUringLayouts.IOVEC.byteSize();
        iovecs.set(ValueLayout.JAVA_LONG, at + IoUringLayouts.IOVEC_BASE, buffer.address());
        iovecs.set(ValueLayout.JAVA_LONG, at + IoUringLayouts.IOVEC_LEN, buffer.byteSize());
    }
}
