package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.*;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which operation kinds the io_uring backend performs with their own opcode and which fall back,
 * decided once when the backend starts: a kind whose opcode the probe lacks falls back for that
 * operation alone. Immutable.
 *
 * <p>The probe is the kernel's answer minus the opcodes named in the system property
 * {@value #PROPERTY} (a comma-separated list of opcode names, or {@code ALL} for every one the
 * backend can do without). That switch is for diagnosis and tests: it makes this kernel look like
 * an older or restricted one, so that the fallbacks run where every opcode exists. Only opcodes with
 * a fallback can be masked; NOP, POLL_ADD, TIMEOUT, LINK_TIMEOUT and ASYNC_CANCEL carry the
 * fallbacks themselves (and the deadlines and cancels of every operation), and every kernel the
 * backend accepts (5.11 and newer, see {@link UringSupport}) has them.
 */
final class FallbackRoutes {

    /** The diagnostic switch: opcodes to treat as missing from the probe. */
    static final String PROPERTY = "dev.proactor.uring.disableOpcodes";

    /** The opcodes the backend can do without, by name, in opcode order. */
    static final Map<String, Integer> MASKABLE = maskable();

    private final Probe probe;
    private final Set<Integer> masked;
    private final Map<OperationKind, Integer> missing = new EnumMap<>(OperationKind.class);
    /** Indexed by {@link OperationKind#ordinal()}: true where the kind falls back. */
    private final boolean[] fallback = new boolean[OperationKind.values().length];
    /**
     * A vectored send is a SEND by kind but needs IORING_OP_SENDMSG, not IORING_OP_SEND, and a
     * vectored receive is a RECV needing IORING_OP_RECVMSG: each falls back on its own opcode's
     * absence, whatever the plain call does.
     */
    private final boolean vectoredSend;
    private final boolean vectoredRecv;
    /** An open relative to a directory is an OPEN by kind but needs IORING_OP_OPENAT2: it falls back on that opcode's absence. */
    private final boolean openAt2;

    /**
     * @param kernel the kernel's probe
     * @param opcodes the opcode each kind needs when it does not fall back
     * @param mask the value of {@value #PROPERTY}, or null
     * @throws IllegalArgumentException naming the bad entry when {@code mask} names an opcode that
     *         is unknown or cannot be masked
     */
    FallbackRoutes(Probe kernel, Map<OperationKind, Integer> opcodes, String mask) {
        this.masked = parse(mask);
        this.probe = without(kernel, masked);
        for (Map.Entry<OperationKind, Integer> e : opcodes.entrySet()) {
            int op = e.getValue();
            if (!probe.supports(op) && MASKABLE.containsValue(op)) {
                missing.put(e.getKey(), op);
                fallback[e.getKey().ordinal()] = true;
            }
        }
        this.vectoredSend = !probe.supports(IORING_OP_SENDMSG);
        this.vectoredRecv = !probe.supports(IORING_OP_RECVMSG);
        this.openAt2 = !probe.supports(IORING_OP_OPENAT2);
    }

    /** The probe the backend goes by: the kernel's, minus the masked opcodes. */
    Probe probe() {
        return probe;
    }

    /** Whether any kind falls back (when not, the submit path pays one check of this flag). */
    boolean any() {
        return !missing.isEmpty() || vectoredSend || vectoredRecv || openAt2;
    }

    /** Whether {@code kind} falls back. */
    boolean fallsBack(OperationKind kind) {
        return fallback[kind.ordinal()];
    }

    /**
     * Whether {@code r} falls back: by its kind, except a vectored send or receive, by its own
     * opcode, and a receive stream's wait for data, which is IORING_OP_POLL_ADD and never does.
     */
    boolean fallsBack(Request r) {
        if (r instanceof Request.AwaitReadable) {
            return false;
        }
        if (r instanceof Request.SendV) {
            return vectoredSend;
        }
        if (r instanceof Request.OpenAt) {
            return openAt2;
        }
        return r instanceof Request.RecvV ? vectoredRecv : fallback[Request.kindOf(r).ordinal()];
    }

    /** The capability text of an open relative to a directory: OPENAT2, or its fallback and why. */
    String describeOpenAt() {
        return "; relative to a directory: " + (openAt2
                ? "fallback: blocking openat2(2) on the backend's fallback threads (OPENAT2 missing from the probe"
                        + (masked(IORING_OP_OPENAT2) ? ", masked by " + PROPERTY : "") + ")"
                : "io_uring OPENAT2 (the kernel enforces the resolve rules)");
    }

    /** The opcode of {@code kind}'s vectored form (SEND: SENDMSG, RECV: RECVMSG). */
    static int vectoredOpcode(OperationKind kind) {
        return switch (kind) {
            case SEND -> IORING_OP_SENDMSG;
            case RECV -> IORING_OP_RECVMSG;
            default -> throw new IllegalArgumentException(kind + " has no vectored socket form");
        };
    }

    /** Whether the vectored form of SEND or RECV falls back (its opcode missing from the probe). */
    boolean vectoredFallsBack(OperationKind kind) {
        return kind == OperationKind.SEND ? vectoredSend : vectoredRecv;
    }

