package dev.proactor.internal.uring.ffi;

import java.util.Locale;

/**
 * Numbers of the io_uring and libc interface, copied from the kernel's UAPI headers.
 *
 * <p>Sources, cited per group below:
 * <ul>
 *   <li>{@code /usr/include/linux/io_uring.h} from Debian 12 {@code linux-libc-dev} 6.1 (marked
 *       "6.1 header"), the baseline;</li>
 *   <li>liburing's copy of the UAPI header, {@code src/include/liburing/io_uring.h} at commit
 *       {@code 364452f8} (synchronised with kernel 6.15), and the kernel's
 *       {@code include/uapi/linux/io_uring.h} patches for 6.16 and 6.18, for anything newer;</li>
 *   <li>glibc and {@code asm-generic} headers for the libc numbers, as printed by gcc on this
 *       machine (x86_64).</li>
 * </ul>
 * The kernel version after each newer constant is the release that introduced it; whether the
 * running kernel has it is a runtime question answered by the probe and the feature mask, never
 * by this class.
 */
public final class IoUringConstants {

    private IoUringConstants() {
    }

    // ---- enum io_uring_op (6.1 header up to SENDMSG_ZC; later ones from liburing/kernel UAPI) ----

    public static final int IORING_OP_NOP = 0;
    public static final int IORING_OP_READV = 1;
    public static final int IORING_OP_WRITEV = 2;
    public static final int IORING_OP_FSYNC = 3;
    public static final int IORING_OP_READ_FIXED = 4;
    public static final int IORING_OP_WRITE_FIXED = 5;
    public static final int IORING_OP_POLL_ADD = 6;
    public static final int IORING_OP_POLL_REMOVE = 7;
    public static final int IORING_OP_SYNC_FILE_RANGE = 8;
    public static final int IORING_OP_SENDMSG = 9;
    public static final int IORING_OP_RECVMSG = 10;
    public static final int IORING_OP_TIMEOUT = 11;
    public static final int IORING_OP_TIMEOUT_REMOVE = 12;
    public static final int IORING_OP_ACCEPT = 13;
    public static final int IORING_OP_ASYNC_CANCEL = 14;
    public static final int IORING_OP_LINK_TIMEOUT = 15;
    public static final int IORING_OP_CONNECT = 16;
    public static final int IORING_OP_FALLOCATE = 17;
    public static final int IORING_OP_OPENAT = 18;
    public static final int IORING_OP_CLOSE = 19;
    public static final int IORING_OP_FILES_UPDATE = 20;
    public static final int IORING_OP_STATX = 21;
    public static final int IORING_OP_READ = 22;
    public static final int IORING_OP_WRITE = 23;
    public static final int IORING_OP_FADVISE = 24;
    public static final int IORING_OP_MADVISE = 25;
    public static final int IORING_OP_SEND = 26;
    public static final int IORING_OP_RECV = 27;
    public static final int IORING_OP_OPENAT2 = 28;
    public static final int IORING_OP_EPOLL_CTL = 29;
    public static final int IORING_OP_SPLICE = 30;
    public static final int IORING_OP_PROVIDE_BUFFERS = 31;
    public static final int IORING_OP_REMOVE_BUFFERS = 32;
    public static final int IORING_OP_TEE = 33;
    public static final int IORING_OP_SHUTDOWN = 34;
    public static final int IORING_OP_RENAMEAT = 35;
    public static final int IORING_OP_UNLINKAT = 36;
    public static final int IORING_OP_MKDIRAT = 37;
    public static final int IORING_OP_SYMLINKAT = 38;
    public static final int IORING_OP_LINKAT = 39;
    public static final int IORING_OP_MSG_RING = 40;
    public static final int IORING_OP_FSETXATTR = 41;
    public static final int IORING_OP_SETXATTR = 42;
    public static final int IORING_OP_FGETXATTR = 43;
    public static final int IORING_OP_GETXATTR = 44;
    public static final int IORING_OP_SOCKET = 45;
    public static final int IORING_OP_URING_CMD = 46;
    /** Kernel 6.0. */
    public static final int IORING_OP_SEND_ZC = 47;
    /** Kernel 6.1; the last opcode of the 6.1 header. */
    public static final int IORING_OP_SENDMSG_ZC = 48;
    /** Kernel 6.7. */
    public static final int IORING_OP_READ_MULTISHOT = 49;
    /** Kernel 6.7. */
    public static final int IORING_OP_WAITID = 50;
    /** Kernel 6.7. */
    public static final int IORING_OP_FUTEX_WAIT = 51;
    /** Kernel 6.7. */
    public static final int IORING_OP_FUTEX_WAKE = 52;
    /** Kernel 6.7. */
    public static final int IORING_OP_FUTEX_WAITV = 53;
    /** Kernel 6.8. */
    public static final int IORING_OP_FIXED_FD_INSTALL = 54;
    /** Kernel 6.9. */
    public static final int IORING_OP_FTRUNCATE = 55;
    /** Kernel 6.11. */
    public static final int IORING_OP_BIND = 56;
    /** Kernel 6.11. */
    public static final int IORING_OP_LISTEN = 57;
    /** Kernel 6.15. */
    public static final int IORING_OP_RECV_ZC = 58;
    /** Kernel 6.15. */
    public static final int IORING_OP_EPOLL_WAIT = 59;
    /** Kernel 6.15. */
    public static final int IORING_OP_READV_FIXED = 60;
    /** Kernel 6.15. */
    public static final int IORING_OP_WRITEV_FIXED = 61;
    /** Kernel 6.16; the last opcode of kernel 6.18 (its probe reports {@code last_op} 62). */
    public static final int IORING_OP_PIPE = 62;
    /**
     * One past the last opcode this class names ({@code IORING_OP_LAST} of kernel 6.18). Newer
     * kernels have more; the probe's {@code last_op} is the authority at run time.
     */
    public static final int IORING_OP_LAST = 63;

