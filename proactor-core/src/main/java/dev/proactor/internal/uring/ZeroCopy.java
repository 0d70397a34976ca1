package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.*;

import dev.proactor.internal.spi.Request;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Zero-copy sends (IORING_OP_SEND_ZC): which sends go zero-copy, which sockets refused it, and the
 * notifications that say when the kernel has let go of a buffer. A send of at least the threshold
 * goes zero-copy; its first CQE carries the result, and when it says a notification follows
 * (IORING_CQE_F_MORE) the submission is held until the notification (IORING_CQE_F_NOTIF) is
 * reaped. A socket that answers -EOPNOTSUPP is remembered by descriptor, so later sends on it skip
 * the refused attempt, until a Close of that descriptor is submitted (the number may come back as
 * another socket, which deserves its own attempt).
 *
 * <p>A TCP send's notification comes once the peer acknowledged the data, so a peer that stops
 * reading holds the buffer indefinitely; a socket the core is closing while a notification is
 * still due gets its connection aborted ({@link SocketCalls#disconnect}), which frees the buffers
 * and brings the notification.
 *
 * <p>Dispatcher thread only.
 */
final class ZeroCopy {
    private static final System.Logger LOG = System.getLogger("dev.proactor.uring");

    /** Sends of at least this many bytes are zero-copy; 0 when off or when the kernel lacks SEND_ZC. */
    private final int threshold;
    /** IORING_SEND_ZC_REPORT_USAGE where the kernel is known to take it (6.2; detected as 6.3+), else 0. */
    private final int flags;
    private final SocketCalls sockets;
    /** Descriptors whose socket answered SEND_ZC with -EOPNOTSUPP. */
    private final Set<Integer> refused = new HashSet<>();
    /** Per descriptor, zero-copy sends whose notification is announced and not yet reaped. */
    private final Map<Integer, Integer> notificationsDue = new HashMap<>();
    /** Descriptors the core is closing until their Close is submitted. */
    private final Set<Integer> closing = new HashSet<>();
    private long sends;
    private long notifications;
    private long copied;
    private long refusals;
    private long aborts;

    /**
     * @param threshold the smallest zero-copy send, 0 for none
     * @param reportUsage whether notifications may be asked to report copied data
     */
    ZeroCopy(int threshold, boolean reportUsage, SocketCalls sockets) {
        this.threshold = threshold;
        this.flags = reportUsage ? IORING_SEND_ZC_REPORT_USAGE : 0;
        this.sockets = sockets;
    }

    /** Whether this send goes out zero-copy: big enough, supported, and not refused by its socket before. */
    boolean wants(Request.Send sd) {
        return threshold > 0 && sd.buffer().byteSize() >= threshold && !refused.contains(sd.fd());
    }

    /** Prepares {@code sd} as IORING_OP_SEND_ZC; returns the SQE. */
    long prepare(SubmissionQueue sq, Request.Send sd, long ud) {
        sends++;
        return sq.prepSendZc(sd.fd(), sd.buffer(), KernelArgs.len(sd.buffer()), MSG_NOSIGNAL, flags, ud);
    }

    /** A Close of {@code fd} is submitted: forget what was known of the socket it named. */
    void closeSubmitted(int fd) {
        if (!(refused.isEmpty() && closing.isEmpty())) {
            refused.remove(fd);
            closing.remove(fd);
        }
    }

    /** The core is closing {@code fd}: a notification still due on it would wait for the peer, so abort. */
    void closing(int fd) {
        closing.add(fd);
        if (notificationsDue.containsKey(fd)) {
            abort(fd);
        }
    }

    /**
     * A zero-copy send's result CQE came with {@code cqeFlags}; returns whether a notification
     * follows. If none does, the caller gives back the CQ room reserved for it.
     */
    boolean resultSeen(OpState.Send st, int fd, int cqeFlags) {
        if ((cqeFlags & IORING_CQE_F_MORE) == 0) {
            return false;
        }
        if (++st.notifications == 1) {
            notificationsDue.merge(fd, 1, Integer::sum);
            if (closing.contains(fd)) {
                abort(fd);
            }
        }
        return true;
    }

    /** A notification CQE with {@code res}; returns whether it was the send's last, so its buffer is free. */
    boolean notified(OpState.Send st, int fd, int res) {
        notifications++;
        if ((res & IORING_NOTIF_USAGE_ZC_COPIED) != 0) {
            copied++;
        }
        if (--st.notifications > 0) {
            return false;
        }
        notificationsDue.computeIfPresent(fd, (d, n) -> n == 1 ? null : n - 1);
        return true;
    }

    /** {@code fd} answered -EOPNOTSUPP: its sends are plain sends from now on. */
    void refusedBy(int fd) {
        if (refused.add(fd)) {
            refusals++;
            LOG.log(Level.DEBUG, () -> "fd " + fd + " refused SEND_ZC; plain sends on it from now on");
        }
    }

    /** Resets {@code fd}'s connection so that the kernel drops the zero-copy buffers queued on it. */
    private void abort(int fd) {
        int r = sockets.disconnect(fd);
        aborts++;
        LOG.log(Level.DEBUG, () -> "fd " + fd + " closing with a zero-copy send unacknowledged: connection aborted ("
                + (r == 0 ? "ok" : "errno " + -r) + ")");
    }

    /** The smallest zero-copy send; 0 when zero-copy is off. */
    int threshold() {
        return threshold;
    }

    /** IORING_OP_SEND_ZC SQEs prepared, refused ones included. For tests and diagnostics. */
    long sends() {
        return sends;
    }

    /** Zero-copy notifications reaped (IORING_CQE_F_NOTIF). */
    long notifications() {
        return notifications;
    }

    /** Zero-copy notifications that reported the kernel copied the data after all (loopback does). */
    long copied() {
        return copied;
    }

    /** Descriptors whose socket refused SEND_ZC (-EOPNOTSUPP) and fell back to plain sends. */
    long refusals() {
        return refusals;
    }

    /** Connections aborted at close because a zero-copy send on them was still unacknowledged. */
    long aborts() {
        return aborts;
    }

    /** Whether notifications report copied data (IORING_SEND_ZC_REPORT_USAGE is set on zero-copy sends). */
    boolean reportsUsage() {
        return flags != 0;
    }
}
