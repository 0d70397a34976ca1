/**
 * The io_uring backend and the raw ring driven from Java: set-up with the best flags the kernel
 * accepts, the mapped submission and completion queues, the opcode probe and the availability check.
 * Every type here that holds ring state belongs to the one thread that owns the ring (the
 * dispatcher); no logic here touches the linker or computes struct offsets itself, it goes
 * through {@link dev.proactor.internal.uring.ffi}. {@code UringBackend} holds the policy (what
 * each request is submitted as, how a cancel reaches the kernel, the loop turn, how CQEs are routed
 * and settle the request), {@code SubmissionQueue} the SQE helpers
 * named after liburing's. Beside it, one concern each: {@code RingRoom} (the SQ slots and CQ entries
 * every submission promises before it is prepared, one entry kept for the wake-up), {@code WakeUp}
 * (the eventfd and its armed read), {@code OpState} (what a submission keeps until its last CQE,
 * by request family), {@code Transfers} (splice rounds through a pipe), {@code ZeroCopy}
 * ({@code SEND_ZC}, refusals and notifications), {@code SocketCalls} (the socket system calls the
 * dispatcher makes itself), {@code KernelArgs} (argument encodings shared with the fallback) and
 * {@code OperationSupport} (kind to opcode, the capability report's text).
 *
 * <h2>The ring and its thread</h2>
 * The ring is created by the dispatcher thread itself, because {@code IORING_SETUP_SINGLE_ISSUER}
 * binds it to its creator, and with {@code DEFER_TASKRUN} completions appear only while that thread
 * is inside {@code io_uring_enter}. The dispatcher never blocks anywhere else: one
 * {@code io_uring_enter} per loop turn submits the batch and waits for completions (with an
 * {@code EXT_ARG} timeout when a retry or a close deadline is due). Other threads wake it by writing
 * an eventfd that completes an {@code IORING_OP_READ} the ring itself keeps armed; its
 * {@code user_data} is a reserved value ({@code UserData}). Threads of the fallback pool
 * ({@code <name>-uring-fallback-N}, 2 to 4, started only when a file call falls back) run the
 * blocking call of one job at a time, put the job on a concurrent queue and write the eventfd; the
 * dispatcher settles it in {@code runOnce}.
 *
 * <h2>Tokens and completion-queue room</h2>
 * {@code user_data = token << 8 | tag}; the token is slot (32 bits) and generation (24 bits), so a
 * completion for a reused slot's earlier round is a stray, never a wrong match. Tags tell the
 * operation's own SQE from its linked timeout and from an async cancel aimed at it. Completion-queue
 * room is accounted before submission: each SQE yields exactly one CQE, except a zero-copy send
 * ({@code IORING_OP_SEND_ZC}), which reserves a second for its notification; the backend refuses a
 * submission that could overflow the CQ ({@code submit} answers false: back-pressure, the operation
 * stays READY and is retried next turn). Overflow ({@code IORING_SQ_CQ_OVERFLOW}) is still flushed
 * and counted if it happens; dropped completions ({@code koverflow}) are reported. The test switch
 * {@code dev.proactor.uring.completionQueueEntries=N} makes the ring's CQ exactly N while the
 * accounting keeps its usual size, so completions beyond the ring wait in the kernel's overflow list
 * ({@code IORING_FEAT_NODROP}) and this path runs ({@code CompletionQueueOverflowContractTest}:
 * cancel bursts bring 8 CQEs per kernel call to a 4-entry CQ).
 *
 * <p>The wake-up is an eventfd read kept armed in the ring. A turn whose SQEs leave no room for it
 * submits them first, without waiting, then arms the read in the room that frees; SQEs the backend
 * still holds (deferred drains and cancels, sends to repeat, a read it could not arm) cap the wait at
 * 1 ms ({@code HELD_WAIT_NANOS}), so a waker's write is never missed.
 *
 * <h2>Deadlines and cancels</h2>
 * Deadlines are {@code IORING_OP_LINK_TIMEOUT} with an absolute {@code CLOCK_MONOTONIC} expiry (the
 * {@code System.nanoTime()} clock), fixed at initiation. {@code -ECANCELED} with the link timeout's
 * {@code -ETIME} means {@code TIMED_OUT}. A cancel of an operation in the kernel is
 * {@code IORING_OP_ASYNC_CANCEL}; the target's own CQE decides the outcome.
 *
 * <h2>Sockets</h2>
 * Listen's {@code socket}/{@code setsockopt}/{@code bind}/{@code listen} are quick system calls made
 * on the dispatcher and settled by a {@code NOP}, and so is a live socket's option
 * ({@code setsockopt} then {@code getsockopt}; {@code SocketCalls.option} says why not
 * {@code IORING_OP_URING_CMD}); connect is {@code socket} then
 * {@code IORING_OP_CONNECT}; accept, recv, send and shutdown are their opcodes (send with
 * {@code MSG_NOSIGNAL}). A transfer's round is {@code IORING_OP_SPLICE} file to pipe (at most 64 KiB,
 * a pipe's capacity) linked to {@code IORING_OP_SPLICE} pipe to socket, through a pipe from the
 * backend's pool ({@code PipePool}: idle pipes for its peak of rounds in flight, at least 8, so a round
 * seldom makes a pipe); a short first splice breaks the link, and the backend then
 * drains the pipe to the socket before the round ends, so the round reports what reached the socket
 * and the pipe goes back empty (a pipe left holding bytes by a failure or a cancel is closed, never
 * reused). The kernel runs every splice in an io-wq worker, so a splice into a full blocking socket
 * would hold that thread until the peer reads: a transfer makes its socket non-blocking (for good),
 * the socket splice sends what fits, and the rest of the pipe waits for {@code POLL_ADD} (POLLOUT)
 * on the ring, under the operation's deadline, before a drain splice sends it. No worker ever waits
 * for a peer, and the ring's io-wq is capped at 16 workers for unbounded work
 * ({@code IORING_REGISTER_IOWQ_MAX_WORKERS}, 5.15), which a burst of transfers would otherwise
 * grow to a thread each. A gather send's round is {@code IORING_OP_SENDMSG}, a scatter receive's
 * {@code IORING_OP_RECVMSG}, with a {@code msghdr} and iovecs from the round's {@code Scratch} block. A zero-copy send is {@code IORING_OP_SEND_ZC}: its first CQE settles it, its
 * notification CQE releases it; a socket that refuses it (Unix-domain) gets a plain send, and closing
 * a socket whose zero-copy send a stalled peer never acknowledges aborts the connection so that the
 * close does not wait for ever.
 *
 * <h2>Streams</h2>
 * Multishot accept is {@code IORING_OP_ACCEPT} with {@code IORING_ACCEPT_MULTISHOT} (5.19);
 * multishot receive is {@code IORING_OP_RECV} with {@code IORING_RECV_MULTISHOT} +
 * {@code IOSQE_BUFFER_SELECT} from one provided buffer ring ({@code BufferRing},
 * {@code IORING_REGISTER_PBUF_RING}; {@code receiveBufferCount} x {@code receiveBufferSize}, one
 * page-aligned shared-arena allocation each, the tail written by the dispatcher only, freed at
 * close only when no receive is in the kernel). Their CQEs are read by {@code MultishotCqes}: one
 * with {@code IORING_CQE_F_MORE} is an item, and the final CQE's completion-queue room stays
 * reserved: a multishot counts one CQE in the room accounting; its intermediate CQEs are bounded by
 * the buffer ring for receives and drawn from the CQ's spare room (or the kernel's overflow list,
 * flushed and counted) for accepts.
 *
 * <h2>An opcode the probe lacks</h2>
 * The backend needs NOP, POLL_ADD, TIMEOUT, LINK_TIMEOUT and ASYNC_CANCEL, which every kernel it
 * accepts has (5.11 and newer: {@code UringSupport} insists on NODROP and EXT_ARG). Any other opcode
 * may be missing (an older kernel lacks SEND_ZC, a sandbox or {@code IORING_REGISTER_RESTRICTIONS}
 * may deny more), and then that operation alone falls back; the rest keep their opcode.
 * {@code FallbackRoutes} fixes the route of each kind once, at start (the submit path pays one
 * boolean check when nothing falls back), and the capability report says, per kind,
 * {@code io_uring OP_X} or {@code fallback: <how> (OP_X missing from the probe)};
 * {@code supports(kind)} stays true. {@code FallbackOps} performs the fallbacks under the
 * operation's own submission and token, so deadlines, cancels, the exactly-once ledger and the
 * release rules are those of every other operation; each job holds the life-cycle all share, and
 * its family's native arguments and state ({@code FallbackArgs}: a connect's socket, a transfer's
 * chunk, an accept's peer address, the iovecs or msghdr of a vectored call) apart:
 * <ul>
 * <li><b>Sockets</b> (accept, connect, recv, send, vectored receive and send, the socket side of a transfer)
 *   wait for readiness on the ring: {@code IORING_OP_POLL_ADD} under the operation's own
 *   {@code user_data}, the deadline a linked timeout on the poll, a cancel an {@code ASYNC_CANCEL}
 *   of it. Then the dispatcher makes the call, which never blocks: recv/recvmsg/send/sendmsg with
 *   {@code MSG_DONTWAIT} ({@code MSG_NOSIGNAL} too), accept4 on a listener made non-blocking when
 *   accept falls back, a connect on a socket that is non-blocking until connected
 *   ({@code EINPROGRESS}, POLLOUT, {@code SO_ERROR}) and blocking afterwards like every other socket;
 *   EAGAIN polls again. Shutdown is shutdown(2) on the dispatcher, settled by a NOP. Sockets
 *   otherwise stay in blocking mode until a spliced transfer makes them non-blocking for good:
 *   io_uring polls them itself either way, and flipping O_NONBLOCK per call would race with the
 *   opcodes that do exist.
 * <li><b>Files</b> (openat, pread/pwrite, preadv/pwritev, fsync/fdatasync, statx, close, the file
 *   side of a transfer) make the blocking call on the backend's fallback threads, a bounded
 *   {@code internal.blocking.BlockingPool} (the pool the portable backend's file calls use too: 2 to
 *   4 platform threads named {@code <proactor>-uring-fallback-N}, started at the first fallback, a
 *   bounded queue whose overflow is back-pressure, joined at close). The thread hands the job back on a queue and
 *   wakes the dispatcher through the eventfd; the job's memory (a shared arena) stays its own until
 *   the call returned. Reads and writes poll first. A regular file is ready at once and goes to the
 *   pool. A pipe, FIFO, socket or character device (told by a statx at the poll's completion) gets
 *   its read or write on the dispatcher, with O_NONBLOCK on for that call alone; EAGAIN polls again.
 *   So no thread ever waits on it, and a close, a cancel or a deadline always ends it on the ring. A
 *   call already
 *   running cannot be stopped (as on the portable backend): a cancel lets it finish and report
 *   (completed anyway), a deadline counts only while it is queued.
 * <li><b>Transfer</b> without SPLICE reads at most 64 KiB into the job's buffer on the pool, then
 *   sends it like a send (POLLOUT, then send(2) with MSG_DONTWAIT on the dispatcher, so a stalled
 *   peer holds no thread either); the round reports what the socket took. <b>SEND_ZC</b> missing means plain
 *   sends. <b>SENDMSG</b> decides a vectored send's route alone (it is a SEND by kind, but SEND's
 *   opcode says nothing about it): missing, vectored sends poll and call sendmsg(2), whatever plain
 *   sends do; <b>RECVMSG</b> likewise for a vectored receive (poll, then recvmsg(2)). <b>READ</b> missing means the wake-up is a POLL_ADD on the eventfd and a read(2) on the
 *   dispatcher.
 * </ul>
 *
 * <p>Known limits: O_NONBLOCK is set on the open file description, so during that one call a sharer
 * of the description, or an io-wq opcode on the same descriptor, could see EAGAIN; a read-only open
 * of a FIFO with no writer blocks a fallback thread until a writer comes; a Unix-domain connect whose listener's backlog is full polls and
 * retries at once (an unconnected Unix socket is always writable) until room comes or its deadline
 * passes. {@code IORING_REGISTER_RESTRICTIONS} does not show in the probe
 * ({@code UringRestrictionsTest}), but only whoever creates a ring can restrict it, and the backend
 * creates its own.
 *
 * <p>{@code -Ddev.proactor.uring.disableOpcodes=OPENAT,RECV,...} (or {@code ALL}) masks opcodes out
 * of the probe: a diagnostic and test switch that makes this kernel look like an older or restricted
 * one (an opcode without a fallback is refused with a clear error). The tests run every
 * {@code @EachBackend} test and one {@code @EachBackendPair} on a third variant,
 * {@code io_uring-fallback}, with everything maskable masked.
 *
 * <h2>Close</h2>
 * Closing the backend cancels the wake-up read and reaps it, unmaps the ring and closes the eventfd.
 */
package dev.proactor.internal.uring;
