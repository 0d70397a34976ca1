package dev.proactor.internal.uring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.uring.ffi.IoUringConstants;
import dev.proactor.internal.uring.ffi.IoUringLayouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The socket prep helpers fill the SQE fields liburing's io_uring_prep_accept, _connect, _recv,
 * _send, _sendmsg, _send_zc and _shutdown fill. Runs on plain memory standing in for the ring: no kernel needed.
 */
class UringSocketPrepTest {
    private final Arena arena = Arena.ofConfined();
    /** head, tail, flags, dropped: four ints, as the ring mapping has them (offsets 0, 4, 8, 12). */
    private final MemorySegment ringWords = arena.allocate(16, 8);
    private final MemorySegment sqes = arena.allocate(IoUringLayouts.SQE_SIZE * 4, 64);
    private final SubmissionQueue sq = new SubmissionQueue(ringWords, sqes, 0, 4, 8, 12, 3, 4);

    @AfterEach
    void free() {
        arena.close();
    }

    private int opcode(long sqe) {
        return sqes.get(JAVA_BYTE, sqe + IoUringLayouts.SQE_OPCODE);
    }

    private int i32(long sqe, long field) {
        return sqes.get(JAVA_INT, sqe + field);
    }

    private long u64(long sqe, long field) {
        return sqes.get(JAVA_LONG, sqe + field);
    }

    @Test
    void acceptPutsTheAddrlenPointerInAddr2AndFlagsInAcceptFlags() {
        MemorySegment addr = arena.allocate(IoUringLayouts.SOCKADDR_STORAGE);
        MemorySegment len = arena.allocate(IoUringLayouts.SOCKLEN_T);
        len.set(JAVA_INT, 0, 128);
        long sqe = sq.prepAccept(7, addr, len, IoUringConstants.SOCK_CLOEXEC, 99);
        assertThat(opcode(sqe)).isEqualTo(IoUringConstants.IORING_OP_ACCEPT);
        assertThat(i32(sqe, IoUringLayouts.SQE_FD)).isEqualTo(7);
        assertThat(u64(sqe, IoUringLayouts.SQE_ADDR)).isEqualTo(addr.address());
        assertThat(u64(sqe, IoUringLayouts.SQE_ADDR2)).isEqualTo(len.address());
        assertThat(i32(sqe, IoUringLayouts.SQE_LEN)).isZero();
        assertThat(i32(sqe, IoUringLayouts.SQE_OP_FLAGS)).isEqualTo(IoUringConstants.SOCK_CLOEXEC);
        assertThat(u64(sqe, IoUringLayouts.SQE_USER_DATA)).isEqualTo(99);
    }

    @Test
    void connectPassesTheAddressLengthInOff() {
        MemorySegment addr = arena.allocate(IoUringLayouts.SOCKADDR_STORAGE);
        long sqe = sq.prepConnect(8, addr, 16, 1);
        assertThat(opcode(sqe)).isEqualTo(IoUringConstants.IORING_OP_CONNECT);
        assertThat(u64(sqe, IoUringLayouts.SQE_ADDR)).isEqualTo(addr.address());
        assertThat(u64(sqe, IoUringLayouts.SQE_OFF)).isEqualTo(16);
        assertThat(i32(sqe, IoUringLayouts.SQE_LEN)).isZero();
    }

    @Test
    void recvAndSendCarryTheBufferAndMsgFlags() {
        MemorySegment buf = arena.allocate(64);
        long recv = sq.prepRecv(9, buf, 64, 0, 2);
        assertThat(opcode(recv)).isEqualTo(IoUringConstants.IORING_OP_RECV);
        assertThat(u64(recv, IoUringLayouts.SQE_ADDR)).isEqualTo(buf.address());
        assertThat(i32(recv, IoUringLayouts.SQE_LEN)).isEqualTo(64);
        assertThat(i32(recv, IoUringLayouts.SQE_OP_FLAGS)).isZero();
        long send = sq.prepSend(9, buf, 32, IoUringConstants.MSG_NOSIGNAL, 3);
        assertThat(opcode(send)).isEqualTo(IoUringConstants.IORING_OP_SEND);
        assertThat(i32(send, IoUringLayouts.SQE_LEN)).isEqualTo(32);
        assertThat(i32(send, IoUringLayouts.SQE_OP_FLAGS)).isEqualTo(IoUringConstants.MSG_NOSIGNAL);
    }

