package dev.proactor.internal.uring.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The layouts against the C compiler. The expected numbers were printed by gcc 12 on this
 * machine (Debian 12, x86_64) from a program that includes {@code <linux/io_uring.h>} (6.1
 * header), {@code <linux/stat.h>}, {@code <linux/time_types.h>}, {@code <sys/uio.h>},
 * {@code <netinet/in.h>} and {@code <sys/un.h>} and prints {@code sizeof} and
 * {@code offsetof} for each struct and field below.
 */
class IoUringLayoutsTest {

    @Test
    void paramsAndRingOffsetsMatchC() {
        assertThat(IoUringLayouts.IO_URING_PARAMS.byteSize()).isEqualTo(120);
        assertThat(IoUringLayouts.IO_SQRING_OFFSETS.byteSize()).isEqualTo(40);
        assertThat(IoUringLayouts.IO_CQRING_OFFSETS.byteSize()).isEqualTo(40);
        assertThat(IoUringLayouts.PARAMS_SQ_ENTRIES).isEqualTo(0);
        assertThat(IoUringLayouts.PARAMS_CQ_ENTRIES).isEqualTo(4);
        assertThat(IoUringLayouts.PARAMS_FLAGS).isEqualTo(8);
        assertThat(IoUringLayouts.PARAMS_SQ_THREAD_CPU).isEqualTo(12);
        assertThat(IoUringLayouts.PARAMS_SQ_THREAD_IDLE).isEqualTo(16);
        assertThat(IoUringLayouts.PARAMS_FEATURES).isEqualTo(20);
        assertThat(IoUringLayouts.PARAMS_WQ_FD).isEqualTo(24);
        assertThat(IoUringLayouts.PARAMS_SQ_OFF).isEqualTo(40);
        assertThat(IoUringLayouts.PARAMS_CQ_OFF).isEqualTo(80);
        // sq_off: head 0, tail 4, ring_mask 8, ring_entries 12, flags 16, dropped 20, array 24
        assertThat(IoUringLayouts.PARAMS_SQ_OFF_HEAD).isEqualTo(40);
        assertThat(IoUringLayouts.PARAMS_SQ_OFF_TAIL).isEqualTo(44);
        assertThat(IoUringLayouts.PARAMS_SQ_OFF_RING_MASK).isEqualTo(48);
        assertThat(IoUringLayouts.PARAMS_SQ_OFF_RING_ENTRIES).isEqualTo(52);
        assertThat(IoUringLayouts.PARAMS_SQ_OFF_FLAGS).isEqualTo(56);
        assertThat(IoUringLayouts.PARAMS_SQ_OFF_DROPPED).isEqualTo(60);
        assertThat(IoUringLayouts.PARAMS_SQ_OFF_ARRAY).isEqualTo(64);
        // cq_off: head 0, tail 4, ring_mask 8, ring_entries 12, overflow 16, cqes 20, flags 24
        assertThat(IoUringLayouts.PARAMS_CQ_OFF_HEAD).isEqualTo(80);
        assertThat(IoUringLayouts.PARAMS_CQ_OFF_TAIL).isEqualTo(84);
        assertThat(IoUringLayouts.PARAMS_CQ_OFF_RING_MASK).isEqualTo(88);
        assertThat(IoUringLayouts.PARAMS_CQ_OFF_RING_ENTRIES).isEqualTo(92);
        assertThat(IoUringLayouts.PARAMS_CQ_OFF_OVERFLOW).isEqualTo(96);
        assertThat(IoUringLayouts.PARAMS_CQ_OFF_CQES).isEqualTo(100);
        assertThat(IoUringLayouts.PARAMS_CQ_OFF_FLAGS).isEqualTo(104);
    }

    @Test
    void sqeMatchesC() {
        assertThat(IoUringLayouts.SQE_SIZE).isEqualTo(64);
        assertThat(IoUringLayouts.SQE_OPCODE).isEqualTo(0);
        assertThat(IoUringLayouts.SQE_FLAGS).isEqualTo(1);
        assertThat(IoUringLayouts.SQE_IOPRIO).isEqualTo(2);
        assertThat(IoUringLayouts.SQE_FD).isEqualTo(4);
        assertThat(IoUringLayouts.SQE_OFF).isEqualTo(8);
        assertThat(IoUringLayouts.SQE_ADDR2).isEqualTo(8);
        assertThat(IoUringLayouts.SQE_ADDR).isEqualTo(16);
        assertThat(IoUringLayouts.SQE_SPLICE_OFF_IN).isEqualTo(16);
        assertThat(IoUringLayouts.SQE_LEN).isEqualTo(24);
        assertThat(IoUringLayouts.SQE_OP_FLAGS).isEqualTo(28);
        assertThat(IoUringLayouts.SQE_USER_DATA).isEqualTo(32);
        assertThat(IoUringLayouts.SQE_BUF_INDEX).isEqualTo(40);
        assertThat(IoUringLayouts.SQE_BUF_GROUP).isEqualTo(40);
        assertThat(IoUringLayouts.SQE_PERSONALITY).isEqualTo(42);
        assertThat(IoUringLayouts.SQE_SPLICE_FD_IN).isEqualTo(44);
        assertThat(IoUringLayouts.SQE_FILE_INDEX).isEqualTo(44);
        assertThat(IoUringLayouts.SQE_ADDR3).isEqualTo(48);
    }

