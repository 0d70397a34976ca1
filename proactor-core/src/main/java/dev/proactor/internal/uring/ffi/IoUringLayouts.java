package dev.proactor.internal.uring.ffi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Memory layouts of the kernel structs the ring uses, and the byte offset of every field the
 * logic reads or writes.
 *
 * <p>Structs and field names are those of {@code /usr/include/linux/io_uring.h} (6.1 header),
 * {@code linux/time_types.h}, {@code linux/stat.h} and {@code bits/types/struct_iovec.h}; the
 * sizes and offsets were checked against gcc on this machine (see {@code IoUringLayoutsTest},
 * which asserts the numbers gcc printed). Unsigned kernel types map to Java's signed types of
 * the same width; callers widen with {@code Integer.toUnsignedLong} where the sign matters.
 */
public final class IoUringLayouts {

    private IoUringLayouts() {
    }

    // ---- struct io_sqring_offsets (40 bytes) ----

    /** {@code struct io_sqring_offsets}: where each SQ ring field lies in the SQ ring mapping. */
    public static final StructLayout IO_SQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"),
            JAVA_INT.withName("tail"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"),
            JAVA_INT.withName("resv1"),
            JAVA_LONG.withName("user_addr")).withName("io_sqring_offsets");

    // ---- struct io_cqring_offsets (40 bytes) ----

    /** {@code struct io_cqring_offsets}: where each CQ ring field lies in the CQ ring mapping. */
    public static final StructLayout IO_CQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"),
            JAVA_INT.withName("tail"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            JAVA_INT.withName("overflow"),
            JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("resv1"),
            JAVA_LONG.withName("user_addr")).withName("io_cqring_offsets");

    // ---- struct io_uring_params (120 bytes) ----