    // ---- io_uring_setup() flags (6.1 header up to DEFER_TASKRUN) ----

    public static final int IORING_SETUP_IOPOLL = 1;
    public static final int IORING_SETUP_SQPOLL = 1 << 1;
    public static final int IORING_SETUP_SQ_AFF = 1 << 2;
    public static final int IORING_SETUP_CQSIZE = 1 << 3;
    public static final int IORING_SETUP_CLAMP = 1 << 4;
    public static final int IORING_SETUP_ATTACH_WQ = 1 << 5;
    public static final int IORING_SETUP_R_DISABLED = 1 << 6;
    /** Kernel 5.18: keep submitting the batch after one SQE fails to prepare. */
    public static final int IORING_SETUP_SUBMIT_ALL = 1 << 7;
    /** Kernel 5.19: run task work when the task enters the kernel anyway, no IPI. */
    public static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;
    /** Kernel 5.19: set {@link #IORING_SQ_TASKRUN}; needs COOP_TASKRUN or DEFER_TASKRUN. */
    public static final int IORING_SETUP_TASKRUN_FLAG = 1 << 9;
    public static final int IORING_SETUP_SQE128 = 1 << 10;
    public static final int IORING_SETUP_CQE32 = 1 << 11;
    /** Kernel 6.0: only the creating task may submit; others get {@code -EEXIST}. */
    public static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;
    /** Kernel 6.1: run task work only inside {@code io_uring_enter(GETEVENTS)}; needs SINGLE_ISSUER. */
    public static final int IORING_SETUP_DEFER_TASKRUN = 1 << 13;
    /** Kernel 6.5 (liburing header). */
    public static final int IORING_SETUP_NO_MMAP = 1 << 14;
    /** Kernel 6.5 (liburing header). */
    public static final int IORING_SETUP_REGISTERED_FD_ONLY = 1 << 15;
    /** Kernel 6.6 (liburing header): SQ entries index the SQE array directly, no index array. */
    public static final int IORING_SETUP_NO_SQARRAY = 1 << 16;
    /** Kernel 6.13 (liburing header). */
    public static final int IORING_SETUP_HYBRID_IOPOLL = 1 << 17;
    /** Kernel 6.18 (kernel UAPI): 16- and 32-byte CQEs mixed in one ring. */
    public static final int IORING_SETUP_CQE_MIXED = 1 << 18;

    // ---- io_uring_params.features (6.1 header up to LINKED_FILE) ----

