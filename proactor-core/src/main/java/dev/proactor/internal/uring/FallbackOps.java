package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.*;

import dev.proactor.SocketOptions;
import dev.proactor.internal.blocking.BlockingPool;
import dev.proactor.internal.blocking.BlockingTask;
import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Errno;
import dev.proactor.internal.spi.NativeAccounting;
import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import dev.proactor.internal.uring.ffi.IoUringLayouts;
import dev.proactor.internal.uring.ffi.LibC;
import dev.proactor.internal.uring.ffi.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * All methods must be called on the dispatcher thread, except {@link Job#call()}, which runs on a
 * fallback thread: the io_uring backend's operations whose opcode the probe lacks
 * ({@link FallbackRoutes}), performed some other way under the same submission, so that the
 * operation keeps its token, its deadline and its cancel.
 *
 * <ul>
 *   <li><b>Sockets</b> (accept, recv, send, vectored send, connect, and the send side of a transfer) wait for
 *       readiness on the ring itself, with IORING_OP_POLL_ADD under the operation's own
 *       {@code user_data} (a deadline is a linked timeout on the poll, a cancel an ASYNC_CANCEL of
 *       it), then make the non-blocking system call on the dispatcher; EAGAIN arms the poll again.
 *       Sockets stay in blocking mode, as the backend makes them, so recv and send say
 *       {@code MSG_DONTWAIT}; accept4 and connect take no such flag, so a listener is made
 *       non-blocking when accept falls back (every accept on it falls back too), and a connect's
 *       socket is non-blocking until the connection is made, then blocking again like every other.
 *       Pending accepts on one listener are served in initiation order: every one polls (so each
 *       keeps its own deadline and cancel), but only the oldest still waiting calls accept4 when
 *       its poll says ready; a later one whose poll fires first polls again, and the oldest's poll,
 *       armed on the same ready listener, completes at once.</li>
 *   <li><b>Files</b> (open, read, write, vectored, fsync, statx, close, the file side of a transfer)
 *       make the blocking system call on the backend's fallback threads (a bounded {@link BlockingPool},
 *       the one the portable backend's file calls use too), whose thread puts the
 *       job on a queue and wakes the dispatcher (the eventfd the ring watches); the dispatcher
 *       settles it in {@code runOnce}, as it does a CQE. Reads and writes first poll the descriptor
 *       on the ring: a regular file is ready at once and goes to the pool, but a pipe, FIFO or
 *       character device waits there, where a close, a cancel or a deadline can still end it, and
 *       once ready gets its read or write on the dispatcher, with O_NONBLOCK on for that call
 *       (EAGAIN, when another read took the data, polls again): no thread is ever blocked on it,
 *       and no read is left behind to take data meant for a later reader.</li>
 *   <li><b>Shutdown</b> never blocks: shutdown(2) on the dispatcher, its result carried by a NOP.</li>
 * </ul>
 *
 * <p>A call already running on a fallback thread cannot be interrupted, as on the portable backend:
 * a cancel that comes meanwhile lets it end and report its result (completed anyway), a deadline
 * counts only while the call is queued. The outcome is settled once; the submission is released
 * (and its memory freed) only after the call returned. Native memory a job needs (a path, iovecs, a
 * statx buffer, a sockaddr, a transfer's chunk) comes from a shared arena, because a fallback thread
 * uses it, and the job owns it until release.
 */
final class FallbackOps {

    /** The backend, as far as the fallbacks need it. All methods on the dispatcher thread, except {@link #wakeup()}. */
    interface Host {
        /** One more submission held by the backend. */
        void accepted();

        /** The backend holds the submission no more: counted down and reported. */
        void released(Submission s);

        /** Where outcomes go. */
        Completions sink();

        /** A blocking, close-on-exec stream socket with {@code options} applied, or -errno. */
        int openSocket(int family, SocketOptions options);

        /** The local or peer address of {@code fd}, or {@code fallback}. */
        SocketAddress address(int fd, boolean peer, SocketAddress fallback);

        /** Makes the dispatcher's current or next wait return. Any thread. */
        void wakeup();
    }

    /** Where a job is; only the dispatcher reads or writes it. */
    enum Stage {
        /** Not started, or released. */
        IDLE,
        /** A POLL_ADD (and maybe its linked timeout) is on the ring. */
        POLLING,
        /** The blocking call is queued on, or running on, a fallback thread. */
        POOLED,
        /** A NOP carries an outcome already decided on the dispatcher. */
        NOP,
        /** Waiting for SQ/CQ room (to poll again) or pool room, in {@link #deferred}. */
        DEFERRED
    }

    /** A pool result meaning the deadline passed before the call started; no call was made. */
    private static final long TIMED_OUT = Long.MIN_VALUE;
    /** A pool result meaning a cancel took the job back before it started. */
    private static final long CANCELLED = Long.MIN_VALUE + 1;

    /** How many jobs may wait for a fallback thread; beyond that, submissions wait in the core. */
    private static final int POOL_QUEUE = 256;
    /** How long close waits for calls still running before it gives up on their threads. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final System.Logger LOG = System.getLogger("dev.proactor.uring");

    private final SubmissionQueue sq;
    /** SQ slots and CQ entries, shared with the ring's own submissions. */
    private final RingRoom room;
    private final Host host;
    private final FallbackRoutes routes;
    /**
     * The fallback threads, {@code <proactor>-uring-fallback-N}: none starts until a call falls
     * back, so a backend whose kernel has every opcode never starts one.
     */
    private final BlockingPool<Job> pool;
    /** Jobs whose pool call returned; filled by fallback threads, drained by the dispatcher. */
    private final ConcurrentLinkedQueue<Job> done = new ConcurrentLinkedQueue<>();
    /** Jobs a cancel took back from the pool queue, settled at the next turn (never inside cancel). */
    private final ArrayDeque<Job> withdrawn = new ArrayDeque<>();
    /** Jobs waiting for SQ, CQ or pool room; retried at the start of each turn. */
    private final ArrayDeque<Job> deferred = new ArrayDeque<>();
    /** Per listening descriptor, its accept jobs in initiation order, from submit to release. */
    private final Map<Integer, ArrayDeque<Job>> acceptsByListener = new HashMap<>();
    private long nativeBytes;
    /** The dispatcher's statx buffer for {@link #isStream}, allocated at its first use; freed at close. */
    private Arena typeArena;
    private MemorySegment typeScratch;
    private MemorySegment emptyPath;
    private long typeBytes;
    private long streamCalls;
    private long pollsArmed;
    private long poolCalls;

    FallbackOps(SubmissionQueue sq, RingRoom room, Host host, FallbackRoutes routes, String proactorName) {
        this.sq = sq;
        this.room = room;
        this.host = host;
        this.routes = routes;
        this.pool = BlockingPool.bounded(LOG, proactorName + "-uring-fallback-", BlockingPool.defaultThreads(), POOL_QUEUE);
    }

    /** Whether {@code r} falls back; only asked when {@link FallbackRoutes#any()}. */
    boolean handles(Request r) {
        return routes.fallsBack(r);
    }

    // ------------------------------------------------------------------ submission

    /** Starts {@code s}; false (nothing done, nothing held) when the SQ, the CQ or the pool has no room. */
    boolean submit(Submission s) {
        Request r = s.request();
        boolean linked = s.deadlineNanos() != 0;
        // Checked before anything happens, so that a refusal leaves no trace: a socket made or a
        // shutdown done must reach its settling CQE.
        int sqes = pooledFirst(r) ? 0 : linked ? 2 : 1;
        if (sqes > 0 && !room.fits(sqes, sqes)) {
            return false;
        }
        int how = r instanceof Request.Shutdown sh ? KernelArgs.shutdownHow(sh) : 0;
        if (r instanceof Request.Open o && o.path().toString().indexOf('\0') >= 0) {
            throw new IllegalArgumentException("path contains a NUL character");
        }
        Job job = new Job(this, s, linked);
        try {
            prepare(job, how);
        } catch (RuntimeException e) {
            job.free();
            throw e;
        }
        if (job.stage == Stage.IDLE) {
            // Only a pool-first job gets here: the pool is full.
            job.free();
            return false;
        }
        s.backendState = job;
        if (r instanceof Request.Accept a) {
            acceptsByListener.computeIfAbsent(a.fd(), _ -> new ArrayDeque<>()).add(job);
        }
        host.accepted();
        return true;
    }

    private static boolean pooledFirst(Request r) {
        return r instanceof Request.Open || r instanceof Request.OpenAt || r instanceof Request.Fsync || r instanceof Request.Stat
                || r instanceof Request.Close || r instanceof Request.Splice;
    }

    private void prepare(Job job, int how) {
        switch (job.r) {
            case Request.Accept a -> armPoll(job, POLLIN);
            case Request.Recv x -> armPoll(job, POLLIN);
            case Request.RecvV x -> armPoll(job, POLLIN);
            case Request.Read x -> armPoll(job, POLLIN);
            case Request.ReadV x -> armPoll(job, POLLIN);
            case Request.Send x -> armPoll(job, POLLOUT);
            case Request.SendV x -> armPoll(job, POLLOUT);
            case Request.Write x -> armPoll(job, POLLOUT);
            case Request.WriteV x -> armPoll(job, POLLOUT);
            case Request.Shutdown sh -> {
                job.nopResult = Syscalls.shutdown(sh.fd(), how);
                armNop(job);
            }
            case Request.Connect c -> startConnect(job, c);
            case Request.Open x -> offerToPool(job);
            case Request.OpenAt x -> offerToPool(job);
            case Request.Fsync x -> offerToPool(job);
            case Request.Stat x -> offerToPool(job);
            case Request.Close x -> offerToPool(job);
            case Request.Splice x -> offerToPool(job);
            case Request.Nop x -> throw new IllegalStateException("NOP never falls back");
            case Request.Timer x -> throw new IllegalStateException("TIMEOUT never falls back");
            case Request.Listen x -> throw new IllegalStateException("LISTEN never falls back");
            case Request.SocketOpt x -> throw new IllegalStateException("SOCKET_OPTION never falls back");
            // A kind that falls back is never offered as multishot (UringBackend.supportsMultishot).
            case Request.AcceptEach x -> throw new IllegalStateException("multishot never falls back");
            case Request.ReceiveEach x -> throw new IllegalStateException("multishot never falls back");
            case Request.AwaitReadable x -> throw new IllegalStateException("POLL_ADD never falls back");
        }
    }

    /**
     * Makes the socket (non-blocking for now) and starts connecting: a connection made at once or a
     * failure is carried by a NOP, one in progress waits for POLLOUT. A Unix-domain socket whose
     * listener's backlog is full answers EAGAIN: it polls and tries again.
     */
    private void startConnect(Job job, Request.Connect c) {
        FallbackArgs.Connect a = (FallbackArgs.Connect) job.args;
        int len = SocketAddresses.encode(c.address(), a.addr);
        int fd = host.openSocket(SocketAddresses.family(c.address()), c.options());
        if (fd < 0) {
            job.nopResult = fd;
            armNop(job);
            return;
        }
        a.socketFd = fd;
        a.addrLength = len;
        int r = Syscalls.nonBlocking(fd, true);
        if (r == 0) {
            r = LibC.connect(fd, a.addr, len);
        }
        if (r == -Syscalls.EINPROGRESS || r == -EAGAIN) {
            a.again = r == -EAGAIN;
            armPoll(job, POLLOUT);
        } else {
            job.nopResult = r;
            armNop(job);
        }
    }

    private void armNop(Job job) {
        sq.prepNop(UserData.encode(job.s.token(), UserData.OP));
        room.promise(1);
        job.cqesLeft = 1;
        job.stage = Stage.NOP;
    }

    /** Polls the job's descriptor for {@code mask}, with its deadline as a linked timeout. Room was checked. */
    private void armPoll(Job job, int mask) {
        long token = job.s.token();
        long sqe = sq.prepPollAdd(pollFd(job), mask, UserData.encode(token, UserData.OP));
        int cqes = 1;
        if (job.timespec != null) {
            sq.setFlags(sqe, IOSQE_IO_LINK);
            sq.prepLinkTimeout(job.timespec, IORING_TIMEOUT_ABS, UserData.encode(token, UserData.LINK_TIMEOUT));
            cqes = 2;
        }
        room.promise(cqes);
        job.cqesLeft = cqes;
        job.linkResult = 0;
        job.pollMask = mask;
        job.stage = Stage.POLLING;
        pollsArmed++;
    }

    private static int pollFd(Job job) {
        return switch (job.r) {
            case Request.Accept a -> a.fd();
            case Request.Recv rv -> rv.fd();
            case Request.RecvV v -> v.fd();
            case Request.Send sd -> sd.fd();
            case Request.SendV v -> v.fd();
            case Request.Read rd -> rd.fd();
            case Request.ReadV v -> v.fd();
            case Request.Write w -> w.fd();
            case Request.WriteV v -> v.fd();
            case Request.Splice sp -> sp.socketFd();
            case Request.Connect c -> ((FallbackArgs.Connect) job.args).socketFd;
            case Request.Nop _, Request.Timer _, Request.Open _, Request.OpenAt _, Request.Fsync _, Request.Stat _,
                    Request.Listen _, Request.AcceptEach _, Request.ReceiveEach _, Request.AwaitReadable _,
                    Request.Shutdown _, Request.Close _, Request.SocketOpt _ ->
                            throw new IllegalStateException(job.r + " does not poll");
        };
    }

    private void offerToPool(Job job) {
        // Refused, the task stays queued-not-started and is offered again later.
        if (pool.offer(job.task)) {
            job.stage = Stage.POOLED;
        }
    }

    /** Polls again, now or (without room) at the next turn; a cancel asked for meanwhile ends the job instead. */
    private void pollAgain(Job job, int mask) {
        if (job.s.cancelRequested()) {
            finishMarked(job, CANCELLED);
            return;
        }
        int n = job.timespec != null ? 2 : 1;
        if (room.fits(n, n)) {
            armPoll(job, mask);
        } else {
            job.pollMask = mask;
            job.next = Stage.POLLING;
            job.stage = Stage.DEFERRED;
            deferred.add(job);
        }
    }

    /** Hands the job to the pool, now or (when its queue is full) at the next turn. */
    private void toPool(Job job) {
        offerToPool(job);
        if (job.stage != Stage.POOLED) {
            job.next = Stage.POOLED;
            job.stage = Stage.DEFERRED;
            deferred.add(job);
        }
    }

    // ------------------------------------------------------------------ cancel

    /** Asks for {@code job} to end; false when an ASYNC_CANCEL has no room now (the core asks again). */
    boolean cancel(Submission s, Job job) {
        switch (job.stage) {
            case POLLING -> {
                if (!room.take(1, 1)) {
                    return false;
                }
                sq.prepCancel(UserData.encode(s.token(), UserData.OP), 0, UserData.encode(s.token(), UserData.CANCEL));
            }
            case POOLED -> {
                if (pool.withdraw(job.task)) {
                    withdrawn.add(job);
                }
                // A call already running ends by itself and reports what it did.
            }
            default -> {
                // A NOP completes by itself; a deferred job sees the request before it goes on.
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ completions

    /** A CQE of {@code job}'s poll, its linked timeout, or its NOP. */
    void onCqe(Job job, int tag, int res) {
        if (tag == UserData.LINK_TIMEOUT) {
            job.linkResult = res;
        } else {
            job.cqeResult = res;
        }
        if (--job.cqesLeft > 0) {
            return;
        }
        if (job.stage == Stage.NOP) {
            finish(job, job.nopResult);
        } else if (job.cqeResult < 0) {
            finish(job, job.cqeResult);
        } else if (job.s.cancelRequested()) {
            // Ready, but nothing was done yet: the cancel wins.
            finishMarked(job, CANCELLED);
        } else {
            ready(job);
        }
    }

    /** The descriptor is ready (or the transfer's chunk was read): make the call, or move on. */
    private void ready(Job job) {
        switch (job.r) {
            case Request.Accept a -> {
                if (acceptsByListener.get(a.fd()).peek() != job) {
                    // The connection is the oldest accept's: its poll fires on it too.
                    pollAgain(job, POLLIN);
                    return;
                }
                FallbackArgs.Peer peer = (FallbackArgs.Peer) job.args;
                peer.addrLen().set(IoUringLayouts.SOCKLEN_T, 0, (int) IoUringLayouts.SOCKADDR_STORAGE_SIZE);
                orPollAgain(job, Syscalls.accept4(a.fd(), peer.addr(), peer.addrLen(), SOCK_CLOEXEC), POLLIN);
            }
            case Request.Recv rv -> orPollAgain(job, Syscalls.recv(rv.fd(), capped(rv.buffer()), Syscalls.MSG_DONTWAIT), POLLIN);
            case Request.Send sd -> orPollAgain(job,
                    Syscalls.send(sd.fd(), capped(sd.buffer()), Syscalls.MSG_DONTWAIT | MSG_NOSIGNAL), POLLOUT);
            case Request.SendV v -> orPollAgain(job,
                    Syscalls.sendmsg(v.fd(), ((FallbackArgs.Header) job.args).msghdr(), Syscalls.MSG_DONTWAIT | MSG_NOSIGNAL), POLLOUT);
            case Request.RecvV v -> orPollAgain(job,
                    Syscalls.recvmsg(v.fd(), ((FallbackArgs.Header) job.args).msghdr(), Syscalls.MSG_DONTWAIT), POLLIN);
            case Request.Splice sp -> orPollAgain(job,
                    Syscalls.send(sp.socketFd(), chunkRead(job), Syscalls.MSG_DONTWAIT | MSG_NOSIGNAL),
                    POLLOUT);
            case Request.Connect c -> {
                FallbackArgs.Connect ca = (FallbackArgs.Connect) job.args;
                if (ca.again) {
                    int r = LibC.connect(ca.socketFd, ca.addr, ca.addrLength);
                    ca.again = r == -EAGAIN;
                    if (r == -Syscalls.EINPROGRESS || r == -EAGAIN) {
                        pollAgain(job, POLLOUT);
                    } else {
                        finish(job, r);
                    }
                } else {
                    int err = Syscalls.getIntOption(ca.socketFd, SOL_SOCKET, Syscalls.SO_ERROR, ca.scratch);
                    finish(job, err < 0 ? err : -err);
                }
            }
            case Request.Read rd -> streamOrPool(job, rd.fd());
            case Request.ReadV v -> streamOrPool(job, v.fd());
            case Request.Write w -> streamOrPool(job, w.fd());
            case Request.WriteV v -> streamOrPool(job, v.fd());
            case Request.Nop _, Request.Timer _, Request.Open _, Request.OpenAt _, Request.Fsync _, Request.Stat _,
                    Request.Listen _, Request.AcceptEach _, Request.ReceiveEach _, Request.AwaitReadable _,
                    Request.Shutdown _, Request.Close _, Request.SocketOpt _ ->
                            throw new IllegalStateException(job.r + " has no readiness step");
        }
    }

    /**
     * A ready file: a regular file (or block device, directory, or one statx cannot tell) goes to
     * the pool, where its call may wait for the disk; a pipe, FIFO, socket or character device
     * gets its call here, made non-blocking, so that a read that finds the data gone (another read
     * took it) polls again rather than blocking a thread that neither a close nor a cancel could
     * stop, and that would take data meant for a later reader.
     */
    private void streamOrPool(Job job, int fd) {
        if (!isStream(fd)) {
            toPool(job);
            return;
        }
        int flags = Syscalls.statusFlags(fd);
        if (flags < 0) {
            finish(job, flags);
            return;
        }
        // O_NONBLOCK lives on the open file description, so it is on for this call alone: the
        // opcodes that do exist, and whoever shares the description, see the descriptor as it was.
        boolean toggle = (flags & O_NONBLOCK) == 0;
        if (toggle) {
            int r = Syscalls.setStatusFlags(fd, flags | O_NONBLOCK);
            if (r < 0) {
                finish(job, r);
                return;
            }
        }
        long res;
        try {
            res = job.streamCall();
        } finally {
            if (toggle) {
                Syscalls.setStatusFlags(fd, flags);
            }
        }
        streamCalls++;
        orPollAgain(job, res, job.pollMask);
    }

    /** Whether {@code fd} is a pipe, FIFO, socket or character device, whose reads wait for a writer. */
    private boolean isStream(int fd) {
        if (typeScratch == null) {
            typeArena = Arena.ofShared();
            typeScratch = typeArena.allocate(IoUringLayouts.STATX);
            emptyPath = typeArena.allocate(1);
            typeBytes = IoUringLayouts.STATX.byteSize() + 1;
            nativeBytes += typeBytes;
            NativeAccounting.allocated(typeBytes);
        }
        if (Syscalls.statx(fd, emptyPath, AT_EMPTY_PATH, STATX_TYPE, typeScratch) < 0) {
            // The call itself reports what is wrong with the descriptor.
            return false;
        }
        int type = Short.toUnsignedInt(typeScratch.get(java.lang.foreign.ValueLayout.JAVA_SHORT,
                IoUringLayouts.STATX_MODE_OFFSET)) & S_IFMT;
        return type == S_IFIFO || type == S_IFCHR || type == S_IFSOCK;
    }

    private void orPollAgain(Job job, long result, int mask) {
        if (result == -EAGAIN || result == -EINTR) {
            pollAgain(job, mask);
        } else {
            finish(job, result);
        }
    }

    /**
     * Before the turn's SQEs go to the kernel: jobs that waited for room try again, in order; a job
     * whose operation was cancelled meanwhile ends here.
     */
    void beforeEnter() {
        int n = deferred.size();
        for (int i = 0; i < n; i++) {
            Job job = deferred.poll();
            if (job.s.cancelRequested()) {
                finishMarked(job, CANCELLED);
            } else if (job.next == Stage.POLLING) {
                pollAgain(job, job.pollMask);
            } else {
                toPool(job);
            }
        }
    }

    /** Whether outcomes wait to be settled, so the turn must not block. */
    boolean hasCompletions() {
        return !done.isEmpty() || !withdrawn.isEmpty();
    }

    /** Settles the jobs whose pool call returned or that a cancel withdrew; returns how many. */
    int drainCompletions() {
        int n = 0;
        Job job;
        while ((job = withdrawn.poll()) != null) {
            n++;
            finishMarked(job, CANCELLED);
        }
        while ((job = done.poll()) != null) {
            n++;
            afterPool(job);
        }
        return n;
    }

    private void afterPool(Job job) {
        long res = job.poolResult;
        poolCalls++;
        if (res == TIMED_OUT) {
            finishMarked(job, TIMED_OUT);
        } else if (job.r instanceof Request.Splice && res > 0) {
            // The chunk is read; the socket side is a send like any other.
            if (job.s.cancelRequested()) {
                finishMarked(job, CANCELLED);
            } else if (job.deadline != 0 && System.nanoTime() - job.deadline >= 0) {
                finishMarked(job, TIMED_OUT);
            } else {
                ((FallbackArgs.Chunk) job.args).length = (int) res;
                ready(job);
            }
        } else {
            finish(job, res);
        }
    }

    // ------------------------------------------------------------------ outcomes

    /** Settles with {@code res} (a result, or -errno) and releases. */
    private void finish(Job job, long res) {
        Submission s = job.s;
        Completions sink = host.sink();
        if (res >= 0) {
            switch (job.r) {
                case Request.Accept a -> sink.complete(s, res, new Request.Endpoints(host.address((int) res, false, null),
                        peerAddress((FallbackArgs.Peer) job.args)));
                case Request.Connect c -> connected(job, c);
                case Request.Stat x -> sink.complete(s, res, KernelArgs.decodeStat(((FallbackArgs.Stat) job.args).statx()));
                case Request.Nop _, Request.Timer _, Request.Open _, Request.OpenAt _, Request.Read _, Request.Write _,
                        Request.ReadV _, Request.WriteV _, Request.Fsync _, Request.Listen _, Request.Recv _,
                        Request.AcceptEach _, Request.ReceiveEach _, Request.AwaitReadable _, Request.Send _,
                        Request.SendV _, Request.RecvV _, Request.Splice _, Request.Shutdown _,
                        Request.Close _, Request.SocketOpt _ ->
                        sink.complete(s, res, null);
            }
        } else {
            closeSocket(job);
            if (res == -ECANCELED && job.linkResult == -ETIME) {
                sink.timedOut(s);
            } else if (res == -ECANCELED && s.cancelRequested()) {
                sink.cancelled(s);
            } else {
                sink.fail(s, (int) -res);
            }
        }
        release(job);
    }

    /** A connect that succeeded: the socket goes back to blocking mode, like every other, and to the core. */
    private void connected(Job job, Request.Connect c) {
        FallbackArgs.Connect a = (FallbackArgs.Connect) job.args;
        int fd = a.socketFd;
        int r = Syscalls.nonBlocking(fd, false);
        if (r < 0) {
            closeSocket(job);
            host.sink().fail(job.s, -r);
            return;
        }
        a.socketFd = -1;
        host.sink().complete(job.s, fd, new Request.Endpoints(host.address(fd, false, null),
                host.address(fd, true, c.address())));
    }

    /** Ends a job with {@link #TIMED_OUT} or {@link #CANCELLED}, and releases it. */
    private void finishMarked(Job job, long mark) {
        closeSocket(job);
        if (mark == TIMED_OUT) {
            host.sink().timedOut(job.s);
        } else {
            host.sink().cancelled(job.s);
        }
        release(job);
    }

    private static void closeSocket(Job job) {
        if (job.args instanceof FallbackArgs.Connect a && a.socketFd >= 0) {
            // The socket a connect made: nobody else will close it.
            LibC.close(a.socketFd);
            a.socketFd = -1;
        }
    }

    private static SocketAddress peerAddress(FallbackArgs.Peer peer) {
        return SocketAddresses.decode(peer.addr(), peer.addrLen().get(IoUringLayouts.SOCKLEN_T, 0));
    }

    /** The part of a transfer's chunk the pool read. */
    private static MemorySegment chunkRead(Job job) {
        FallbackArgs.Chunk c = (FallbackArgs.Chunk) job.args;
        return c.chunk.asSlice(0, c.length);
    }

    private void release(Job job) {
        if (job.r instanceof Request.Accept a) {
            ArrayDeque<Job> waiting = acceptsByListener.get(a.fd());
            waiting.remove(job);
            if (waiting.isEmpty()) {
                acceptsByListener.remove(a.fd());
            }
        }
        job.stage = Stage.IDLE;
        job.s.backendState = null;
        job.free();
        host.released(job.s);
    }

    private static MemorySegment capped(MemorySegment buffer) {
        return buffer.asSlice(0, KernelArgs.len(buffer));
    }

    // ------------------------------------------------------------------ accounting and close

    /** Native bytes the jobs hold now. */
    long nativeBytes() {
        return nativeBytes;
    }

    /** POLL_ADD SQEs prepared for fallbacks so far. */
    long pollsArmed() {
        return pollsArmed;
    }

    /** Fallback-thread calls whose result was settled so far. */
    long poolCalls() {
        return poolCalls;
    }

    /** Fallback threads started so far. */
    int threadsStarted() {
        return pool.threadsStarted();
    }

    /** Non-blocking reads and writes of pipes, FIFOs and character devices made on the dispatcher so far. */
    long streamCalls() {
        return streamCalls;
    }

    /** Stops the fallback threads, waiting (bounded) for calls still running, and frees the statx buffer. */
    void close() {
        pool.close(CLOSE_WAIT);
        if (typeArena != null) {
            typeArena.close();
            typeArena = null;
            typeScratch = null;
            nativeBytes -= typeBytes;
            NativeAccounting.freed(typeBytes);
        }
    }

    // ------------------------------------------------------------------ the job

    /**
     * One fallback submission, held in {@link Submission#backendState} until released. Fields are
     * the dispatcher's, except that a fallback thread reads the request and the memory and writes
     * {@link #poolResult} before it puts the job on the done queue (which orders that write before
     * the dispatcher's read).
     */
    static final class Job {
        final FallbackOps ops;
        final Submission s;
        final Request r;
        final long deadline;
        /** Shared, because a fallback thread reads and writes it; null when the job needs no memory. */
        final Arena arena;
        final long bytes;
        /** The absolute deadline for linked timeouts; null without one. */
        final MemorySegment timespec;
        /** The family's own arguments and state. */
        final FallbackArgs args;

        Stage stage = Stage.IDLE;
        /** What a deferred job does once there is room: {@link Stage#POLLING} or {@link Stage#POOLED}. */
        Stage next;
        int pollMask;
        int cqesLeft;
        int cqeResult;
        int linkResult;
        /** What a NOP-settled job (shutdown, an immediate connect outcome) reports. */
        int nopResult;
        /** The blocking call on the pool, for the kinds that make one; its state is the race with a cancel. */
        final BlockingTask<Job> task = new BlockingTask<>(this, Job::call);
        long poolResult;

        Job(FallbackOps ops, Submission s, boolean linked) {
            this.ops = ops;
            this.s = s;
            this.r = s.request();
            this.deadline = s.deadlineNanos();
            long need = (linked ? IoUringLayouts.KERNEL_TIMESPEC.byteSize() : 0) + FallbackArgs.bytesFor(r);
            this.bytes = need;
            this.arena = need > 0 ? Arena.ofShared() : null;
            if (arena == null) {
                this.timespec = null;
                this.args = FallbackArgs.NONE;
                return;
            }
            ops.nativeBytes += need;
            NativeAccounting.allocated(need);
            this.timespec = linked ? KernelArgs.timespec(arena, deadline) : null;
            this.args = FallbackArgs.of(r, arena);
        }

        /** Frees the job's memory; the kernel and the pool are done with it. */
        void free() {
            if (arena != null && arena.scope().isAlive()) {
                arena.close();
                ops.nativeBytes -= bytes;
                NativeAccounting.freed(bytes);
            }
        }

        /** On a fallback thread (its task not withdrawn): the blocking call, unless past its deadline; then the hand-back. */
        void call() {
            VirtualMachineError fatal = null;
            long res;
            try {
                res = deadline != 0 && System.nanoTime() - deadline >= 0 ? TIMED_OUT : perform();
            } catch (VirtualMachineError e) {
                fatal = e;
                res = -Errno.EIO;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "fallback call for " + r + " failed", e);
                res = -Errno.EIO;
            }
            poolResult = res;
            // Delivered whatever happened: the operation must not stay pending for ever.
            ops.done.add(this);
            ops.host.wakeup();
            if (fatal != null) {
                throw fatal;
            }
        }

        /**
         * On the dispatcher, for a pipe, FIFO or character device made non-blocking for the call: the
         * read or write at its current position (they have no other); bytes moved, or -errno
         * (EAGAIN when the data or the room went to someone else since the poll).
         */
        long streamCall() {
            // Only the four kinds that reach streamOrPool come here.
            if (r instanceof Request.Read rd) {
                MemorySegment b = capped(rd.buffer());
                return LibC.read(rd.fd(), b, b.byteSize());
            } else if (r instanceof Request.Write w) {
                MemorySegment b = capped(w.buffer());
                return LibC.write(w.fd(), b, b.byteSize());
            } else if (r instanceof Request.ReadV v) {
                return Syscalls.readv(v.fd(), iov(), v.buffers().length, -1);
            } else if (r instanceof Request.WriteV v) {
                return Syscalls.writev(v.fd(), iov(), v.buffers().length, -1);
            }
            throw new IllegalStateException(r + " is not a stream call");
        }

        private MemorySegment iov() {
            return ((FallbackArgs.Iovecs) args).iov();
        }

        /**
         * The system call io_uring would have made. Positional calls on a pipe or FIFO answer
         * ESPIPE; those descriptors are then read and written at their current position, as
         * io_uring does for streams.
         */
        private long perform() {
            return switch (r) {
                case Request.Open o -> Syscalls.openat(AT_FDCWD, ((FallbackArgs.Path) args).path(), KernelArgs.openFlags(o.options()), o.mode());
                case Request.OpenAt o -> {
                    FallbackArgs.OpenHow a = (FallbackArgs.OpenHow) args;
                    yield LibC.openat2(o.dirFd(), a.path(), a.how());
                }
                case Request.Read rd -> {
                    MemorySegment b = capped(rd.buffer());
                    long n = Syscalls.pread(rd.fd(), b, rd.position());
                    yield n == -Syscalls.ESPIPE ? LibC.read(rd.fd(), b, b.byteSize()) : n;
                }
                case Request.Write w -> {
                    MemorySegment b = capped(w.buffer());
                    long n = Syscalls.pwrite(w.fd(), b, w.position());
                    yield n == -Syscalls.ESPIPE ? LibC.write(w.fd(), b, b.byteSize()) : n;
                }
                case Request.ReadV v -> {
                    long n = Syscalls.readv(v.fd(), iov(), v.buffers().length, v.position());
                    yield n == -Syscalls.ESPIPE ? Syscalls.readv(v.fd(), iov(), v.buffers().length, -1) : n;
                }
                case Request.WriteV v -> {
                    long n = Syscalls.writev(v.fd(), iov(), v.buffers().length, v.position());
                    yield n == -Syscalls.ESPIPE ? Syscalls.writev(v.fd(), iov(), v.buffers().length, -1) : n;
                }
                case Request.Fsync f -> Syscalls.fsync(f.fd(), f.dataOnly());
                case Request.Stat st -> {
                    FallbackArgs.Stat a = (FallbackArgs.Stat) args;
                    yield Syscalls.statx(st.fd(), a.emptyPath(), AT_EMPTY_PATH, STATX_BASIC_STATS, a.statx());
                }
                case Request.Close c -> LibC.close(c.fd());
                case Request.Splice sp -> Syscalls.pread(sp.fileFd(), ((FallbackArgs.Chunk) args).chunk, sp.position());
                case Request.Nop _, Request.Timer _, Request.Listen _, Request.Accept _, Request.Connect _,
                        Request.Recv _, Request.AcceptEach _, Request.ReceiveEach _, Request.AwaitReadable _,
                        Request.Send _, Request.SendV _, Request.RecvV _, Request.Shutdown _, Request.SocketOpt _ ->
                        throw new IllegalStateException(r + " is not a file call");
            };
        }
    }
}