    /** {@code struct io_uring_params}: in and out argument of {@code io_uring_setup}. */
    public static final StructLayout IO_URING_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"),
            JAVA_INT.withName("cq_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"),
            JAVA_INT.withName("sq_thread_idle"),
            JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            IO_SQRING_OFFSETS.withName("sq_off"),
            IO_CQRING_OFFSETS.withName("cq_off")).withName("io_uring_params");

    /** io_uring_params.sq_entries (in: requested; out: granted). */
    public static final long PARAMS_SQ_ENTRIES = offset(IO_URING_PARAMS, "sq_entries");
    /** io_uring_params.cq_entries (in with IORING_SETUP_CQSIZE; out: granted). */
    public static final long PARAMS_CQ_ENTRIES = offset(IO_URING_PARAMS, "cq_entries");
    /** io_uring_params.flags (IORING_SETUP_*). */
    public static final long PARAMS_FLAGS = offset(IO_URING_PARAMS, "flags");
    /** io_uring_params.sq_thread_cpu. */
    public static final long PARAMS_SQ_THREAD_CPU = offset(IO_URING_PARAMS, "sq_thread_cpu");
    /** io_uring_params.sq_thread_idle. */
    public static final long PARAMS_SQ_THREAD_IDLE = offset(IO_URING_PARAMS, "sq_thread_idle");
    /** io_uring_params.features (out: IORING_FEAT_*). */
    public static final long PARAMS_FEATURES = offset(IO_URING_PARAMS, "features");
    /** io_uring_params.wq_fd. */
    public static final long PARAMS_WQ_FD = offset(IO_URING_PARAMS, "wq_fd");
    /** io_uring_params.sq_off, a struct io_sqring_offsets. */
    public static final long PARAMS_SQ_OFF = offset(IO_URING_PARAMS, "sq_off");
    /** io_uring_params.cq_off, a struct io_cqring_offsets. */
    public static final long PARAMS_CQ_OFF = offset(IO_URING_PARAMS, "cq_off");

    /** io_uring_params.sq_off.head. */
    public static final long PARAMS_SQ_OFF_HEAD = PARAMS_SQ_OFF + offset(IO_SQRING_OFFSETS, "head");
    /** io_uring_params.sq_off.tail. */
    public static final long PARAMS_SQ_OFF_TAIL = PARAMS_SQ_OFF + offset(IO_SQRING_OFFSETS, "tail");
    /** io_uring_params.sq_off.ring_mask. */
    public static final long PARAMS_SQ_OFF_RING_MASK = PARAMS_SQ_OFF + offset(IO_SQRING_OFFSETS, "ring_mask");
    /** io_uring_params.sq_off.ring_entries. */
    public static final long PARAMS_SQ_OFF_RING_ENTRIES =
            PARAMS_SQ_OFF + offset(IO_SQRING_OFFSETS, "ring_entries");
    /** io_uring_params.sq_off.flags (the SQ ring's flags word: IORING_SQ_*). */
    public static final long PARAMS_SQ_OFF_FLAGS = PARAMS_SQ_OFF + offset(IO_SQRING_OFFSETS, "flags");
    /** io_uring_params.sq_off.dropped (SQEs the kernel skipped as invalid). */
    public static final long PARAMS_SQ_OFF_DROPPED = PARAMS_SQ_OFF + offset(IO_SQRING_OFFSETS, "dropped");
    /** io_uring_params.sq_off.array (the SQ index array; 0 with IORING_SETUP_NO_SQARRAY). */
    public static final long PARAMS_SQ_OFF_ARRAY = PARAMS_SQ_OFF + offset(IO_SQRING_OFFSETS, "array");

    /** io_uring_params.cq_off.head. */
    public static final long PARAMS_CQ_OFF_HEAD = PARAMS_CQ_OFF + offset(IO_CQRING_OFFSETS, "head");
    /** io_uring_params.cq_off.tail. */
    public static final long PARAMS_CQ_OFF_TAIL = PARAMS_CQ_OFF + offset(IO_CQRING_OFFSETS, "tail");
    /** io_uring_params.cq_off.ring_mask. */
    public static final long PARAMS_CQ_OFF_RING_MASK = PARAMS_CQ_OFF + offset(IO_CQRING_OFFSETS, "ring_mask");
    /** io_uring_params.cq_off.ring_entries. */
    public static final long PARAMS_CQ_OFF_RING_ENTRIES =
            PARAMS_CQ_OFF + offset(IO_CQRING_OFFSETS, "ring_entries");
    /** io_uring_params.cq_off.overflow (CQEs lost for good: the kernel's koverflow counter). */
    public static final long PARAMS_CQ_OFF_OVERFLOW = PARAMS_CQ_OFF + offset(IO_CQRING_OFFSETS, "overflow");
    /** io_uring_params.cq_off.cqes (the CQE array). */
    public static final long PARAMS_CQ_OFF_CQES = PARAMS_CQ_OFF + offset(IO_CQRING_OFFSETS, "cqes");
    /** io_uring_params.cq_off.flags (the CQ ring's flags word: IORING_CQ_*). */
    public static final long PARAMS_CQ_OFF_FLAGS = PARAMS_CQ_OFF + offset(IO_CQRING_OFFSETS, "flags");

    // ---- struct io_uring_sqe (64 bytes) ----

    /**
     * {@code struct io_uring_sqe}, with each union named after its first member; {@code op_flags}
     * stands for the union of {@code rw_flags}, {@code fsync_flags}, {@code poll32_events},
     * {@code timeout_flags}, {@code open_flags}, {@code statx_flags}, {@code cancel_flags} and the
     * rest of that union.
     */
    public static final StructLayout IO_URING_SQE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"),
            JAVA_BYTE.withName("flags"),
            JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"),
            MemoryLayout.unionLayout(JAVA_LONG.withName("off"), JAVA_LONG.withName("addr2")).withName("u1"),
            MemoryLayout.unionLayout(JAVA_LONG.withName("addr"), JAVA_LONG.withName("splice_off_in"))
                    .withName("u2"),
            JAVA_INT.withName("len"),
            JAVA_INT.withName("op_flags"),
            JAVA_LONG.withName("user_data"),
            MemoryLayout.unionLayout(JAVA_SHORT.withName("buf_index"), JAVA_SHORT.withName("buf_group"))
                    .withName("u3"),
            JAVA_SHORT.withName("personality"),
            MemoryLayout.unionLayout(JAVA_INT.withName("splice_fd_in"), JAVA_INT.withName("file_index"))
                    .withName("u4"),
            JAVA_LONG.withName("addr3"),
            JAVA_LONG.withName("pad2")).withName("io_uring_sqe");

    /** sizeof(struct io_uring_sqe) without IORING_SETUP_SQE128. */
    public static final long SQE_SIZE = IO_URING_SQE.byteSize();
    /** io_uring_sqe.opcode (u8, IORING_OP_*). */
    public static final long SQE_OPCODE = offset(IO_URING_SQE, "opcode");
    /** io_uring_sqe.flags (u8, IOSQE_*). */
    public static final long SQE_FLAGS = offset(IO_URING_SQE, "flags");
    /** io_uring_sqe.ioprio (u16; also accept/send/recv flags such as IORING_ACCEPT_MULTISHOT). */
    public static final long SQE_IOPRIO = offset(IO_URING_SQE, "ioprio");
    /** io_uring_sqe.fd (s32). */
    public static final long SQE_FD = offset(IO_URING_SQE, "fd");
    /** io_uring_sqe.off (u64 file offset; also the timeout count and the statx buffer address). */
    public static final long SQE_OFF = IO_URING_SQE.byteOffset(groupElement("u1"), groupElement("off"));
    /** io_uring_sqe.addr2, the same bytes as {@link #SQE_OFF}. */
    public static final long SQE_ADDR2 = IO_URING_SQE.byteOffset(groupElement("u1"), groupElement("addr2"));
    /** io_uring_sqe.addr (u64 buffer, iovec array, path or target user_data). */
    public static final long SQE_ADDR = IO_URING_SQE.byteOffset(groupElement("u2"), groupElement("addr"));
    /** io_uring_sqe.splice_off_in, the same bytes as {@link #SQE_ADDR}. */
    public static final long SQE_SPLICE_OFF_IN =
            IO_URING_SQE.byteOffset(groupElement("u2"), groupElement("splice_off_in"));
    /** io_uring_sqe.len (u32 byte count, iovec count, mode or statx mask). */
    public static final long SQE_LEN = offset(IO_URING_SQE, "len");
    /** io_uring_sqe.rw_flags and the rest of its union (fsync_flags, timeout_flags, open_flags...). */
    public static final long SQE_OP_FLAGS = offset(IO_URING_SQE, "op_flags");
    /** io_uring_sqe.splice_flags (u32, SPLICE_F_*), a member of the {@link #SQE_OP_FLAGS} union. */
    public static final long SQE_SPLICE_FLAGS = SQE_OP_FLAGS;
    /** io_uring_sqe.user_data (u64, returned in the CQE). */
    public static final long SQE_USER_DATA = offset(IO_URING_SQE, "user_data");
    /** io_uring_sqe.buf_index (u16, registered buffer index; packed union with buf_group). */
    public static final long SQE_BUF_INDEX = IO_URING_SQE.byteOffset(groupElement("u3"), groupElement("buf_index"));
    /** io_uring_sqe.buf_group (u16, provided buffer group), the same bytes as {@link #SQE_BUF_INDEX}. */
    public static final long SQE_BUF_GROUP = IO_URING_SQE.byteOffset(groupElement("u3"), groupElement("buf_group"));
    /** io_uring_sqe.personality (u16). */
    public static final long SQE_PERSONALITY = offset(IO_URING_SQE, "personality");
    /** io_uring_sqe.splice_fd_in (s32). */
    public static final long SQE_SPLICE_FD_IN =
            IO_URING_SQE.byteOffset(groupElement("u4"), groupElement("splice_fd_in"));
    /** io_uring_sqe.file_index (u32, fixed-file slot + 1), the same bytes as {@link #SQE_SPLICE_FD_IN}. */
    public static final long SQE_FILE_INDEX = IO_URING_SQE.byteOffset(groupElement("u4"), groupElement("file_index"));
    /** io_uring_sqe.addr3 (u64). */
    public static final long SQE_ADDR3 = offset(IO_URING_SQE, "addr3");

    // ---- struct io_uring_cqe (16 bytes) ----

    /** {@code struct io_uring_cqe} without IORING_SETUP_CQE32. */
    public static final StructLayout IO_URING_CQE = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"),
            JAVA_INT.withName("res"),
            JAVA_INT.withName("flags")).withName("io_uring_cqe");

    /** sizeof(struct io_uring_cqe) without IORING_SETUP_CQE32. */
    public static final long CQE_SIZE = IO_URING_CQE.byteSize();
    /** io_uring_cqe.user_data (u64). */
    public static final long CQE_USER_DATA = offset(IO_URING_CQE, "user_data");
    /** io_uring_cqe.res (s32: result or -errno). */
    public static final long CQE_RES = offset(IO_URING_CQE, "res");
    /** io_uring_cqe.flags (u32, IORING_CQE_F_*). */
    public static final long CQE_FLAGS = offset(IO_URING_CQE, "flags");

    // ---- struct io_uring_probe, struct io_uring_probe_op ----

    /** {@code struct io_uring_probe_op} (8 bytes). */
    public static final StructLayout IO_URING_PROBE_OP = MemoryLayout.structLayout(
            JAVA_BYTE.withName("op"),
            JAVA_BYTE.withName("resv"),
            JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("resv2")).withName("io_uring_probe_op");

    /** {@code struct io_uring_probe} header (16 bytes), followed by {@code ops[ops_len]}. */
    public static final StructLayout IO_URING_PROBE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("last_op"),
            JAVA_BYTE.withName("ops_len"),
            JAVA_SHORT.withName("resv"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv2")).withName("io_uring_probe");

    /** io_uring_probe.last_op (u8, the highest opcode the kernel knows). */
    public static final long PROBE_LAST_OP = offset(IO_URING_PROBE, "last_op");
    /** io_uring_probe.ops_len (u8, entries filled in ops[]). */
    public static final long PROBE_OPS_LEN = offset(IO_URING_PROBE, "ops_len");
    /** io_uring_probe.ops, the flexible array of io_uring_probe_op. */
    public static final long PROBE_OPS = IO_URING_PROBE.byteSize();
    /** sizeof(struct io_uring_probe_op). */
    public static final long PROBE_OP_SIZE = IO_URING_PROBE_OP.byteSize();
    /** io_uring_probe_op.op (u8). */
    public static final long PROBE_OP_OP = offset(IO_URING_PROBE_OP, "op");
    /** io_uring_probe_op.flags (u16, IO_URING_OP_SUPPORTED). */
    public static final long PROBE_OP_FLAGS = offset(IO_URING_PROBE_OP, "flags");

    // ---- struct open_how (include/uapi/linux/openat2.h, 5.6) ----

    /** {@code struct open_how}: 24 bytes, passed to openat2 with its size. */
    public static final StructLayout OPEN_HOW = MemoryLayout.structLayout(
            JAVA_LONG.withName("flags"),
            JAVA_LONG.withName("mode"),
            JAVA_LONG.withName("resolve")).withName("open_how");
    /** open_how.flags (u64, O_* flags). */
    public static final long OPEN_HOW_FLAGS = offset(OPEN_HOW, "flags");
    /** open_how.mode (u64; must be 0 unless O_CREAT or O_TMPFILE). */
    public static final long OPEN_HOW_MODE = offset(OPEN_HOW, "mode");
    /** open_how.resolve (u64, RESOLVE_* flags). */
    public static final long OPEN_HOW_RESOLVE = offset(OPEN_HOW, "resolve");

    // ---- struct __kernel_timespec (linux/time_types.h) ----

    /** {@code struct __kernel_timespec} (16 bytes; 64-bit seconds on every architecture). */
    public static final StructLayout KERNEL_TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_nsec")).withName("__kernel_timespec");

    /** __kernel_timespec.tv_sec (s64). */
    public static final long TIMESPEC_TV_SEC = offset(KERNEL_TIMESPEC, "tv_sec");
    /** __kernel_timespec.tv_nsec (long long). */
    public static final long TIMESPEC_TV_NSEC = offset(KERNEL_TIMESPEC, "tv_nsec");

    // ---- struct iovec (bits/types/struct_iovec.h) ----

    /** {@code struct iovec} (16 bytes on LP64). */
    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("iov_base"),
            JAVA_LONG.withName("iov_len")).withName("iovec");

    /** iovec.iov_base (void *). */
    public static final long IOVEC_BASE = offset(IOVEC, "iov_base");
    /** iovec.iov_len (size_t). */
    public static final long IOVEC_LEN = offset(IOVEC, "iov_len");

    // ---- struct msghdr (bits/socket.h; the kernel's struct user_msghdr, linux/socket.h) ----

    /**
     * {@code struct msghdr} (56 bytes on LP64): what sendmsg(2) and IORING_OP_SENDMSG take. The
     * padding after {@code msg_namelen} and after {@code msg_flags} is the C compiler's, for the
     * pointer alignment of the next field and of the whole struct.
     */
    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            JAVA_LONG.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4)).withName("msghdr");

    /** msghdr.msg_name (void *): no address on a connected stream socket. */
    public static final long MSGHDR_NAME = offset(MSGHDR, "msg_name");
    /** msghdr.msg_namelen (socklen_t). */
    public static final long MSGHDR_NAMELEN = offset(MSGHDR, "msg_namelen");
    /** msghdr.msg_iov (struct iovec *). */
    public static final long MSGHDR_IOV = offset(MSGHDR, "msg_iov");
    /** msghdr.msg_iovlen (size_t): at most IOV_MAX (1024). */
    public static final long MSGHDR_IOVLEN = offset(MSGHDR, "msg_iovlen");
    /** msghdr.msg_control (void *). */
    public static final long MSGHDR_CONTROL = offset(MSGHDR, "msg_control");
    /** msghdr.msg_controllen (size_t). */
    public static final long MSGHDR_CONTROLLEN = offset(MSGHDR, "msg_controllen");
    /** msghdr.msg_flags (int): written by recvmsg, ignored by sendmsg, whose flags are an argument. */
    public static final long MSGHDR_FLAGS = offset(MSGHDR, "msg_flags");

    // ---- struct statx (linux/stat.h, 256 bytes) ----

    /** {@code struct statx_timestamp} (16 bytes). */
    public static final StructLayout STATX_TIMESTAMP = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_INT.withName("tv_nsec"),
            JAVA_INT.withName("__reserved")).withName("statx_timestamp");

    /** {@code struct statx}; fields after stx_mtime are kept as reserved bytes. */
    public static final StructLayout STATX = MemoryLayout.structLayout(
            JAVA_INT.withName("stx_mask"),
            JAVA_INT.withName("stx_blksize"),
            JAVA_LONG.withName("stx_attributes"),
            JAVA_INT.withName("stx_nlink"),
            JAVA_INT.withName("stx_uid"),
            JAVA_INT.withName("stx_gid"),
            JAVA_SHORT.withName("stx_mode"),
            JAVA_SHORT.withName("__spare0"),
            JAVA_LONG.withName("stx_ino"),
            JAVA_LONG.withName("stx_size"),
            JAVA_LONG.withName("stx_blocks"),
            JAVA_LONG.withName("stx_attributes_mask"),
            STATX_TIMESTAMP.withName("stx_atime"),
            STATX_TIMESTAMP.withName("stx_btime"),
            STATX_TIMESTAMP.withName("stx_ctime"),
            STATX_TIMESTAMP.withName("stx_mtime"),
            MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("rest")).withName("statx");

    /** statx.stx_mask (u32, which STATX_* fields the kernel filled). */
    public static final long STATX_MASK = offset(STATX, "stx_mask");
    /** statx.stx_blksize (u32). */
    public static final long STATX_BLKSIZE = offset(STATX, "stx_blksize");
    /** statx.stx_attributes (u64). */
    public static final long STATX_ATTRIBUTES = offset(STATX, "stx_attributes");
    /** statx.stx_nlink (u32). */
    public static final long STATX_NLINK_OFFSET = offset(STATX, "stx_nlink");
    /** statx.stx_uid (u32). */
    public static final long STATX_UID_OFFSET = offset(STATX, "stx_uid");
    /** statx.stx_gid (u32). */
    public static final long STATX_GID_OFFSET = offset(STATX, "stx_gid");
    /** statx.stx_mode (u16). */
    public static final long STATX_MODE_OFFSET = offset(STATX, "stx_mode");
    /** statx.stx_ino (u64). */
    public static final long STATX_INO_OFFSET = offset(STATX, "stx_ino");
    /** statx.stx_size (u64). */
    public static final long STATX_SIZE_OFFSET = offset(STATX, "stx_size");
    /** statx.stx_blocks (u64, 512-byte blocks). */
    public static final long STATX_BLOCKS_OFFSET = offset(STATX, "stx_blocks");
    /** statx.stx_atime (struct statx_timestamp). */
    public static final long STATX_ATIME_OFFSET = offset(STATX, "stx_atime");
    /** statx.stx_btime (struct statx_timestamp). */
    public static final long STATX_BTIME_OFFSET = offset(STATX, "stx_btime");
    /** statx.stx_ctime (struct statx_timestamp). */
    public static final long STATX_CTIME_OFFSET = offset(STATX, "stx_ctime");
    /** statx.stx_mtime (struct statx_timestamp). */
    public static final long STATX_MTIME_OFFSET = offset(STATX, "stx_mtime");
    /** statx_timestamp.tv_sec (s64), relative to a timestamp field's offset. */
    public static final long STATX_TIMESTAMP_SEC = offset(STATX_TIMESTAMP, "tv_sec");
    /** statx_timestamp.tv_nsec (u32), relative to a timestamp field's offset. */
    public static final long STATX_TIMESTAMP_NSEC = offset(STATX_TIMESTAMP, "tv_nsec");

    // ---- struct io_uring_getevents_arg ----

    /**
     * {@code struct io_uring_getevents_arg} (24 bytes), the argument of
     * {@code io_uring_enter(IORING_ENTER_EXT_ARG)}; the 6.1 header calls the third field
     * {@code pad}, kernel 6.12 renamed it {@code min_wait_usec}.
     */
    public static final StructLayout IO_URING_GETEVENTS_ARG = MemoryLayout.structLayout(
            JAVA_LONG.withName("sigmask"),
            JAVA_INT.withName("sigmask_sz"),
            JAVA_INT.withName("min_wait_usec"),
            JAVA_LONG.withName("ts")).withName("io_uring_getevents_arg");

    /** io_uring_getevents_arg.sigmask (u64 pointer to a sigset, or 0). */
    public static final long GETEVENTS_ARG_SIGMASK = offset(IO_URING_GETEVENTS_ARG, "sigmask");
    /** io_uring_getevents_arg.sigmask_sz (u32). */
    public static final long GETEVENTS_ARG_SIGMASK_SZ = offset(IO_URING_GETEVENTS_ARG, "sigmask_sz");
    /** io_uring_getevents_arg.pad / min_wait_usec (u32). */
    public static final long GETEVENTS_ARG_MIN_WAIT_USEC = offset(IO_URING_GETEVENTS_ARG, "min_wait_usec");
    /** io_uring_getevents_arg.ts (u64 pointer to a __kernel_timespec, or 0). */
    public static final long GETEVENTS_ARG_TS = offset(IO_URING_GETEVENTS_ARG, "ts");

    // ---- struct io_uring_buf_reg, struct io_uring_buf (provided buffer rings) ----

    /** {@code struct io_uring_buf_reg} (40 bytes), argument of IORING_(UN)REGISTER_PBUF_RING. */
    public static final StructLayout IO_URING_BUF_REG = MemoryLayout.structLayout(
            JAVA_LONG.withName("ring_addr"),
            JAVA_INT.withName("ring_entries"),
            JAVA_SHORT.withName("bgid"),
            JAVA_SHORT.withName("flags"),
            MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("resv")).withName("io_uring_buf_reg");

    /** io_uring_buf_reg.ring_addr (u64). */
    public static final long BUF_REG_RING_ADDR = offset(IO_URING_BUF_REG, "ring_addr");
    /** io_uring_buf_reg.ring_entries (u32, a power of two). */
    public static final long BUF_REG_RING_ENTRIES = offset(IO_URING_BUF_REG, "ring_entries");
    /** io_uring_buf_reg.bgid (u16, buffer group id). */
    public static final long BUF_REG_BGID = offset(IO_URING_BUF_REG, "bgid");
    /** io_uring_buf_reg.pad, named flags since kernel 6.7 (IOU_PBUF_RING_*). */
    public static final long BUF_REG_FLAGS = offset(IO_URING_BUF_REG, "flags");

    /** {@code struct io_uring_buf} (16 bytes), one entry of a provided buffer ring. */
    public static final StructLayout IO_URING_BUF = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_SHORT.withName("bid"),
            JAVA_SHORT.withName("resv")).withName("io_uring_buf");

    /** io_uring_buf.addr (u64). */
    public static final long BUF_ADDR = offset(IO_URING_BUF, "addr");
    /** io_uring_buf.len (u32). */
    public static final long BUF_LEN = offset(IO_URING_BUF, "len");
    /** io_uring_buf.bid (u16). */
    public static final long BUF_BID = offset(IO_URING_BUF, "bid");
    /**
     * io_uring_buf_ring.tail (u16): overlays io_uring_buf.resv of entry 0, so the ring's tail
     * lives at this offset from the ring's start.
     */
    public static final long BUF_RING_TAIL = offset(IO_URING_BUF, "resv");

    // ---- socket addresses (linux/in.h, linux/in6.h, linux/un.h, linux/socket.h) ----

    /**
     * A 16-bit field in network byte order ({@code __be16}): {@code sin_port}, {@code sin6_port}.
     * Reading it through this layout gives the port as the host sees it.
     */
    public static final ValueLayout.OfShort NET_U16 = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    /**
     * {@code struct sockaddr_in} (linux/in.h, 16 bytes): family, port, the IPv4 address as four
     * bytes in network order, and padding to the size of {@code struct sockaddr}.
     */
    public static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin_family"),
            NET_U16.withName("sin_port"),
            MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("__pad")).withName("sockaddr_in");

    /** sockaddr_in.sin_family (sa_family_t, AF_INET). */
    public static final long SIN_FAMILY = offset(SOCKADDR_IN, "sin_family");
    /** sockaddr_in.sin_port (__be16). */
    public static final long SIN_PORT = offset(SOCKADDR_IN, "sin_port");
    /** sockaddr_in.sin_addr (struct in_addr: one __be32, read as 4 bytes). */
    public static final long SIN_ADDR = offset(SOCKADDR_IN, "sin_addr");
    /** Bytes in sockaddr_in.sin_addr. */
    public static final int SIN_ADDR_LEN = 4;

    /**
     * {@code struct sockaddr_in6} (linux/in6.h, 28 bytes): family, port, flow info, the IPv6
     * address as sixteen bytes in network order, scope id.
     */
    public static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin6_family"),
            NET_U16.withName("sin6_port"),
            JAVA_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
            JAVA_INT.withName("sin6_scope_id")).withName("sockaddr_in6");

    /** sockaddr_in6.sin6_family (AF_INET6). */
    public static final long SIN6_FAMILY = offset(SOCKADDR_IN6, "sin6_family");
    /** sockaddr_in6.sin6_port (__be16). */
    public static final long SIN6_PORT = offset(SOCKADDR_IN6, "sin6_port");
    /** sockaddr_in6.sin6_flowinfo (__be32). */
    public static final long SIN6_FLOWINFO = offset(SOCKADDR_IN6, "sin6_flowinfo");
    /** sockaddr_in6.sin6_addr (struct in6_addr, 16 bytes). */
    public static final long SIN6_ADDR = offset(SOCKADDR_IN6, "sin6_addr");
    /** Bytes in sockaddr_in6.sin6_addr. */
    public static final int SIN6_ADDR_LEN = 16;
    /** sockaddr_in6.sin6_scope_id (__u32, host order). */
    public static final long SIN6_SCOPE_ID = offset(SOCKADDR_IN6, "sin6_scope_id");

    /** {@code struct sockaddr_un} (linux/un.h, 110 bytes): family and a 108-byte path. */
    public static final StructLayout SOCKADDR_UN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sun_family"),
            MemoryLayout.sequenceLayout(108, JAVA_BYTE).withName("sun_path")).withName("sockaddr_un");

    /** sockaddr_un.sun_family (AF_UNIX). */
    public static final long SUN_FAMILY = offset(SOCKADDR_UN, "sun_family");
    /** sockaddr_un.sun_path (char[108], NUL-terminated unless it fills the array). */
    public static final long SUN_PATH = offset(SOCKADDR_UN, "sun_path");
    /** Bytes in sockaddr_un.sun_path (UNIX_PATH_MAX). */
    public static final int SUN_PATH_LEN = 108;

    /**
     * {@code struct __kernel_sockaddr_storage} (linux/socket.h, 128 bytes, 8-aligned): room for
     * any address; its first field is the family, as in every sockaddr.
     */
    public static final StructLayout SOCKADDR_STORAGE = MemoryLayout.structLayout(
            JAVA_SHORT.withName("ss_family"),
            MemoryLayout.sequenceLayout(126, JAVA_BYTE).withName("__data")).withByteAlignment(8)
            .withName("sockaddr_storage");

    /** sockaddr_storage.ss_family: where every sockaddr keeps its family. */
    public static final long SS_FAMILY = offset(SOCKADDR_STORAGE, "ss_family");
    /** {@code socklen_t}: a 32-bit unsigned length, in and out of accept, getsockname, getpeername. */
    public static final ValueLayout.OfInt SOCKLEN_T = JAVA_INT;

    /** sizeof(struct sockaddr_in). */
    public static final long SOCKADDR_IN_SIZE = SOCKADDR_IN.byteSize();
    /** sizeof(struct sockaddr_in6). */
    public static final long SOCKADDR_IN6_SIZE = SOCKADDR_IN6.byteSize();
    /** sizeof(struct sockaddr_un). */
    public static final long SOCKADDR_UN_SIZE = SOCKADDR_UN.byteSize();
    /** sizeof(struct sockaddr_storage). */
    public static final long SOCKADDR_STORAGE_SIZE = SOCKADDR_STORAGE.byteSize();

    // ---- struct rlimit (sys/resource.h) ----

    /** {@code struct rlimit} (16 bytes): soft then hard limit, RLIM_INFINITY is all ones. */
    public static final StructLayout RLIMIT = MemoryLayout.structLayout(
            JAVA_LONG.withName("rlim_cur"),
            JAVA_LONG.withName("rlim_max")).withName("rlimit");

    /** rlimit.rlim_cur (the soft limit). */
    public static final long RLIMIT_CUR = offset(RLIMIT, "rlim_cur");
    /** rlimit.rlim_max (the hard limit). */
    public static final long RLIMIT_MAX = offset(RLIMIT, "rlim_max");

    private static long offset(GroupLayout layout, String field) {
        return layout.byteOffset(groupElement(field));
    }
}
