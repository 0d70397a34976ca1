package dev.proactor.internal.uring;

import java.util.ArrayList;
import java.util.List;

/**
 * Names for io_uring numbers, for capability reports and logs: opcodes, features and setup
 * flags, in the kernel's spelling without the common prefix. Stateless and thread-safe.
 */
public final class UringNames {

    private UringNames() {
    }

    /** Index = opcode; matches IoUringConstants.IORING_OP_* up to IORING_OP_PIPE (kernel 6.18). */
    private static final String[] OPCODES = {
        "NOP", "READV", "WRITEV", "FSYNC", "READ_FIXED", "WRITE_FIXED", "POLL_ADD", "POLL_REMOVE",
        "SYNC_FILE_RANGE", "SENDMSG", "RECVMSG", "TIMEOUT", "TIMEOUT_REMOVE", "ACCEPT", "ASYNC_CANCEL",
        "LINK_TIMEOUT", "CONNECT", "FALLOCATE", "OPENAT", "CLOSE", "FILES_UPDATE", "STATX", "READ", "WRITE",
        "FADVISE", "MADVISE", "SEND", "RECV", "OPENAT2", "EPOLL_CTL", "SPLICE", "PROVIDE_BUFFERS",
        "REMOVE_BUFFERS", "TEE", "SHUTDOWN", "RENAMEAT", "UNLINKAT", "MKDIRAT", "SYMLINKAT", "LINKAT",
        "MSG_RING", "FSETXATTR", "SETXATTR", "FGETXATTR", "GETXATTR", "SOCKET", "URING_CMD", "SEND_ZC",
        "SENDMSG_ZC", "READ_MULTISHOT", "WAITID", "FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_WAITV",
        "FIXED_FD_INSTALL", "FTRUNCATE", "BIND", "LISTEN", "RECV_ZC", "EPOLL_WAIT", "READV_FIXED",
        "WRITEV_FIXED", "PIPE",
    };

    /** Index = bit number of IORING_FEAT_*. */
    private static final String[] FEATURES = {
        "SINGLE_MMAP", "NODROP", "SUBMIT_STABLE", "RW_CUR_POS", "CUR_PERSONALITY", "FAST_POLL",
        "POLL_32BITS", "SQPOLL_NONFIXED", "EXT_ARG", "NATIVE_WORKERS", "RSRC_TAGS", "CQE_SKIP",
        "LINKED_FILE", "REG_REG_RING", "RECVSEND_BUNDLE", "MIN_TIMEOUT", "RW_ATTR", "NO_IOWAIT",
    };

    /** Index = bit number of IORING_SETUP_*. */
    private static final String[] SETUP_FLAGS = {
        "IOPOLL", "SQPOLL", "SQ_AFF", "CQSIZE", "CLAMP", "ATTACH_WQ", "R_DISABLED", "SUBMIT_ALL",
        "COOP_TASKRUN", "TASKRUN_FLAG", "SQE128", "CQE32", "SINGLE_ISSUER", "DEFER_TASKRUN", "NO_MMAP",
        "REGISTERED_FD_ONLY", "NO_SQARRAY", "HYBRID_IOPOLL", "CQE_MIXED",
    };

    /** The opcode's name, or {@code OP_<n>} for one newer than this table. */
    public static String opcodeName(int opcode) {
        return opcode >= 0 && opcode < OPCODES.length ? OPCODES[opcode] : "OP_" + opcode;
    }

    /** Names of the IORING_FEAT_* bits set in {@code features}; unknown bits as {@code FEAT_BIT_<n>}. */
    public static List<String> featureNames(int features) {
        return bitNames(features, FEATURES, "FEAT_BIT_");
    }

    /** Names of the IORING_SETUP_* bits set in {@code flags}; unknown bits as {@code SETUP_BIT_<n>}. */
    public static List<String> setupFlagNames(int flags) {
        return bitNames(flags, SETUP_FLAGS, "SETUP_BIT_");
    }

    private static List<String> bitNames(int mask, String[] names, String unknownPrefix) {
        List<String> out = new ArrayList<>(Integer.bitCount(mask));
        for (int bit = 0; bit < Integer.SIZE; bit++) {
            if ((mask & (1 << bit)) != 0) {
                out.add(bit < names.length ? names[bit] : unknownPrefix + bit);
            }
        }
        return List.copyOf(out);
    }
}
