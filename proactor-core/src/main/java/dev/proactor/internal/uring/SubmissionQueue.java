package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_ASYNC_CANCEL_FD;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_ACCEPT;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_ASYNC_CANCEL;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_CLOSE;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_CONNECT;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_FSYNC;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_LINK_TIMEOUT;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_NOP;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_OPENAT;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_OPENAT2;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_POLL_ADD;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_READ;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_READV;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_RECV;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_RECVMSG;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_SENDMSG;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_SEND;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_SEND_ZC;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_SHUTDOWN;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_SPLICE;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_READ_FIXED;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_STATX;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_TIMEOUT;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_TIMEOUT_REMOVE;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_WRITE;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_WRITEV;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_OP_WRITE_FIXED;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_ACCEPT_MULTISHOT;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IORING_RECV_MULTISHOT;
import static dev.proactor.internal.uring.ffi.IoUringConstants.IOSQE_BUFFER_SELECT;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.proactor.internal.uring.ffi.IoUringLayouts;
import dev.proactor.internal.uring.ffi.Pointers;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * Not thread-safe: all methods must be called on the thread that owns the ring (the
 * dispatcher). The submission side of a {@link Ring}: hands out free SQEs, fills them, and
 * publishes them to the kernel.
 *
 * <p>An SQE is named by its byte offset in the SQE array ({@code long}, never an object), so
 * preparing an operation allocates nothing. {@code nextSqe} and every {@code prep*} method
 * return -1 when the queue is full: that is back-pressure, and nothing has been written. A
 * prepared SQE reaches the kernel only after {@link #flushTail()} and an {@code io_uring_enter}
 * ({@link Ring#submit()} does both).
 *
 * <p><b>Memory handed to the kernel.</b> Every segment or address given to a {@code prep*}
 * method (buffers, iovec arrays, paths, timespecs, statx buffers) must stay valid and unmoved
 * until the operation's final CQE has been reaped, even if it is cancelled meanwhile; this
 * class checks bounds and that segments are native, not lifetimes. Once an SQE is submitted
 * (the kernel advanced its head past it) the kernel has copied what it needs from the SQE
 * itself, so the slot is reused.
 */
public final class SubmissionQueue {

    /** Index of a ring word: {@code JAVA_INT.varHandle()} takes (segment, byte offset). */
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final MemorySegment ring;
    private final MemorySegment sqes;
    private final long headOffset;
    private final long tailOffset;
    private final long flagsOffset;
    private final long droppedOffset;
    private final int mask;
    private final int entries;

    /** Next SQE index to hand out; ahead of the kernel-visible tail until {@link #flushTail()}. */
    private int localTail;

    SubmissionQueue(MemorySegment ring, MemorySegment sqes, long headOffset, long tailOffset,
                    long flagsOffset, long droppedOffset, int mask, int entries) {
        this.ring = ring;
        this.sqes = sqes;
        this.headOffset = headOffset;
        this.tailOffset = tailOffset;
        this.flagsOffset = flagsOffset;
        this.droppedOffset = droppedOffset;
        this.mask = mask;
        this.entries = entries;
        // A fresh ring starts with head == tail == 0, but read it rather than assume it.
        this.localTail = (int) INT.getAcquire(ring, tailOffset);
    }

    /** The number of SQE slots (a power of two). */
    public int capacity() {
        return entries;
    }

    /** Free SQE slots: capacity minus SQEs prepared or published but not yet consumed by the kernel. */
    public int space() {
        return entries - (localTail - kernelHead());
    }

    /** True when {@link #nextSqe()} would return -1. */
    public boolean isFull() {
        return space() == 0;
    }

    /** SQEs prepared since the last {@link #flushTail()}, not yet visible to the kernel. */
    public int unflushed() {
        return localTail - (int) INT.get(ring, tailOffset);
    }

    /**
     * Claims the next free SQE and zeroes it.
     *
     * @return the SQE's byte offset in the SQE array, or -1 when the queue is full
     */
    public long nextSqe() {
        if (localTail - kernelHead() >= entries) {
            return -1;
        }
        long sqe = (long) (localTail & mask) * IoUringLayouts.SQE_SIZE;
        // Eight long stores instead of asSlice(...).fill(0): no slice object on the hot path.
        for (long i = 0; i < IoUringLayouts.SQE_SIZE; i += Long.BYTES) {
            sqes.set(JAVA_LONG, sqe + i, 0L);
        }
        localTail++;
        return sqe;
    }

    /**
     * Publishes every prepared SQE to the kernel by storing the local tail.
     *
     * @return SQEs published and not yet consumed by the kernel: the {@code toSubmit} count for
     *         {@code io_uring_enter}
     */
    public int flushTail() {
        // Store-release: the kernel must see the SQE contents (plain stores above) before it sees
        // the new tail that makes them eligible (liburing io_uring_smp_store_release on ktail).
        INT.setRelease(ring, tailOffset, localTail);
        return localTail - kernelHead();
    }

    /** SQEs the kernel dropped as invalid ({@code sq_off.dropped}); stays 0 when all is well. */
    public int kernelDropped() {
        return (int) INT.getAcquire(ring, droppedOffset);
    }

    /** The SQ ring flags word ({@code IORING_SQ_*}), as the kernel last wrote it. */
    public int ringFlags() {
        return (int) INT.getAcquire(ring, flagsOffset);
    }

    private int kernelHead() {
        // Load-acquire: once the kernel's head has passed an SQE the kernel has finished reading
        // it, and our next writes into that slot must not be reordered before this load.
        return (int) INT.getAcquire(ring, headOffset);
    }

    // ---- SQE field setters (all offsets from IoUringLayouts) ----

    /** ORs {@code sqeFlags} (IOSQE_*) into the SQE's flags, e.g. IOSQE_IO_LINK to chain the next SQE. */
    public void setFlags(long sqe, int sqeFlags) {
        long at = sqe + IoUringLayouts.SQE_FLAGS;
        sqes.set(JAVA_BYTE, at, (byte) (sqes.get(JAVA_BYTE, at) | sqeFlags));
    }

    /** Sets the op-specific flags word (rw_flags, fsync_flags, timeout_flags, open_flags...). */
    public void setOpFlags(long sqe, int opFlags) {
        sqes.set(JAVA_INT, sqe + IoUringLayouts.SQE_OP_FLAGS, opFlags);
    }

    /** Sets sqe.ioprio, which also carries accept/send/recv flags such as IORING_RECV_MULTISHOT. */
    public void setIoprio(long sqe, int ioprio) {
        sqes.set(JAVA_SHORT, sqe + IoUringLayouts.SQE_IOPRIO, (short) ioprio);
    }

    /** Sets sqe.buf_index (a registered buffer) or, with IOSQE_BUFFER_SELECT, sqe.buf_group. */
    public void setBufIndex(long sqe, int bufIndex) {
        sqes.set(JAVA_SHORT, sqe + IoUringLayouts.SQE_BUF_INDEX, (short) bufIndex);
    }

    /** Sets sqe.addr. */
    public void setAddr(long sqe, long addr) {
        sqes.set(JAVA_LONG, sqe + IoUringLayouts.SQE_ADDR, addr);
    }

    // ---- preparation helpers, named after liburing's io_uring_prep_* ----

    /**
     * Claims an SQE and fills the fields every operation shares (liburing
     * {@code io_uring_prep_rw}); the rest stays zero.
     *
     * @return the SQE offset, or -1 when the queue is full
     */
    public long prepRw(int op, int fd, long addr, int len, long offset, long userData) {
        long sqe = nextSqe();
        if (sqe < 0) {
            return -1;
        }
        sqes.set(JAVA_BYTE, sqe + IoUringLayouts.SQE_OPCODE, (byte) op);
        sqes.set(JAVA_INT, sqe + IoUringLayouts.SQE_FD, fd);
        sqes.set(JAVA_LONG, sqe + IoUringLayouts.SQE_OFF, offset);
        sqes.set(JAVA_LONG, sqe + IoUringLayouts.SQE_ADDR, addr);
        sqes.set(JAVA_INT, sqe + IoUringLayouts.SQE_LEN, len);
        sqes.set(JAVA_LONG, sqe + IoUringLayouts.SQE_USER_DATA, userData);
        return sqe;
    }

    /** A no-op that completes with res 0. */
    public long prepNop(long userData) {
        return prepRw(IORING_OP_NOP, -1, 0, 0, 0, userData);
    }

    /**
     * Reads up to {@code len} bytes at file offset {@code off} (-1: the file position) into
     * {@code buf}; res is the byte count or -errno. Works on any readable fd (eventfd, pipe...).
     */
    public long prepRead(int fd, MemorySegment buf, int len, long off, long userData) {
        return prepRw(IORING_OP_READ, fd, address(buf, len), len, off, userData);
    }

    /** Writes {@code len} bytes of {@code buf} at file offset {@code off} (-1: the file position). */
    public long prepWrite(int fd, MemorySegment buf, int len, long off, long userData) {
        return prepRw(IORING_OP_WRITE, fd, address(buf, len), len, off, userData);
    }

    /** Vectored read into the {@code count} iovecs at the start of {@code iovecs}. */
    public long prepReadv(int fd, MemorySegment iovecs, int count, long off, long userData) {
        return prepReadv(fd, address(iovecs, count * IoUringLayouts.IOVEC.byteSize()), count, off, userData);
    }

    /** Vectored read into {@code count} iovecs at a native address the caller keeps alive. */
    public long prepReadv(int fd, long iovecsAddress, int count, long off, long userData) {
        return prepRw(IORING_OP_READV, fd, iovecsAddress, count, off, userData);
    }

    /** Vectored write from the {@code count} iovecs at the start of {@code iovecs}. */
    public long prepWritev(int fd, MemorySegment iovecs, int count, long off, long userData) {
        return prepWritev(fd, address(iovecs, count * IoUringLayouts.IOVEC.byteSize()), count, off, userData);
    }

    /** Vectored write from {@code count} iovecs at a native address the caller keeps alive. */
    public long prepWritev(int fd, long iovecsAddress, int count, long off, long userData) {
        return prepRw(IORING_OP_WRITEV, fd, iovecsAddress, count, off, userData);
    }

    /**
     * Reads into {@code buf}, which must lie inside registered buffer {@code bufIndex}
     * ({@link Ring#registerBuffers}); otherwise the kernel answers -EFAULT.
     */
    public long prepReadFixed(int fd, MemorySegment buf, int len, long off, int bufIndex, long userData) {
        long sqe = prepRw(IORING_OP_READ_FIXED, fd, address(buf, len), len, off, userData);
        if (sqe >= 0) {
            setBufIndex(sqe, bufIndex);
        }
        return sqe;
    }

    /** Writes from {@code buf}, which must lie inside registered buffer {@code bufIndex}. */
    public long prepWriteFixed(int fd, MemorySegment buf, int len, long off, int bufIndex, long userData) {
        long sqe = prepRw(IORING_OP_WRITE_FIXED, fd, address(buf, len), len, off, userData);
        if (sqe >= 0) {
            setBufIndex(sqe, bufIndex);
        }
        return sqe;
    }

    /** {@code fsync}, or {@code fdatasync} with IORING_FSYNC_DATASYNC in {@code fsyncFlags}. */
    public long prepFsync(int fd, int fsyncFlags, long userData) {
        long sqe = prepRw(IORING_OP_FSYNC, fd, 0, 0, 0, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, fsyncFlags);
        }
        return sqe;
    }

    /**
     * {@code openat(dirfd, path, flags, mode)}; {@code path} is NUL-terminated. res is the new fd
     * (close-on-exec only if {@code flags} has O_CLOEXEC) or -errno.
     */
    public long prepOpenat(int dirfd, MemorySegment path, int flags, int mode, long userData) {
        long sqe = prepRw(IORING_OP_OPENAT, dirfd, address(path, 1), mode, 0, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, flags);
        }
        return sqe;
    }

    /**
     * {@code openat2(dirfd, path, how, sizeof(*how))} as liburing's {@code io_uring_prep_openat2}:
     * {@code how} is a {@code struct open_how}, read by the kernel at prep, {@code path} NUL-terminated.
     * res is the new fd or -errno (EXDEV for a RESOLVE_BENEATH escape).
     */
    public long prepOpenat2(int dirfd, MemorySegment path, MemorySegment how, long userData) {
        return prepRw(IORING_OP_OPENAT2, dirfd, address(path, 1), (int) how.byteSize(), address(how, how.byteSize()),
                userData);
    }

    /** {@code close(fd)}; res 0 or -errno. */
    public long prepClose(int fd, long userData) {
        return prepRw(IORING_OP_CLOSE, fd, 0, 0, 0, userData);
    }

    /**
     * {@code statx(dirfd, path, flags, mask, statxbuf)}; {@code statxbuf} must hold a
     * {@link IoUringLayouts#STATX} (256 bytes).
     */
    public long prepStatx(int dirfd, MemorySegment path, int flags, int mask, MemorySegment statxbuf,
                          long userData) {
        long buf = address(statxbuf, IoUringLayouts.STATX.byteSize());
        // liburing io_uring_prep_statx: len carries the mask, off carries the statx buffer.
        long sqe = prepRw(IORING_OP_STATX, dirfd, address(path, 1), mask, buf, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, flags);
        }
        return sqe;
    }

    /**
     * A timer: completes with -ETIME when {@code ts} (a __kernel_timespec) elapses, or with 0
     * once {@code count} other CQEs have been posted (count 0: time only). {@code flags} takes
     * IORING_TIMEOUT_ABS, clock selection, ETIME_SUCCESS, MULTISHOT.
     */
    public long prepTimeout(MemorySegment ts, int count, int flags, long userData) {
        long sqe = prepRw(IORING_OP_TIMEOUT, -1, address(ts, IoUringLayouts.KERNEL_TIMESPEC.byteSize()), 1,
                count, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, flags);
        }
        return sqe;
    }

    /**
     * A timeout for the previous SQE, which must carry IOSQE_IO_LINK: if it expires first, the
     * linked operation is cancelled (-ECANCELED) and this completes with -ETIME; otherwise this
     * completes with -ECANCELED (or -EALREADY when the race was close).
     */
    public long prepLinkTimeout(MemorySegment ts, int flags, long userData) {
        long sqe = prepRw(IORING_OP_LINK_TIMEOUT, -1, address(ts, IoUringLayouts.KERNEL_TIMESPEC.byteSize()), 1,
                0, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, flags);
        }
        return sqe;
    }

    /**
     * Cancels the operation whose user_data is {@code targetUserData}. res: 0 when found and
     * cancelled, -ENOENT when not found, -EALREADY when it was already running and may still
     * complete. The target posts its own CQE (typically -ECANCELED).
     */
    public long prepCancel(long targetUserData, int flags, long userData) {
        long sqe = prepRw(IORING_OP_ASYNC_CANCEL, -1, targetUserData, 0, 0, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, flags);
        }
        return sqe;
    }

    /** Cancels operations on {@code fd} (with IORING_ASYNC_CANCEL_ALL: all of them; res is then the count). */
    public long prepCancelFd(int fd, int flags, long userData) {
        long sqe = prepRw(IORING_OP_ASYNC_CANCEL, fd, 0, 0, 0, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, flags | IORING_ASYNC_CANCEL_FD);
        }
        return sqe;
    }

    /** Removes the timeout whose user_data is {@code targetUserData}; res 0, -ENOENT or -EALREADY. */
    public long prepTimeoutRemove(long targetUserData, int flags, long userData) {
        long sqe = prepRw(IORING_OP_TIMEOUT_REMOVE, -1, targetUserData, 0, 0, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, flags);
        }
        return sqe;
    }

    /** One-shot poll for {@code pollMask} (POLLIN, POLLOUT...); res is the ready mask or -errno. */
    public long prepPollAdd(int fd, int pollMask, long userData) {
        long sqe = prepRw(IORING_OP_POLL_ADD, fd, 0, 0, 0, userData);
        if (sqe >= 0) {
            // poll32_events, little-endian on both supported architectures.
            setOpFlags(sqe, pollMask);
        }
        return sqe;
    }

    /**
     * {@code accept4(fd, addr, addrlen, flags)} (liburing {@code io_uring_prep_accept}): the
     * kernel writes the peer's address into {@code addr} and its length into {@code addrlen}, a
     * socklen_t that must hold the room in {@code addr} on entry. As liburing does, the addrlen
     * pointer travels in {@code addr2} (the union with {@code off}) and {@code flags}
     * (SOCK_CLOEXEC, SOCK_NONBLOCK) in {@code accept_flags}. res is the new fd or -errno.
     */
    public long prepAccept(int fd, MemorySegment addr, MemorySegment addrlen, int flags, long userData) {
        long lenAddress = address(addrlen, Integer.BYTES);
        long sqe = prepRw(IORING_OP_ACCEPT, fd, address(addr, Integer.toUnsignedLong(addrlen.get(JAVA_INT, 0))), 0,
                lenAddress, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, flags);
        }
        return sqe;
    }

    /**
     * An accept that stays armed (liburing {@code io_uring_prep_multishot_accept}, kernel 5.19):
     * IORING_ACCEPT_MULTISHOT in {@code ioprio}; each connection posts a CQE with the new fd and
     * IORING_CQE_F_MORE while it stays armed. No address is asked for: one buffer would be shared by
     * every accept, so peers are read with getpeername instead.
     */
    public long prepMultishotAccept(int fd, int flags, long userData) {
        long sqe = prepRw(IORING_OP_ACCEPT, fd, 0, 0, 0, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, flags);
            setIoprio(sqe, IORING_ACCEPT_MULTISHOT);
        }
        return sqe;
    }

    /**
     * A receive that stays armed and picks a buffer from provided buffer ring {@code bufferGroup}
     * for each chunk (liburing {@code io_uring_prep_recv_multishot} with IOSQE_BUFFER_SELECT, kernel
     * 6.0): each CQE carries the byte count, IORING_CQE_F_BUFFER with the buffer id in the upper 16
     * bits of its flags, and IORING_CQE_F_MORE while it stays armed. Length 0: the buffer's size.
     */
    public long prepRecvMultishot(int fd, int bufferGroup, int msgFlags, long userData) {
        long sqe = prepRw(IORING_OP_RECV, fd, 0, 0, 0, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, msgFlags);
            setIoprio(sqe, IORING_RECV_MULTISHOT);
            setFlags(sqe, IOSQE_BUFFER_SELECT);
            setBufIndex(sqe, bufferGroup);
        }
        return sqe;
    }

    /**
     * {@code connect(fd, addr, addrlen)} (liburing {@code io_uring_prep_connect}): unlike accept,
     * the length is a value, and it travels in {@code off}. res 0 or -errno.
     */
    public long prepConnect(int fd, MemorySegment addr, int addrlen, long userData) {
        return prepRw(IORING_OP_CONNECT, fd, address(addr, addrlen), 0, addrlen, userData);
    }

    /**
     * {@code recv(fd, buf, len, msgFlags)} (liburing {@code io_uring_prep_recv}); {@code msgFlags}
     * (MSG_*) go in {@code msg_flags}. res is the byte count, 0 at end of stream, or -errno.
     */
    public long prepRecv(int fd, MemorySegment buf, int len, int msgFlags, long userData) {
        long sqe = prepRw(IORING_OP_RECV, fd, address(buf, len), len, 0, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, msgFlags);
        }
        return sqe;
    }

    /**
     * {@code send(fd, buf, len, msgFlags)} (liburing {@code io_uring_prep_send}); pass MSG_NOSIGNAL
     * unless SIGPIPE is wanted. res is the byte count or -errno.
     */
    public long prepSend(int fd, MemorySegment buf, int len, int msgFlags, long userData) {
        long sqe = prepRw(IORING_OP_SEND, fd, address(buf, len), len, 0, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, msgFlags);
        }
        return sqe;
    }

    /**
     * {@code sendmsg(fd, msghdr, msgFlags)} (liburing {@code io_uring_prep_sendmsg}): a gather send
     * of the iovecs {@code msghdr} ({@link IoUringLayouts#MSGHDR}) points to, which the caller keeps
     * alive, with the iovecs, until the CQE; {@code len} is 1, as liburing sets it. Pass
     * MSG_NOSIGNAL unless SIGPIPE is wanted. res is the byte count or -errno.
     */
    public long prepSendmsg(int fd, MemorySegment msghdr, int msgFlags, long userData) {
        long sqe = prepRw(IORING_OP_SENDMSG, fd, address(msghdr, IoUringLayouts.MSGHDR.byteSize()), 1, 0, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, msgFlags);
        }
        return sqe;
    }

    /**
     * {@code recvmsg(fd, msghdr, msgFlags)} (liburing {@code io_uring_prep_recvmsg}): a scatter
     * receive into the iovecs {@code msghdr} points to, kept alive by the caller until the CQE.
     * res is the byte count, 0 at end of stream, or -errno.
     */
    public long prepRecvmsg(int fd, MemorySegment msghdr, int msgFlags, long userData) {
        long sqe = prepRw(IORING_OP_RECVMSG, fd, address(msghdr, IoUringLayouts.MSGHDR.byteSize()), 1, 0, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, msgFlags);
        }
        return sqe;
    }

    /**
     * A zero-copy {@code send(fd, buf, len, msgFlags)} (liburing {@code io_uring_prep_send_zc},
     * kernel 6.0): as {@link #prepSend}, plus {@code zcFlags} (IORING_RECVSEND_POLL_FIRST,
     * IORING_SEND_ZC_REPORT_USAGE...) in {@code ioprio}. It posts two CQEs when the first carries
     * IORING_CQE_F_MORE: the result, then a notification (IORING_CQE_F_NOTIF, same user_data) once
     * the kernel no longer reads {@code buf}; only then may the buffer be reused or freed. Sockets
     * without zero-copy support (Unix-domain ones) answer -EOPNOTSUPP.
     */
    public long prepSendZc(int fd, MemorySegment buf, int len, int msgFlags, int zcFlags, long userData) {
        long sqe = prepRw(IORING_OP_SEND_ZC, fd, address(buf, len), len, 0, userData);
        if (sqe >= 0) {
            setOpFlags(sqe, msgFlags);
            setIoprio(sqe, zcFlags);
        }
        return sqe;
    }

    /**
     * {@code shutdown(fd, how)} (liburing {@code io_uring_prep_shutdown}, kernel 5.11): {@code how}
     * (SHUT_RD, SHUT_WR, SHUT_RDWR) travels in {@code len}. res 0 or -errno.
     */
    public long prepShutdown(int fd, int how, long userData) {
        return prepRw(IORING_OP_SHUTDOWN, fd, 0, how, 0, userData);
    }

    /**
     * {@code splice(fdIn, offIn, fdOut, offOut, nbytes, spliceFlags)} (liburing
     * {@code io_uring_prep_splice}): one of the two descriptors must be a pipe, whose offset must be
     * -1; for the other, -1 means its current file position. As liburing does, {@code fdOut} and
     * {@code offOut} take the usual {@code fd} and {@code off}, {@code fdIn} goes in
     * {@code splice_fd_in}, {@code offIn} in {@code splice_off_in} (the union with {@code addr}) and
     * the flags (SPLICE_F_*) in {@code splice_flags}. res is the bytes moved, 0 at the input's end,
     * or -errno. io_uring always runs it on an io-wq worker; a result other than {@code nbytes} breaks
     * an IOSQE_IO_LINK chain, so a linked next request then completes with -ECANCELED.
     */
    public long prepSplice(int fdIn, long offIn, int fdOut, long offOut, int nbytes, int spliceFlags,
                           long userData) {
        long sqe = prepRw(IORING_OP_SPLICE, fdOut, 0, nbytes, offOut, userData);
        if (sqe >= 0) {
            sqes.set(JAVA_LONG, sqe + IoUringLayouts.SQE_SPLICE_OFF_IN, offIn);
            sqes.set(JAVA_INT, sqe + IoUringLayouts.SQE_SPLICE_FD_IN, fdIn);
            sqes.set(JAVA_INT, sqe + IoUringLayouts.SQE_SPLICE_FLAGS, spliceFlags);
        }
        return sqe;
    }

    /** The native address of {@code segment}, after checking it is native and holds {@code len} bytes. */
    private static long address(MemorySegment segment, long len) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("the kernel needs native memory, not a heap segment");
        }
        if (len < 0 || len > segment.byteSize()) {
            throw new IndexOutOfBoundsException("length " + len + " outside segment of " + segment.byteSize());
        }
        return Pointers.address(segment);
    }
}