    /** The capability text of the vectored form of SEND or RECV when it falls back: how, and which opcode is missing. */
    String describeVectored(OperationKind kind) {
        int op = vectoredOpcode(kind);
        String how = kind == OperationKind.SEND
                ? "POLL_ADD (POLLOUT), then sendmsg(2) with MSG_DONTWAIT|MSG_NOSIGNAL on the dispatcher"
                : "POLL_ADD (POLLIN), then recvmsg(2) with MSG_DONTWAIT on the dispatcher";
        return "fallback: " + how + " (" + UringNames.opcodeName(op) + " missing from the probe"
                + (masked(op) ? ", masked by " + PROPERTY : "") + ")";
    }

    /** Whether {@code opcode} was masked by {@value #PROPERTY} (rather than missing from the kernel). */
    boolean masked(int opcode) {
        return masked.contains(opcode);
    }

    /** The capability text of a kind that falls back: how, and which opcode is missing. */
    String describe(OperationKind kind) {
        int op = missing.get(kind);
        String why = UringNames.opcodeName(op) + " missing from the probe"
                + (masked(op) ? ", masked by " + PROPERTY : "");
        return "fallback: " + how(kind) + " (" + why + ")";
    }

    /** How a pipe, FIFO or character device is read or written when READ(V)/WRITE(V) fall back. */
    private static final String STREAMS = "; pipes, FIFOs and character devices: the call on the dispatcher,"
            + " non-blocking for that call";

    private static String how(OperationKind kind) {
        return switch (kind) {
            case OPEN -> "blocking openat(2) on the backend's fallback threads";
            case READ -> "POLL_ADD (POLLIN), then pread(2) on the backend's fallback threads"
                    + STREAMS;
            case READV -> "POLL_ADD (POLLIN), then preadv(2) on the backend's fallback threads"
                    + STREAMS;
            case WRITE -> "POLL_ADD (POLLOUT), then pwrite(2) on the backend's fallback threads"
                    + STREAMS;
            case WRITEV -> "POLL_ADD (POLLOUT), then pwritev(2) on the backend's fallback threads"
                    + STREAMS;
            case FSYNC -> "blocking fsync(2)/fdatasync(2) on the backend's fallback threads";
            case STAT -> "blocking statx(2) on the backend's fallback threads";
            case CLOSE -> "close(2) on the backend's fallback threads";
            case ACCEPT -> "POLL_ADD (POLLIN) on the non-blocking listener, then accept4(2) on the dispatcher";
            case CONNECT -> "non-blocking connect(2) on the dispatcher, POLL_ADD (POLLOUT), then SO_ERROR";
            case RECV -> "POLL_ADD (POLLIN), then recv(2) with MSG_DONTWAIT on the dispatcher";
            case SEND -> "POLL_ADD (POLLOUT), then send(2) with MSG_DONTWAIT|MSG_NOSIGNAL on the dispatcher";
            case SHUTDOWN -> "shutdown(2) on the dispatcher, settled by a NOP";
            case TRANSFER -> "pread(2) of at most " + Transfers.ROUND_BYTES / 1024
                    + " KiB on the backend's fallback threads, then send(2) with MSG_DONTWAIT after POLL_ADD (POLLOUT)";
            default -> throw new IllegalArgumentException(kind + " has no fallback");
        };
    }

    private static Map<String, Integer> maskable() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int op : new int[] {IORING_OP_READV, IORING_OP_WRITEV, IORING_OP_FSYNC, IORING_OP_SENDMSG, IORING_OP_RECVMSG,
                IORING_OP_ACCEPT, IORING_OP_CONNECT, IORING_OP_OPENAT, IORING_OP_CLOSE,
                IORING_OP_OPENAT2, IORING_OP_STATX, IORING_OP_READ,
                IORING_OP_WRITE, IORING_OP_SEND, IORING_OP_RECV, IORING_OP_SPLICE, IORING_OP_SHUTDOWN,
                IORING_OP_SEND_ZC}) {
            m.put(UringNames.opcodeName(op), op);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The opcodes {@code mask} names; {@code ALL} is every maskable one. */
    static Set<Integer> parse(String mask) {
        Set<Integer> out = new TreeSet<>();
        if (mask == null || mask.isBlank()) {
            return out;
        }
        List<String> bad = new ArrayList<>();
        for (String raw : mask.split(",")) {
            String name = raw.trim().toUpperCase(Locale.ROOT);
            if (name.startsWith("IORING_OP_")) {
                name = name.substring("IORING_OP_".length());
            }
            if (name.isEmpty()) {
                continue;
            }
            if (name.equals("ALL")) {
                out.addAll(MASKABLE.values());
            } else if (MASKABLE.containsKey(name)) {
                out.add(MASKABLE.get(name));
            } else {
                bad.add(raw.trim());
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException(PROPERTY + " names " + bad + ", which cannot be masked: the"
                    + " opcodes with a fallback are " + MASKABLE.keySet() + " (or ALL)");
        }
        return out;
    }

    private static Probe without(Probe kernel, Set<Integer> masked) {
        if (masked.isEmpty()) {
            return kernel;
        }
        BitSet bits = new BitSet();
        for (int op : kernel.supportedOpcodes()) {
            if (!masked.contains(op)) {
                bits.set(op);
            }
        }
        return new Probe(kernel.lastOp(), bits);
    }
}