    public static final int IORING_FEAT_SINGLE_MMAP = 1;
    /** The kernel keeps CQEs that do not fit the CQ ring instead of dropping them. */
    public static final int IORING_FEAT_NODROP = 1 << 1;
    public static final int IORING_FEAT_SUBMIT_STABLE = 1 << 2;
    public static final int IORING_FEAT_RW_CUR_POS = 1 << 3;
    public static final int IORING_FEAT_CUR_PERSONALITY = 1 << 4;
    public static final int IORING_FEAT_FAST_POLL = 1 << 5;
    public static final int IORING_FEAT_POLL_32BITS = 1 << 6;
    public static final int IORING_FEAT_SQPOLL_NONFIXED = 1 << 7;
    /** {@code io_uring_enter} takes {@code io_uring_getevents_arg} (wait with a timeout). */
    public static final int IORING_FEAT_EXT_ARG = 1 << 8;
    public static final int IORING_FEAT_NATIVE_WORKERS = 1 << 9;
    public static final int IORING_FEAT_RSRC_TAGS = 1 << 10;
    public static final int IORING_FEAT_CQE_SKIP = 1 << 11;
    public static final int IORING_FEAT_LINKED_FILE = 1 << 12;
    /** Kernel 6.3 (liburing header). */
    public static final int IORING_FEAT_REG_REG_RING = 1 << 13;
    /** Kernel 6.10 (liburing header). */
    public static final int IORING_FEAT_RECVSEND_BUNDLE = 1 << 14;
    /** Kernel 6.12 (liburing header). */
    public static final int IORING_FEAT_MIN_TIMEOUT = 1 << 15;
    /** Kernel 6.13 (liburing header). */
    public static final int IORING_FEAT_RW_ATTR = 1 << 16;
    /** Kernel 6.15 (kernel UAPI). */
    public static final int IORING_FEAT_NO_IOWAIT = 1 << 17;

    // ---- io_uring_enter(2) flags (6.1 header) ----

    public static final int IORING_ENTER_GETEVENTS = 1;
    public static final int IORING_ENTER_SQ_WAKEUP = 1 << 1;
    public static final int IORING_ENTER_SQ_WAIT = 1 << 2;
    public static final int IORING_ENTER_EXT_ARG = 1 << 3;
    public static final int IORING_ENTER_REGISTERED_RING = 1 << 4;

    // ---- io_uring_sqe.flags (6.1 header) ----

    public static final int IOSQE_FIXED_FILE = 1;
    public static final int IOSQE_IO_DRAIN = 1 << 1;
    public static final int IOSQE_IO_LINK = 1 << 2;
    public static final int IOSQE_IO_HARDLINK = 1 << 3;
    public static final int IOSQE_ASYNC = 1 << 4;
    public static final int IOSQE_BUFFER_SELECT = 1 << 5;
    public static final int IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

    // ---- io_uring_cqe.flags (6.1 header) ----

    /** The upper 16 bits of the CQE flags hold the provided-buffer id. */
    public static final int IORING_CQE_F_BUFFER = 1;
    /** More CQEs will follow for the same SQE (multishot). */
    public static final int IORING_CQE_F_MORE = 1 << 1;
    public static final int IORING_CQE_F_SOCK_NONEMPTY = 1 << 2;
    /** A zero-copy send's second, notification CQE: the kernel released the buffer. */
    public static final int IORING_CQE_F_NOTIF = 1 << 3;
    public static final int IORING_CQE_BUFFER_SHIFT = 16;

    // ---- SQ ring flags word (6.1 header) ----

    public static final int IORING_SQ_NEED_WAKEUP = 1;
    /** CQEs wait in the kernel's overflow list; an enter with GETEVENTS flushes them. */
    public static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;
    public static final int IORING_SQ_TASKRUN = 1 << 2;

    // ---- mmap offsets (6.1 header) ----

    public static final long IORING_OFF_SQ_RING = 0L;
    public static final long IORING_OFF_CQ_RING = 0x8000000L;
    public static final long IORING_OFF_SQES = 0x10000000L;

    // ---- io_uring_register(2) opcodes (6.1 header up to FILE_ALLOC_RANGE) ----

