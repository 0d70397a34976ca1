package dev.proactor.internal.uring.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The invokers' result convention: a value, or -errno instead of -1. */
class LibCTest {

    @Test
    void failingCallsReturnNegativeErrno() {
        // fd -1 is never valid: EBADF from close(2), and io_uring_enter too.
        assertThat(LibC.close(-1)).isEqualTo(-IoUringConstants.EBADF);
        assertThat(LibC.ioUringEnter(-1, 0, 0, 0, MemorySegment.NULL, 0)).isEqualTo(-IoUringConstants.EBADF);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment missing = arena.allocateFrom("/nonexistent/proactor-libc-test");
            assertThat(LibC.open(missing, IoUringConstants.O_RDONLY, 0)).isEqualTo(-IoUringConstants.ENOENT);
        }
    }

    @Test
    @SuppressWarnings("restricted") // reinterpret: an address no mapping starts at
    void callsMadeThroughSyscallByNumberReturnNegativeErrno() {
        // munmap, eventfd and close go through syscall(2) by number: a wrong number would show here.
        MemorySegment unaligned = MemorySegment.ofAddress(1).reinterpret(4096);
        assertThat(LibC.munmap(unaligned)).isEqualTo(-IoUringConstants.EINVAL);
        assertThat(LibC.eventfd(0, -1)).isEqualTo(-IoUringConstants.EINVAL);
        assertThat(LibC.close(Integer.MAX_VALUE)).isEqualTo(-IoUringConstants.EBADF);
    }

    @Test
    void eventfdWriteThenReadRoundTrips() {
        int fd = LibC.eventfd(0, IoUringConstants.EFD_CLOEXEC | IoUringConstants.EFD_NONBLOCK);
        assertThat(fd).isGreaterThanOrEqualTo(0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment counter = arena.allocate(ValueLayout.JAVA_LONG);
            // Nothing written yet: a non-blocking read reports EAGAIN rather than blocking.
            assertThat(LibC.read(fd, counter, 8)).isEqualTo(-IoUringConstants.EAGAIN);
            counter.set(ValueLayout.JAVA_LONG, 0, 5);
            assertThat(LibC.write(fd, counter, 8)).isEqualTo(8);
            counter.set(ValueLayout.JAVA_LONG, 0, 0);
            assertThat(LibC.read(fd, counter, 8)).isEqualTo(8);
            assertThat(counter.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(5);
        } finally {
            assertThat(LibC.close(fd)).isZero();
        }
    }

    @Test
    void getrlimitReadsMemlock() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rl = arena.allocate(IoUringLayouts.RLIMIT);
            assertThat(LibC.getrlimit(IoUringConstants.RLIMIT_MEMLOCK, rl)).isZero();
            long soft = rl.get(ValueLayout.JAVA_LONG, IoUringLayouts.RLIMIT_CUR);
            long hard = rl.get(ValueLayout.JAVA_LONG, IoUringLayouts.RLIMIT_MAX);
            // RLIM_INFINITY reads as -1; otherwise soft never exceeds hard.
            assertThat(hard == -1L || (soft >= 0 && soft <= hard)).as("soft=%d hard=%d", soft, hard).isTrue();
        }
    }

    @Test
    void mmapFailureReturnsNullWithErrno() {
        // fd -1 without MAP_ANONYMOUS: EBADF.
        MemorySegment m = LibC.mmap(4096, IoUringConstants.PROT_READ, IoUringConstants.MAP_SHARED, -1, 0);
        assertThat(m.address()).isZero();
        assertThat(LibC.lastErrno()).isEqualTo(IoUringConstants.EBADF);
    }
}