    @Test
    void cqeAndProbeMatchC() {
        assertThat(IoUringLayouts.CQE_SIZE).isEqualTo(16);
        assertThat(IoUringLayouts.CQE_USER_DATA).isEqualTo(0);
        assertThat(IoUringLayouts.CQE_RES).isEqualTo(8);
        assertThat(IoUringLayouts.CQE_FLAGS).isEqualTo(12);
        assertThat(IoUringLayouts.IO_URING_PROBE.byteSize()).isEqualTo(16);
        assertThat(IoUringLayouts.PROBE_LAST_OP).isEqualTo(0);
        assertThat(IoUringLayouts.PROBE_OPS_LEN).isEqualTo(1);
        assertThat(IoUringLayouts.PROBE_OPS).isEqualTo(16);
        assertThat(IoUringLayouts.PROBE_OP_SIZE).isEqualTo(8);
        assertThat(IoUringLayouts.PROBE_OP_OP).isEqualTo(0);
        assertThat(IoUringLayouts.PROBE_OP_FLAGS).isEqualTo(2);
    }

    @Test
    void timespecIovecGeteventsArgMatchC() {
        assertThat(IoUringLayouts.KERNEL_TIMESPEC.byteSize()).isEqualTo(16);
        assertThat(IoUringLayouts.TIMESPEC_TV_SEC).isEqualTo(0);
        assertThat(IoUringLayouts.TIMESPEC_TV_NSEC).isEqualTo(8);
        assertThat(IoUringLayouts.IOVEC.byteSize()).isEqualTo(16);
        assertThat(IoUringLayouts.IOVEC_BASE).isEqualTo(0);
        assertThat(IoUringLayouts.IOVEC_LEN).isEqualTo(8);
        // struct msghdr, x86-64 and aarch64 (LP64): pointers and size_t at 8-byte offsets, padded to 56.
        assertThat(IoUringLayouts.MSGHDR.byteSize()).isEqualTo(56);
        assertThat(IoUringLayouts.MSGHDR_NAME).isEqualTo(0);
        assertThat(IoUringLayouts.MSGHDR_NAMELEN).isEqualTo(8);
        assertThat(IoUringLayouts.MSGHDR_IOV).isEqualTo(16);
        assertThat(IoUringLayouts.MSGHDR_IOVLEN).isEqualTo(24);
        assertThat(IoUringLayouts.MSGHDR_CONTROL).isEqualTo(32);
        assertThat(IoUringLayouts.MSGHDR_CONTROLLEN).isEqualTo(40);
        assertThat(IoUringLayouts.MSGHDR_FLAGS).isEqualTo(48);
        assertThat(IoUringLayouts.IO_URING_GETEVENTS_ARG.byteSize()).isEqualTo(24);
        assertThat(IoUringLayouts.GETEVENTS_ARG_SIGMASK).isEqualTo(0);
        assertThat(IoUringLayouts.GETEVENTS_ARG_SIGMASK_SZ).isEqualTo(8);
        assertThat(IoUringLayouts.GETEVENTS_ARG_MIN_WAIT_USEC).isEqualTo(12);
        assertThat(IoUringLayouts.GETEVENTS_ARG_TS).isEqualTo(16);
        assertThat(IoUringLayouts.RLIMIT.byteSize()).isEqualTo(16);
    }

    @Test
    void statxMatchesC() {
        assertThat(IoUringLayouts.STATX.byteSize()).isEqualTo(256);
        assertThat(IoUringLayouts.STATX_MASK).isEqualTo(0);
        assertThat(IoUringLayouts.STATX_BLKSIZE).isEqualTo(4);
        assertThat(IoUringLayouts.STATX_ATTRIBUTES).isEqualTo(8);
        assertThat(IoUringLayouts.STATX_NLINK_OFFSET).isEqualTo(16);
        assertThat(IoUringLayouts.STATX_UID_OFFSET).isEqualTo(20);
        assertThat(IoUringLayouts.STATX_GID_OFFSET).isEqualTo(24);
        assertThat(IoUringLayouts.STATX_MODE_OFFSET).isEqualTo(28);
        assertThat(IoUringLayouts.STATX_INO_OFFSET).isEqualTo(32);
        assertThat(IoUringLayouts.STATX_SIZE_OFFSET).isEqualTo(40);
        assertThat(IoUringLayouts.STATX_BLOCKS_OFFSET).isEqualTo(48);
        assertThat(IoUringLayouts.STATX_ATIME_OFFSET).isEqualTo(64);
        assertThat(IoUringLayouts.STATX_BTIME_OFFSET).isEqualTo(80);
        assertThat(IoUringLayouts.STATX_CTIME_OFFSET).isEqualTo(96);
        assertThat(IoUringLayouts.STATX_MTIME_OFFSET).isEqualTo(112);
        assertThat(IoUringLayouts.STATX_TIMESTAMP.byteSize()).isEqualTo(16);
        assertThat(IoUringLayouts.STATX_TIMESTAMP_SEC).isEqualTo(0);
        assertThat(IoUringLayouts.STATX_TIMESTAMP_NSEC).isEqualTo(8);
    }

