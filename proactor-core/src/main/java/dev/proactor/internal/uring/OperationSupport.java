package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.*;

import dev.proactor.OperationKind;
import java.util.EnumMap;
import java.util.Map;

/**
 * Which operation kinds a ring performs and how: the opcode each kind is submitted as, and the
 * text of the capability report, which says for every kind the path it takes on this kernel
 * (its opcode, a multishot or single-shot stream, zero-copy, a fallback and why) so that a user
 * reading {@code Proactor.capabilities()} learns what a benchmark would otherwise have to reveal.
 * Fixed when the backend starts.
 */
final class OperationSupport {

    /** The opcode each kind is submitted as; the kinds absent are not available on io_uring. */
    static final Map<OperationKind, Integer> OPCODES = opcodes();

    private final Probe probe;
    private final FallbackRoutes routes;
    private final boolean multishotAccept;
    private final BufferRing bufferRing;
    private final String bufferRingNote;
    private final int zeroCopyThreshold;

    /**
     * @param probe the kernel's probe less the masked opcodes
     * @param bufferRing the multishot receives' buffer ring, or null, and then {@code bufferRingNote} says why
     * @param zeroCopyThreshold the smallest zero-copy send, 0 when zero-copy is off
     */
    OperationSupport(Probe probe, FallbackRoutes routes, boolean multishotAccept, BufferRing bufferRing,
            String bufferRingNote, int zeroCopyThreshold) {
        this.probe = probe;
        this.routes = routes;
        this.multishotAccept = multishotAccept;
        this.bufferRing = bufferRing;
        this.bufferRingNote = bufferRingNote;
        this.zeroCopyThreshold = zeroCopyThreshold;
    }

    /** Each kind and how this ring performs it, or why it does not: the capability report's text. */
    Map<OperationKind, String> describe() {
        Map<OperationKind, String> m = new EnumMap<>(OperationKind.class);
        for (OperationKind k : OperationKind.values()) {
            Integer op = OPCODES.get(k);
            if (op == null) {
                m.put(k, "not available in this version");
            } else if (probe.supports(op)) {
                m.put(k, how(k, op) + (k == OperationKind.OPEN ? routes.describeOpenAt() : ""));
            } else if (routes.fallsBack(k)) {
                m.put(k, routes.describe(k) + streamFallbackNote(k) + vectoredNote(k)
                        + (k == OperationKind.OPEN ? routes.describeOpenAt() : ""));
            } else {
                m.put(k, "off: the kernel's probe lacks " + UringNames.opcodeName(op));
            }
        }
        return m;
    }

    /** Whether {@code kind} is performed at all: its opcode is in the probe, or it falls back. */
    boolean performs(OperationKind kind) {
        Integer op = OPCODES.get(kind);
        return op != null && (probe.supports(op) || routes.fallsBack(kind));
    }

    private static Map<OperationKind, Integer> opcodes() {
        Map<OperationKind, Integer> m = new EnumMap<>(OperationKind.class);
        m.put(OperationKind.NOP, IORING_OP_NOP);
        m.put(OperationKind.OPEN, IORING_OP_OPENAT);
        m.put(OperationKind.READ, IORING_OP_READ);
        m.put(OperationKind.WRITE, IORING_OP_WRITE);
        m.put(OperationKind.READV, IORING_OP_READV);
        m.put(OperationKind.WRITEV, IORING_OP_WRITEV);
        m.put(OperationKind.FSYNC, IORING_OP_FSYNC);
        m.put(OperationKind.STAT, IORING_OP_STATX);
        m.put(OperationKind.CLOSE, IORING_OP_CLOSE);
        m.put(OperationKind.TIMER, IORING_OP_TIMEOUT);
        // The syscalls run on the dispatcher; the NOP carries the outcome back through the ring.
        m.put(OperationKind.LISTEN, IORING_OP_NOP);
        m.put(OperationKind.ACCEPT, IORING_OP_ACCEPT);
        m.put(OperationKind.CONNECT, IORING_OP_CONNECT);
        m.put(OperationKind.RECV, IORING_OP_RECV);
        m.put(OperationKind.SEND, IORING_OP_SEND);
        m.put(OperationKind.SHUTDOWN, IORING_OP_SHUTDOWN);
        m.put(OperationKind.TRANSFER, IORING_OP_SPLICE);
        m.put(OperationKind.SOCKET_OPTION, IORING_OP_NOP);
        return m;
    }