    public static final int IORING_REGISTER_BUFFERS = 0;
    public static final int IORING_UNREGISTER_BUFFERS = 1;
    public static final int IORING_REGISTER_FILES = 2;
    public static final int IORING_UNREGISTER_FILES = 3;
    public static final int IORING_REGISTER_EVENTFD = 4;
    public static final int IORING_UNREGISTER_EVENTFD = 5;
    public static final int IORING_REGISTER_FILES_UPDATE = 6;
    public static final int IORING_REGISTER_EVENTFD_ASYNC = 7;
    public static final int IORING_REGISTER_PROBE = 8;
    public static final int IORING_REGISTER_PERSONALITY = 9;
    public static final int IORING_UNREGISTER_PERSONALITY = 10;
    public static final int IORING_REGISTER_RESTRICTIONS = 11;
    public static final int IORING_REGISTER_ENABLE_RINGS = 12;
    public static final int IORING_REGISTER_FILES2 = 13;
    public static final int IORING_REGISTER_FILES_UPDATE2 = 14;
    public static final int IORING_REGISTER_BUFFERS2 = 15;
    public static final int IORING_REGISTER_BUFFERS_UPDATE = 16;
    public static final int IORING_REGISTER_IOWQ_AFF = 17;
    public static final int IORING_UNREGISTER_IOWQ_AFF = 18;
    public static final int IORING_REGISTER_IOWQ_MAX_WORKERS = 19;
    public static final int IORING_REGISTER_RING_FDS = 20;
    public static final int IORING_UNREGISTER_RING_FDS = 21;
    public static final int IORING_REGISTER_PBUF_RING = 22;
    public static final int IORING_UNREGISTER_PBUF_RING = 23;
    public static final int IORING_REGISTER_SYNC_CANCEL = 24;
    public static final int IORING_REGISTER_FILE_ALLOC_RANGE = 25;
    /** Kernel 6.8 (liburing header). */
    public static final int IORING_REGISTER_PBUF_STATUS = 26;
    /** Kernel 6.9 (liburing header). */
    public static final int IORING_REGISTER_NAPI = 27;
    /** Kernel 6.9 (liburing header). */
    public static final int IORING_UNREGISTER_NAPI = 28;
    /** Kernel 6.12 (liburing header). */
    public static final int IORING_REGISTER_CLOCK = 29;
    /** Kernel 6.12 (liburing header). */
    public static final int IORING_REGISTER_CLONE_BUFFERS = 30;
    /** Kernel 6.13 (liburing header). */
    public static final int IORING_REGISTER_SEND_MSG_RING = 31;
    /** Kernel 6.15 (liburing header). */
    public static final int IORING_REGISTER_ZCRX_IFQ = 32;
    /** Kernel 6.13 (liburing header). */
    public static final int IORING_REGISTER_RESIZE_RINGS = 33;
    /** Kernel 6.13 (liburing header). */
    public static final int IORING_REGISTER_MEM_REGION = 34;

    // ---- sqe->fsync_flags, sqe->timeout_flags (6.1 header; MULTISHOT from liburing header) ----

    public static final int IORING_FSYNC_DATASYNC = 1;

    public static final int IORING_TIMEOUT_ABS = 1;
    public static final int IORING_TIMEOUT_UPDATE = 1 << 1;
    public static final int IORING_TIMEOUT_BOOTTIME = 1 << 2;
    public static final int IORING_TIMEOUT_REALTIME = 1 << 3;
    public static final int IORING_LINK_TIMEOUT_UPDATE = 1 << 4;
    /** Expiry of a counted timeout reports 0 instead of {@code -ETIME}. */
    public static final int IORING_TIMEOUT_ETIME_SUCCESS = 1 << 5;
    /** Kernel 6.4 (liburing header). */
    public static final int IORING_TIMEOUT_MULTISHOT = 1 << 6;

    // ---- sqe->cancel_flags (6.1 header) ----

    public static final int IORING_ASYNC_CANCEL_ALL = 1;
    public static final int IORING_ASYNC_CANCEL_FD = 1 << 1;
    public static final int IORING_ASYNC_CANCEL_ANY = 1 << 2;
    public static final int IORING_ASYNC_CANCEL_FD_FIXED = 1 << 3;
    public static final int IORING_ASYNC_CANCEL_USERDATA = 1 << 4;
    public static final int IORING_ASYNC_CANCEL_OP = 1 << 5;

    // ---- sqe->ioprio for accept, send and recv (6.1 header) ----

    public static final int IORING_ACCEPT_MULTISHOT = 1;
    public static final int IORING_RECVSEND_POLL_FIRST = 1;
    public static final int IORING_RECV_MULTISHOT = 1 << 1;
    public static final int IORING_RECVSEND_FIXED_BUF = 1 << 2;
    /** Kernel 6.2 (liburing header): the notification's res tells whether the data was copied after all. */
    public static final int IORING_SEND_ZC_REPORT_USAGE = 1 << 3;
    /**
     * Kernel 6.2 (liburing header): set in a zero-copy notification's res (with
     * IORING_SEND_ZC_REPORT_USAGE) when the kernel copied the data instead, as it does for loopback
     * and for devices that cannot gather.
     */
    public static final int IORING_NOTIF_USAGE_ZC_COPIED = 1 << 31;