    @Test
    void providedBufferStructsAndSockaddrSizesMatchC() {
        assertThat(IoUringLayouts.IO_URING_BUF_REG.byteSize()).isEqualTo(40);
        assertThat(IoUringLayouts.BUF_REG_RING_ADDR).isEqualTo(0);
        assertThat(IoUringLayouts.BUF_REG_RING_ENTRIES).isEqualTo(8);
        assertThat(IoUringLayouts.BUF_REG_BGID).isEqualTo(12);
        assertThat(IoUringLayouts.BUF_REG_FLAGS).isEqualTo(14);
        assertThat(IoUringLayouts.IO_URING_BUF.byteSize()).isEqualTo(16);
        assertThat(IoUringLayouts.BUF_ADDR).isEqualTo(0);
        assertThat(IoUringLayouts.BUF_LEN).isEqualTo(8);
        assertThat(IoUringLayouts.BUF_BID).isEqualTo(12);
        assertThat(IoUringLayouts.BUF_RING_TAIL).isEqualTo(14);
        assertThat(IoUringLayouts.SOCKADDR_IN_SIZE).isEqualTo(16);
        assertThat(IoUringLayouts.SOCKADDR_IN6_SIZE).isEqualTo(28);
        assertThat(IoUringLayouts.SOCKADDR_UN_SIZE).isEqualTo(110);
        assertThat(IoUringLayouts.SOCKADDR_STORAGE_SIZE).isEqualTo(128);
    }

    /** Numbers gcc printed for glibc's netinet/in.h, sys/un.h and sys/socket.h on x86_64. */
    @Test
    void sockaddrOffsetsAndSocketConstantsMatchC() {
        assertThat(IoUringLayouts.SIN_FAMILY).isEqualTo(0);
        assertThat(IoUringLayouts.SIN_PORT).isEqualTo(2);
        assertThat(IoUringLayouts.SIN_ADDR).isEqualTo(4);
        assertThat(IoUringLayouts.SIN6_FAMILY).isEqualTo(0);
        assertThat(IoUringLayouts.SIN6_PORT).isEqualTo(2);
        assertThat(IoUringLayouts.SIN6_FLOWINFO).isEqualTo(4);
        assertThat(IoUringLayouts.SIN6_ADDR).isEqualTo(8);
        assertThat(IoUringLayouts.SIN6_SCOPE_ID).isEqualTo(24);
        assertThat(IoUringLayouts.SUN_FAMILY).isEqualTo(0);
        assertThat(IoUringLayouts.SUN_PATH).isEqualTo(2);
        assertThat(IoUringLayouts.SS_FAMILY).isEqualTo(0);
        assertThat(IoUringLayouts.SOCKADDR_STORAGE.byteAlignment()).isEqualTo(8);
        assertThat(IoUringConstants.AF_UNIX).isEqualTo(1);
        assertThat(IoUringConstants.AF_INET).isEqualTo(2);
        assertThat(IoUringConstants.AF_INET6).isEqualTo(10);
        assertThat(IoUringConstants.SOCK_STREAM).isEqualTo(1);
        assertThat(IoUringConstants.SOCK_CLOEXEC).isEqualTo(524288);
        assertThat(IoUringConstants.SOL_SOCKET).isEqualTo(1);
        assertThat(IoUringConstants.IPPROTO_TCP).isEqualTo(6);
        assertThat(IoUringConstants.SO_REUSEADDR).isEqualTo(2);
        assertThat(IoUringConstants.SO_REUSEPORT).isEqualTo(15);
        assertThat(IoUringConstants.SO_KEEPALIVE).isEqualTo(9);
        assertThat(IoUringConstants.SO_SNDBUF).isEqualTo(7);
        assertThat(IoUringConstants.SO_RCVBUF).isEqualTo(8);
        assertThat(IoUringConstants.TCP_NODELAY).isEqualTo(1);
        assertThat(IoUringConstants.MSG_NOSIGNAL).isEqualTo(16384);
    }
}