    /** How an operation kind is performed, where the opcode's name alone would not say. */
    private String how(OperationKind k, int op) {
        return switch (k) {
            case LISTEN -> "socket(2)+setsockopt+bind+listen on the dispatcher, settled by io_uring "
                    + UringNames.opcodeName(op);
            case CONNECT -> "socket(2)+setsockopt on the dispatcher, then io_uring " + UringNames.opcodeName(op);
            case SOCKET_OPTION -> "setsockopt+getsockopt on the dispatcher, settled by io_uring " + UringNames.opcodeName(op);
            case ACCEPT -> "io_uring " + UringNames.opcodeName(op) + " (SOCK_CLOEXEC); acceptEach: " + (multishotAccept
                    ? "multishot (IORING_ACCEPT_MULTISHOT), re-armed when the kernel ends it"
                    : "single-shot accepts re-armed one after another (kernel " + UringSupport.kernelRelease()
                            + " has no multishot accept, 5.19)");
            case RECV -> "io_uring " + UringNames.opcodeName(op) + "; receiveEach: " + (bufferRing != null
                    ? "multishot (IORING_RECV_MULTISHOT) into a provided buffer ring of " + bufferRing.count() + " x "
                            + bufferRing.size() + " bytes, re-armed after ENOBUFS once buffers are back"
                    : "a wait for data (POLL_ADD), then a single-shot receive into a pool slab, re-armed one after another ("
                            + bufferRingNote + ")")
                    + vectoredNote(k);
            case SEND -> "io_uring " + UringNames.opcodeName(op) + " with MSG_NOSIGNAL" + zeroCopyNote()
                    + vectoredNote(k);
            case TRANSFER -> "io_uring " + UringNames.opcodeName(op) + " file to a pipe, linked to "
                    + UringNames.opcodeName(op) + " pipe to socket (zero-copy, " + Transfers.ROUND_BYTES / 1024
                    + " KiB rounds; the socket non-blocking, a full one awaited with POLL_ADD, not a thread)";
            default -> "io_uring " + UringNames.opcodeName(op);
        };
    }

    /** How the streams of a kind that falls back are armed: single-shot, through the fallback. */
    private static String streamFallbackNote(OperationKind k) {
        return switch (k) {
            case ACCEPT -> "; acceptEach: single-shot accepts re-armed one after another";
            case RECV -> "; receiveEach: a wait for data (POLL_ADD), then a single-shot receive into a pool slab,"
                    + " re-armed one after another";
            default -> "";
        };
    }

    /**
     * How the vectored form of a send or receive (several buffers, one gather send or scatter
     * receive) is done: its opcode is SENDMSG or RECVMSG, not SEND or RECV. Empty for other kinds.
     */
    private String vectoredNote(OperationKind k) {
        if (k != OperationKind.SEND && k != OperationKind.RECV) {
            return "";
        }
        return "; vectored: " + (routes.vectoredFallsBack(k) ? routes.describeVectored(k)
                : "io_uring " + UringNames.opcodeName(FallbackRoutes.vectoredOpcode(k))
                        + (k == OperationKind.SEND ? " with MSG_NOSIGNAL" : "") + " (an iovec per buffer)");
    }

    private String zeroCopyNote() {
        if (zeroCopyThreshold > 0) {
            return "; " + UringNames.opcodeName(IORING_OP_SEND_ZC) + " for " + zeroCopyThreshold
                    + " bytes and above (plain send on sockets that refuse it)";
        }
        if (!probe.supports(IORING_OP_SEND_ZC)) {
            return "; no zero-copy: the probe lacks " + UringNames.opcodeName(IORING_OP_SEND_ZC)
                    + (routes.masked(IORING_OP_SEND_ZC) ? " (masked by " + FallbackRoutes.PROPERTY + ")" : "");
        }
        return "; zero-copy off (zeroCopySendThreshold 0)";
    }
}