    // ---- poll (sqe->len for POLL_ADD command flags; 6.1 header) and probe ----

    public static final int IORING_POLL_ADD_MULTI = 1;
    /** {@code io_uring_probe_op.flags}: the opcode is supported. */
    public static final int IO_URING_OP_SUPPORTED = 1;

    // ---- poll(2) event bits (asm-generic/poll.h) ----

    public static final int POLLIN = 0x0001;
    public static final int POLLOUT = 0x0004;
    public static final int POLLERR = 0x0008;
    public static final int POLLHUP = 0x0010;

    // ---- open(2) flags (asm-generic/fcntl.h; the four marked differ on aarch64) ----

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DSYNC = 010000;
    public static final int O_NOATIME = 01000000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_SYNC = 04010000;
    public static final int O_PATH = 010000000;
    /** Arch-specific: 040000 on x86_64, 0200000 on aarch64. */
    public static final int O_DIRECT;
    /**
     * Arch-specific, kernel value: 0100000 on x86_64, 0400000 on aarch64 (glibc defines it as 0
     * on 64-bit; io_uring's openat sets it itself).
     */
    public static final int O_LARGEFILE;
    /** Arch-specific: 0200000 on x86_64, 040000 on aarch64. */
    public static final int O_DIRECTORY;
    /** Arch-specific: 0400000 on x86_64, 0100000 on aarch64. */
    public static final int O_NOFOLLOW;

    // ---- *at() and statx (linux/fcntl.h, linux/stat.h) ----

    public static final int AT_FDCWD = -100;

    // ---- openat2(2) resolve flags (include/uapi/linux/openat2.h, Linux 5.6; not in this machine's 6.1 userspace headers for all) ----

    /** Block mount-point crossings (bind mounts included). */
    public static final long RESOLVE_NO_XDEV = 0x01;
    /** Block traversal through procfs-style magic links. */
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    /** Block traversal through every symbolic link (implies RESOLVE_NO_MAGICLINKS). */
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    /** Block "..", symbolic links and absolute paths that escape the dirfd: -EXDEV. */
    public static final long RESOLVE_BENEATH = 0x08;
    /** Scope every jump to "/" and ".." inside the dirfd, like chroot(2). */
    public static final long RESOLVE_IN_ROOT = 0x10;
    /** Complete only through the dentry cache, -EAGAIN otherwise (5.12). */
    public static final long RESOLVE_CACHED = 0x20;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_NO_AUTOMOUNT = 0x800;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int AT_STATX_SYNC_AS_STAT = 0;
    public static final int AT_STATX_FORCE_SYNC = 0x2000;
    public static final int AT_STATX_DONT_SYNC = 0x4000;

    public static final int STATX_TYPE = 0x1;
    public static final int STATX_MODE = 0x2;
    public static final int STATX_NLINK = 0x4;
    public static final int STATX_UID = 0x8;
    public static final int STATX_GID = 0x10;
    public static final int STATX_ATIME = 0x20;
    public static final int STATX_MTIME = 0x40;
    public static final int STATX_CTIME = 0x80;
    public static final int STATX_INO = 0x100;
    public static final int STATX_SIZE = 0x200;
    public static final int STATX_BLOCKS = 0x400;
    public static final int STATX_BASIC_STATS = 0x7ff;
    public static final int STATX_BTIME = 0x800;

    // ---- file types in stx_mode (linux/stat.h) ----

    public static final int S_IFMT = 00170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;

    // ---- eventfd, mmap, rlimit (sys/eventfd.h, asm-generic/mman*.h, asm-generic/resource.h) ----

    public static final int EFD_SEMAPHORE = 1;
    public static final int EFD_NONBLOCK = 04000;
    public static final int EFD_CLOEXEC = 02000000;

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_POPULATE = 0x8000;

    public static final int RLIMIT_MEMLOCK = 8;

    /** Size in bytes of the kernel's signal set ({@code _NSIG / 8}), for {@code sigmask_sz}. */
    public static final int KERNEL_SIGSET_SIZE = 8;

    // ---- sockets (x86_64 and aarch64 share every value below) ----