    @Test
    void sendZcCarriesMsgFlagsInMsgFlagsAndZcFlagsInIoprio() {
        MemorySegment buf = arena.allocate(64);
        long sqe = sq.prepSendZc(11, buf, 48, IoUringConstants.MSG_NOSIGNAL,
                IoUringConstants.IORING_SEND_ZC_REPORT_USAGE, 5);
        assertThat(opcode(sqe)).isEqualTo(IoUringConstants.IORING_OP_SEND_ZC);
        assertThat(i32(sqe, IoUringLayouts.SQE_FD)).isEqualTo(11);
        assertThat(u64(sqe, IoUringLayouts.SQE_ADDR)).isEqualTo(buf.address());
        assertThat(i32(sqe, IoUringLayouts.SQE_LEN)).isEqualTo(48);
        assertThat(u64(sqe, IoUringLayouts.SQE_OFF)).isZero();
        assertThat(i32(sqe, IoUringLayouts.SQE_OP_FLAGS)).isEqualTo(IoUringConstants.MSG_NOSIGNAL);
        assertThat(sqes.get(java.lang.foreign.ValueLayout.JAVA_SHORT, sqe + IoUringLayouts.SQE_IOPRIO))
                .isEqualTo((short) IoUringConstants.IORING_SEND_ZC_REPORT_USAGE);
        assertThat(u64(sqe, IoUringLayouts.SQE_USER_DATA)).isEqualTo(5);
    }

    @Test
    void sendmsgPointsAddrAtTheMsghdrWithLenOneAndMsgFlags() {
        MemorySegment one = arena.allocate(10);
        MemorySegment two = arena.allocate(20);
        MemorySegment msghdr = KernelArgs.msghdr(arena, new MemorySegment[] {one, two.asSlice(5)});
        long sqe = sq.prepSendmsg(12, msghdr, IoUringConstants.MSG_NOSIGNAL, 6);
        assertThat(opcode(sqe)).isEqualTo(IoUringConstants.IORING_OP_SENDMSG);
        assertThat(i32(sqe, IoUringLayouts.SQE_FD)).isEqualTo(12);
        assertThat(u64(sqe, IoUringLayouts.SQE_ADDR)).isEqualTo(msghdr.address());
        assertThat(i32(sqe, IoUringLayouts.SQE_LEN)).isEqualTo(1);
        assertThat(u64(sqe, IoUringLayouts.SQE_OFF)).isZero();
        assertThat(i32(sqe, IoUringLayouts.SQE_OP_FLAGS)).isEqualTo(IoUringConstants.MSG_NOSIGNAL);
        assertThat(u64(sqe, IoUringLayouts.SQE_USER_DATA)).isEqualTo(6);
        // The header: no name, no control data, two iovecs describing the buffers in order.
        assertThat(msghdr.get(JAVA_LONG, IoUringLayouts.MSGHDR_NAME)).isZero();
        assertThat(msghdr.get(JAVA_INT, IoUringLayouts.MSGHDR_NAMELEN)).isZero();
        assertThat(msghdr.get(JAVA_LONG, IoUringLayouts.MSGHDR_IOVLEN)).isEqualTo(2);
        assertThat(msghdr.get(JAVA_LONG, IoUringLayouts.MSGHDR_CONTROL)).isZero();
        assertThat(msghdr.get(JAVA_LONG, IoUringLayouts.MSGHDR_CONTROLLEN)).isZero();
        MemorySegment iov = MemorySegment.ofAddress(msghdr.get(JAVA_LONG, IoUringLayouts.MSGHDR_IOV))
                .reinterpret(2 * IoUringLayouts.IOVEC.byteSize());
        assertThat(iov.get(JAVA_LONG, IoUringLayouts.IOVEC_BASE)).isEqualTo(one.address());
        assertThat(iov.get(JAVA_LONG, IoUringLayouts.IOVEC_LEN)).isEqualTo(10);
        assertThat(iov.get(JAVA_LONG, 16 + IoUringLayouts.IOVEC_BASE)).isEqualTo(two.address() + 5);
        assertThat(iov.get(JAVA_LONG, 16 + IoUringLayouts.IOVEC_LEN)).isEqualTo(15);
    }

    @Test
    void shutdownPassesHowInLen() {
        long sqe = sq.prepShutdown(10, IoUringConstants.SHUT_WR, 4);
        assertThat(opcode(sqe)).isEqualTo(IoUringConstants.IORING_OP_SHUTDOWN);
        assertThat(i32(sqe, IoUringLayouts.SQE_FD)).isEqualTo(10);
        assertThat(i32(sqe, IoUringLayouts.SQE_LEN)).isEqualTo(IoUringConstants.SHUT_WR);
        assertThat(u64(sqe, IoUringLayouts.SQE_ADDR)).isZero();
    }
}