    /** {@code AF_UNIX} (linux/socket.h). */
    public static final int AF_UNIX = 1;
    /** {@code AF_INET} (linux/socket.h). */
    public static final int AF_INET = 2;
    /** {@code AF_INET6} (linux/socket.h). */
    public static final int AF_INET6 = 10;
    /** {@code SOCK_STREAM} (linux/net.h; asm-generic value, which x86_64 and aarch64 use). */
    public static final int SOCK_STREAM = 1;
    /**
     * {@code SPLICE_F_MOVE} (include/linux/splice.h, the value splice(2) documents): move pages
     * rather than copy them where the kernel can. A hint; a kernel that cannot move still splices.
     */
    public static final int SPLICE_F_MOVE = 0x01;

    /** {@code SOCK_CLOEXEC}, OR-ed into socket(2)'s type or accept4's flags: equals O_CLOEXEC. */
    public static final int SOCK_CLOEXEC = O_CLOEXEC;
    /** {@code SOL_SOCKET} (asm-generic/socket.h). */
    public static final int SOL_SOCKET = 1;
    /** {@code IPPROTO_TCP} (linux/in.h). */
    public static final int IPPROTO_TCP = 6;
    /** {@code SO_REUSEADDR} (asm-generic/socket.h). */
    public static final int SO_REUSEADDR = 2;
    /** {@code SO_SNDBUF} (asm-generic/socket.h). */
    public static final int SO_SNDBUF = 7;
    /** {@code SO_RCVBUF} (asm-generic/socket.h). */
    public static final int SO_RCVBUF = 8;
    /** {@code SO_KEEPALIVE} (asm-generic/socket.h). */
    public static final int SO_KEEPALIVE = 9;
    /** {@code SO_REUSEPORT} (asm-generic/socket.h). */
    public static final int SO_REUSEPORT = 15;
    /** {@code TCP_NODELAY} (linux/tcp.h). */
    public static final int TCP_NODELAY = 1;
    /** {@code SHUT_RD}, {@code SHUT_WR}, {@code SHUT_RDWR}: shutdown(2)'s {@code how} (linux/net.h). */
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;
    /** {@code MSG_NOSIGNAL} (linux/socket.h): a send to a reset peer answers EPIPE, raises no SIGPIPE. */
    public static final int MSG_NOSIGNAL = 0x4000;

    // ---- errno values the glue and its callers test for (asm-generic/errno*.h) ----

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EINVAL = 22;
    public static final int ENOSYS = 38;
    public static final int ETIME = 62;
    public static final int EOPNOTSUPP = 95;
    public static final int EALREADY = 114;
    public static final int ECANCELED = 125;
    public static final int ENOTCONN = 107;

    // ---- syscall numbers (asm/unistd_64.h on x86_64; asm-generic/unistd.h on aarch64) ----

    /** Both supported architectures use 425/426/427 (added to every table at once in 5.1). */
    public static final long SYS_IO_URING_SETUP;
    public static final long SYS_IO_URING_ENTER;
    public static final long SYS_IO_URING_REGISTER;
    /** {@code __NR_mmap}: 9 on x86_64, 222 on aarch64 ({@code __NR3264_mmap}). */
    public static final long SYS_MMAP;
    /** {@code __NR_munmap}: 11 on x86_64, 215 on aarch64. */
    public static final long SYS_MUNMAP;
    /** {@code __NR_close}: 3 on x86_64, 57 on aarch64. */
    public static final long SYS_CLOSE;
    /** {@code __NR_eventfd2}, what glibc's {@code eventfd} calls: 290 on x86_64, 19 on aarch64. */
    public static final long SYS_EVENTFD2;
    /** {@code __NR_openat2}: 437 on every architecture (added to the unified table in 5.6). */
    public static final long SYS_OPENAT2 = 437;

    /** True on x86_64 and aarch64, the two architectures whose numbers this class holds. */
    public static final boolean SUPPORTED_ARCH;

    static {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        SUPPORTED_ARCH = x86 || arm;
        SYS_IO_URING_SETUP = 425;
        SYS_IO_URING_ENTER = 426;
        SYS_IO_URING_REGISTER = 427;
        SYS_MMAP = arm ? 222 : 9;
        SYS_MUNMAP = arm ? 215 : 11;
        SYS_CLOSE = arm ? 57 : 3;
        SYS_EVENTFD2 = arm ? 19 : 290;
        O_DIRECT = arm ? 0200000 : 040000;
        O_LARGEFILE = arm ? 0400000 : 0100000;
        O_DIRECTORY = arm ? 040000 : 0200000;
        O_NOFOLLOW = arm ? 0100000 : 0400000;
    }
}
