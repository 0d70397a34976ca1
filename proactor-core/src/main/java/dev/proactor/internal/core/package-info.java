/**
 * The dispatcher core: implements the API over the backend SPI and names no backend (it gets a
 * {@code BackendFactory}, which it calls on the dispatcher thread with the proactor's configuration
 * as argument). One dispatcher thread per proactor owns the backend, the operation table, the
 * ready, backlog and retry queues and each file's pending set; {@code docs/ARCHITECTURE.md} draws
 * the life of an operation through it. On that thread, one class per concern: {@code Dispatcher}
 * (the loop and its queues), {@code Settlement} (the backend's reports), {@code ResourceOrder}
 * (pending sets, lane order, a close's wait and linger), {@code StreamParking} (streams between
 * rounds) and {@code Termination} (the proactor's close); {@code Admission} (in-flight limits and
 * write budgets) runs on the initiating threads.
 *
 * <p>A proactor serves only the handles it made: there is no provider SPI, so a file, pool lease or
 * received chunk of another proactor, or a caller's own implementation of {@code AsyncFile} or
 * {@code BufferLease}, is refused with {@code IllegalArgumentException} when the operation is
 * initiated, before anything reaches the kernel ({@code SocketHandle.transferFrom},
 * {@code BufferPoolImpl.lendToOperation}, {@code ChunkLease.lendToOperation};
 * {@code ForeignHandleContractTest}). The detail of each part:
 *
 * <h2>Threads and wake-ups</h2>
 * Any thread initiates: admission, then a post to the dispatcher's {@code Inbox} (an intrusive
 * multi-producer queue with a stub; operations link through their own field, so posting allocates
 * nothing, and a taken operation may be posted again at once) plus a wake-up (io_uring: an eventfd write that completes a read the ring itself keeps armed;
 * portable: {@code Selector.wakeup}). The dispatcher sleeps only after announcing it
 * ({@code sleeping = true}) and re-checking the inbox; a poster wakes it only if it announced, so a
 * steady stream of initiations costs no wake-up system calls. The dispatcher's own initiations
 * (an inline handler's, a reusable operation's restart at the end of its inline delivery) skip the
 * inbox's atomic swap while the inbox is empty: they go to a queue of its own, drained before the
 * inbox, so every post keeps its place in the one order of posts ({@code Dispatcher.ownPosts}).
 *
 * <p>Before it announces a sleep the dispatcher spins, when the process may use more than one CPU
 * and {@code ProactorConfig.dispatcherSpin} is not zero (default 50 µs): it hands the turn's batch
 * to the backend without waiting, then polls the inbox and {@code Backend.completionsPending()}
 * (io_uring: the CQ tail and {@code IORING_SQ_TASKRUN}, raised by a ring set up with
 * {@code TASKRUN_FLAG} while deferred completions wait, so no system call; portable: the file
 * threads' results and a {@code selectNow()}) until one has work or the bound passes. It is awake
 * throughout ({@code sleeping} stays false), so a post from another thread in that window (a
 * worker's handler writing its reply, a thread awaiting one read after another) costs no wake-up;
 * {@code Dispatcher.sleeping} has the lost-wake-up argument. A spin that ended on completions the
 * next run did not find is not repeated before the sleep, so a stale report cannot keep the
 * dispatcher from waiting.
 *
 * <p>The same rule runs the other way for the proactor's own workers ({@code WorkerPool}, used
 * unless the caller gives an {@code Executor}; its class comment has the lost-wake-up proof): a
 * worker that is awake and not running a handler is <em>searching</em>, and a hand-off wakes a
 * parked worker only when none is searching. The dispatcher queues a whole loop turn's completions
 * first and wakes at most one worker at the end of the turn ({@code flushHandOffs}); the woken
 * worker wakes the next if more wait. A caller's executor gets the same batches when it is a
 * {@code BatchingExecutor} (the API's face of {@code enqueue} and {@code flush}; proactor-nio2's
 * group pools are). With a {@code ThreadPoolExecutor} every completion cost a
 * futex wake and a park, and on one CPU the woken worker preempted the dispatcher once per
 * completion (echo, 64 B x32, server pinned: 106k futex calls for about 150k messages before, 41k
 * after). Idle workers poll the queue briefly before parking when the process may use more than one
 * CPU, never on one. Its queue is a {@code HandOffQueue}, a bounded ring that allocates nothing per
 * task while it has room (4096 cells), with a linked queue behind it for the rest. Each finished
 * operation is a {@code Runnable} handed to the executor; the hand-off orders the dispatcher's
 * writes before the handlers' reads. Which thread runs a handler
 * (the workers, the caller's executor, the dispatcher with inline handlers, a virtual thread of its
 * own when the executor refuses), what its throw does (the {@code HandlerFailurePolicy}) and the
 * count of deliveries close waits for all live in {@code Handlers}.
 *
 * <p>The dispatcher never sleeps without a bound while it holds work it has not handed over. It
 * caps its wait at 5 ms ({@code HELD_TICK_NANOS}) while it holds refused submissions, refused
 * cancels or a backlog, and at the earliest deadline among queued operations; each queue keeps a
 * lower bound on its earliest deadline and is swept once it passes (expired operations taken out
 * first, finished afterwards, since finishing one can queue another). Only operations the backend
 * refused stay queued, so this is what times them out. A submission queue smaller than 4 entries is
 * refused by {@code ProactorConfig}: an operation with a deadline takes 2, a transfer 3.
 *
 * <p>Handlers must not block the proactor's own threads: {@code close()} on the dispatcher (an
 * inline handler) or on one of the proactor's workers throws {@code IllegalStateException}
 * ({@code closeAsync(deadline)} closes on a {@code <name>-closer} thread instead), and
 * {@code await()} on the dispatcher throws, even when the result is known, so the mistake shows
 * every time. A worker may await, but not the only one ({@code workerThreads(1)}): the outcome is
 * delivered on that very worker, so {@code await()} there throws too, also every time
 * ({@code Handlers.isSoleWorker}). A caller's own {@code Executor} cannot be told from the caller's
 * other threads, so {@code close()} there is not refused.
 *
 * <p>A file's, socket's or listener's blocking {@code close()} ({@code CoreProactor.closeAndWait})
 * is not refused on those threads but does not wait there: it initiates the same {@code CloseOp}
 * as {@code closeAsync()} and returns, because the close is delivered on the dispatcher or a
 * worker and the only worker may be the caller. Elsewhere it awaits the close and rethrows its
 * failure; an interrupt ends the wait and sets the flag again, never the close.
 *
 * <h2>Outcomes</h2>
 * An operation's life is two states, each one enum on {@code OperationImpl}: where the dispatcher
 * holds it ({@code Place}: NOWHERE, READY, BACKLOG, RETRY, CLOSE_WAIT, LANE_WAIT, PARKED,
 * IN_KERNEL, FINISHED; every place is entered from NOWHERE alone, so it is never in two, and an
 * illegal move throws) and what its current round decided ({@code Verdict}: OPEN, AGAIN, SETTLED).
 * One gate, {@code OperationImpl.admits}, says which backend report still counts: a round's first
 * result wins (complete, fail or cancelled), a timeout counts until the outcome is settled (it
 * overrides a wanted retry), a release counts once per round; the dispatcher counts every refused
 * report as a duplicate ({@code SettleGateTest} plays each order through a scripted backend).
 * Flags that are facts across places rather than places (a cancel requested, permits or a write
 * budget held, memory abandoned to the kernel) stay booleans. A partial transfer, or a transient errno under the {@code RetryPolicy}, starts another
 * round after the release (READY or RETRY). The release comes with the round's last completion (the
 * operation's own and its link timeout's); then the round's arena and the table slot are freed, and
 * {@code finish} gives back permits and the lease, records metrics and JFR, and hands the operation
 * to the executor, whose {@code run()} copies a bounce buffer back, publishes the state and runs the
 * handlers, the future and cancel results.
 *
 * <p>The outcome's {@code CompletionStage} is an {@code OutcomeStage}, which only the operation's
 * delivery completes: after {@code beforeDelivery}, after the state is published and the handlers
 * ran, and so only after the backend's last release. Its mutators throw, its {@code cancel} returns
 * false, and {@code toCompletableFuture()} hands out independent copies, so no caller can make the
 * outcome look finished while the kernel still holds the buffers.
 *
 * <h2>Metrics</h2>
 * {@code Metrics} costs no allocation and, on the dispatcher, no atomic instruction. The dispatcher
 * writes its own counters (every operation it finishes, per kind and outcome; the initiations of
 * inline handlers; retries, duplicates, strays, overflows, re-arms) and its latency histograms
 * ({@code LatencyHistogram.singleWriter}) into plain arrays that only it writes: a plain load and a
 * release store each. Other threads add to a shared atomic copy of the same cells: a caller's
 * initiation is one atomic add, the one metrics cost per operation; an operation ended at
 * initiation (a refusal, an empty transfer) is another, with a shared histogram made on first
 * need; handler failures, from workers, go to a {@code LongAdder}. A snapshot (any thread) loads
 * with acquire, ends before initiations, and reports in flight as initiated minus ended per kind,
 * so that an end it sees brings its initiation with it and in flight is never negative. The first
 * design, seven {@code LongAdder} and histogram CASes per operation, took about 12% of a pipelined
 * nop's samples.
 *
 * <h2>Reusable operations</h2>
 * {@code Proactor.reusableNop(handler)} makes a {@code ReusableOperation}: one operation object
 * initiated again for every run by {@code restart()}, its handler run in every run, so a loop of
 * nops allocates nothing per operation ({@code ReusableOperationContractTest} counts the
 * dispatcher's allocated bytes). A run may start only once the previous one was delivered (its
 * handlers returned, its stage and waiters completed: {@code OperationImpl.run} ends), which is after
 * the dispatcher finished it: its round released by the kernel, its table slot freed, its permits
 * back, out of every queue; a finished operation also leaves the queue of cancels waiting for room.
 * A restart asked for while the run is delivered (from its own handler or another thread) is
 * deferred to the end of that delivery: {@code OperationImpl}'s delivery is one int word changed by
 * get-and-add and compare-and-set (phase PENDING, PUBLISHED, HANDLED, RESETTING; flags REGISTERED
 * and RERUN; a run count). Both kinds of ask set RERUN with one CAS, so a second ask for one run is
 * refused wherever it comes from. A delivery with nothing registered takes no monitor: publish and
 * end are one atomic instruction each, and the end goes straight to RESETTING when RERUN is set;
 * the thread that moved the word there resets every per-run field (a new id, start and deadline)
 * and publishes PENDING with a release store before the inbox post. Registrations (handlers added,
 * stages, a parked {@code await()}, cancel answers) take the monitor and flag the word before they
 * write, and whoever replaces a flagged word takes the monitor once after; readers of a delivered
 * run's outcome pin it the same way, so no reset clears what they copy. A reusable operation's
 * {@code await()} waits on a stage completed before the reset. The public state is a release
 * store; the end of a delivery, which a parked {@code await()} reads after its unpark, is the CAS.
 *
 * <p>A socket's {@code reusableRead(dst, handler)} and {@code reusableWriteAll(src, handler)} are
 * the read and write of the same kind ({@code BufferOp.ReusableOnce}, {@code ReusableFully}): the
 * operation keeps its {@code CallerBuffer}, and each run's reset renews it from the buffer's
 * remaining bytes as they are then ({@code OperationImpl.renewArguments}, at the end of the
 * reset, before the inbox post): a direct buffer through {@code Resource.view} (the same segment,
 * and {@code Resource.streamRequest} the same request, while its position and limit are the same),
 * a heap buffer through new bounce memory, freed as every run's is before its handlers. The
 * buffer is the operation's from a run's start to its delivery and the caller's between runs; the
 * rest (lanes, the write budget, cancellation, a close that drains queued writes) is any
 * operation's, run by run. An echo of 64 B round trips over such operations allocates nothing per
 * round trip on the dispatcher or a worker ({@code ReusableOperationContractTest}); with
 * {@code read} and {@code writeAll} each read and write is a new operation. A gather send of whole
 * native segments has a reusable form too, {@code reusableWriteAll(MemorySegment[], handler)}
 * ({@code GatherSendOp}): the caller's array is copied into the operation's own as each run begins,
 * and a run's first round sends the one {@code SendV} made over that array (a round after a short
 * send builds what is left); a server sends shared, prepared heads and bodies with it, with no
 * buffer view per response. A restart from another thread while a run is being delivered (a
 * handler on another worker, of an operation the delivered handler initiated) is taken as the
 * delivered handler's own: the next run begins as the delivery ends. Leases have no reusable
 * form yet.
 *
 * <h2>Memory ownership</h2>
 * A round's scratch memory (timespecs, iovecs, msghdrs, paths, statx buffer) lives in an arena held
 * until the round's last completion; buffers are lent to the operation until it finishes.
 *
 * <p>A direct buffer is handed to the kernel in place, through {@code Resource.view}: the segment
 * {@code MemorySegment.ofBuffer} made for the same buffer object, position and limit the last time
 * on that resource and direction, kept (a segment and often a session object per read or write
 * otherwise); and a socket's one-buffer first round from such a view reuses the {@code Request}
 * built over it last time, kept in the view ({@code Resource.streamRequest}; a caller's own segment
 * or a lent chunk is new every time, and its request is not kept). Both are immutable views of the
 * caller's memory, which stays the caller's; the resource's close drops them. An
 * operation the kernel never releases before close gives up is <em>abandoned</em>: its memory is
 * kept, not freed, and the {@code CloseReport} says so.
 *
 * <p>Heap buffers cannot be handed to the kernel (the collector moves them), so their bytes go
 * through native bounce memory: copied in before a write, copied back before the handlers of a read.
 * The memory comes from the proactor's {@code BounceCache} (power-of-two sizes from 64 B to 64 KiB,
 * at most 8 MiB allocated, reused from one operation to the next) and goes back when the kernel is
 * done. An arena per bounce would have to be a shared one (three threads touch the memory), and
 * closing a shared arena makes the JVM handshake with every thread: with it {@code proactor serve}
 * spent most of its time in that handshake (3.7k requests/s; 22k after).
 *
 * <h2>Cancellation</h2>
 * A cancel posts a command; the dispatcher ends an operation that is not in the kernel at once, or
 * asks the backend to cancel it and waits for the target's own completion, whose result decides:
 * {@code CANCELLED}, or {@code TOO_LATE} when the operation ended by itself first (completed,
 * failed or timed out; its outcome stands). An open that succeeds after its cancel
 * gets its descriptor closed; so does an accepted or connected socket whose cancel came too late.
 *
 * <h2>Sockets</h2>
 * {@code Proactor.listen} and {@code connect} give {@code AsyncServerSocket} and
 * {@code AsyncSocket}; their operations go through the same life-cycle as file operations
 * ({@code ListenOp}, {@code AcceptOp}, {@code ConnectOp}, {@code BufferOp}, {@code ShutdownOp},
 * over the SPI's {@code Listen}, {@code Accept}, {@code Connect}, {@code Recv}, {@code Send},
 * {@code Shutdown} requests). A live socket's option ({@code setOption}, {@code option}:
 * {@code SocketOptionOp}, SPI {@code SocketOpt}, kind SOCKET_OPTION) is checked at initiation and
 * takes no lane; as a pending operation of its socket it holds the descriptor's close back until
 * the dispatcher has made the call. Stream operations run one per socket and direction, in initiation
 * order ({@code Resource.laneOwner}): a {@code readFully} or {@code writeAll} that needs several
 * rounds keeps its bytes contiguous. {@code transferFrom(file, position, count)}
 * ({@code TransferOp}, SPI {@code Splice}) is a send too: it takes its place in the socket's send
 * order and sits in the file's pending set as well, so closing either ends it. Every read and
 * write of several buffers, on a file or a socket ({@code read/write/readFully/writeAll(...,
 * ByteBuffer...)}, {@code VectoredOp}, SPI {@code ReadV}/{@code WriteV}/{@code RecvV}/{@code SendV};
 * kinds READV/WRITEV on files, RECV/SEND on sockets), is one operation: on a socket one receive or
 * send in its lane (a send in the write budget too), and each round moves what earlier rounds left
 * (finished buffers skipped, the partly done one sliced, a file round at the advanced position);
 * positions advance by what each buffer took or gave, on delivery. If asked for (off by default), a send of at least
 * {@code zeroCopySendThreshold} bytes is a zero-copy send, whose buffer is the kernel's until the
 * kernel's notification (on TCP: until the peer acknowledged the data, so a write larger than the
 * peer's receive window ends only once the peer reads). {@code ProactorGroup} runs N proactors and
 * {@code listenEach} binds one listener per member with SO_REUSEPORT. How each backend performs
 * them: the io_uring and portable backends' package comments.
 *
 * <p>A socket's {@code close()} is graceful. The dispatcher keeps the {@code CloseOp} in CLOSE_WAIT,
 * marked <em>lingering</em>, while the socket's send order ({@code laneOwner(SEND_LANE)}) drains;
 * reads keep running. When it is empty, everything else pending is cancelled and the close goes to
 * the kernel in two rounds: {@code Shutdown(SHUT_WR)}, then {@code Close}. The bound
 * ({@code withTimeout}, else {@code SocketOptions.closeLinger}, 30 s) sits in the dispatcher's
 * {@code lingering} queue, earliest first, and is part of the loop's wait. At expiry, or on
 * {@code abort()} (a {@code Command.Abort} for a close already posted), the writes are cancelled,
 * {@code Backend.resetConnection} resets the connection (io_uring: {@code connect(AF_UNSPEC)};
 * portable: {@code SO_LINGER} 0), and the close is one {@code Close} round: {@code TIMED_OUT} at
 * expiry, completed on abort. {@code shutdownOutput} is a SEND-direction stream operation, so its
 * FIN follows the writes ahead of it. During the proactor's CANCELLING phase a close gets no
 * linger, and its shutdown round is not cancelled: closing the proactor cancels writes by its own
 * deadline, whatever a socket's linger says.
 *
 * <h2>Streams: acceptEach, receiveEach, back-pressure, write budget</h2>
 * {@code AsyncServerSocket.acceptEach(handler)} and {@code AsyncSocket.receiveEach(handler)} return
 * an {@code OperationStream}: one operation (one admission permit, one ledger entry, one place in
 * the socket's pending set and receive order) that delivers items until it ends, with
 * {@code pause()}, {@code resume()} and the usual {@code cancel()}. Here it is a {@code StreamingOp}
 * ({@code AcceptEachOp}, {@code ReceiveEachOp}) that goes to the kernel in rounds like any
 * operation, but a round's end re-arms it instead of ending it. Items are handed to the handler
 * through the stream's {@code SerialDelivery}: one call at a time, in kernel order, on the workers;
 * the stream's own end goes through the same queue, after its last item. The queue is intrusive
 * (each item, a chunk included, is its own node), so a delivery allocates nothing.
 * <ul>
 * <li><b>Multishot</b> where the backend offers it ({@code Backend.supportsMultishot}): the SPI's
 *   {@code Request.AcceptEach} / {@code Request.ReceiveEach} report each item through
 *   {@code Completions.next} ({@code Completions.nextChunk} for a received chunk, in its parts: no
 *   record per chunk) while the request stays armed; the round's final completion settles it
 *   (a last item, end of stream 0, or a failure). A multishot counts one permit in admission.
 * <li><b>Single-shot fallback</b> elsewhere (old kernels, a failed ring registration, a kind whose
 *   opcode the probe lacks and which therefore runs on io_uring's per-opcode fallback, the portable
 *   backend's accepts, the test hook {@code SingleShotStreams}): one {@code Accept} armed after
 *   another; a receive stream alternates a wait for data that holds no buffer
 *   ({@code Request.AwaitReadable}, io_uring's POLL_ADD) with one {@code Recv} into a slab of the
 *   buffer pool taken once the wait ended. So an idle connection holds no slab, and the pool's
 *   {@code bufferCount} slabs bound only the receives under way at once; a stream that finds none
 *   free retries every millisecond. The capability report's operation lines say which path each
 *   kind takes and why.
 * <li><b>Chunks</b> are {@code ChunkLease}s whose segment is exactly the bytes received;
 *   {@code release()} (any thread) pushes the chunk onto {@code ReleasedChunks}, an intrusive stack
 *   the dispatcher drains (one command, made once, posted by the release that finds the stack
 *   empty), which recycles the provided buffer and counts the chunk off the stream. So a chunk costs
 *   its lease and its segment and nothing per hand-off. A lease is never reused: a released one stays
 *   released, so a second release still fails. An idle connection holds no buffer on any path. A
 *   chunk can be lent to a write ({@code writeAll(chunk, n)}, a file write) like a pool lease
 *   ({@code LentMemory}): it is sent from the buffer it arrived in, still counts as held, and cannot
 *   be released until the write ended.
 * <li><b>Back-pressure</b>: a receive stream that has {@code receiveBacklog} chunks unreleased, or is
 *   paused, stops: a round in the kernel is cancelled with a cancel the stream absorbs
 *   ({@code stopping}), and the stream is <em>parked</em> (dispatcher queue {@code PARKED}) until a
 *   release or {@code resume()} lifts the reason. A multishot round stops asynchronously, so chunks
 *   the kernel already received still come. A round the kernel ended with {@code -ENOBUFS} (ring
 *   empty) parks the stream as <em>starved</em>; any recycled buffer re-arms every starved stream
 *   ({@code MetricsSnapshot.receiveRearms}). A cancelled or closed stream ends only after its round's
 *   final completion; an accepted socket that arrives after the cancel is closed by the core.
 * <li><b>Write budget</b>: every write counts its size in its socket's {@code pendingWrites} from
 *   initiation to its end. Beyond the socket's budget ({@code ProactorConfig.writeBudget},
 *   {@code AsyncSocket.writeBudget(n)}), unless nothing else is pending, the admission policy decides
 *   at initiation: {@code reject} fails with {@code AdmissionRejectedException}, {@code waitUpTo}
 *   parks the initiator until earlier writes end, {@code queue} accepts it into the send order. Sends
 *   already run one at a time per socket in initiation order ({@code Resource.laneOwner}), so a
 *   write beyond the budget never reaches the kernel before those ahead of it ended.
 * </ul>
 *
 * <h2>Close</h2>
 * {@code close(deadline)}: refuse new initiations; drain until nothing is live or the deadline
 * passes; cancel what remains and close files left open; wait up to a grace second for the kernel;
 * abandon what is still held (memory kept); drain the inbox of late posts; close the backend; free
 * the pool; wait for the last handlers; stop the owned workers; return the {@code CloseReport}.
 *
 * <p>A resource's close cannot be cancelled once initiated: it cancels the resource's pending
 * operations, waits in CLOSE_WAIT until they are released, then closes the descriptor; the
 * dispatcher ignores a cancel of a close, and the canceller is answered TOO_LATE. Ending a close
 * early would orphan the descriptor: the resource refuses new operations, and the proactor's close
 * skips a resource whose close was initiated.
 *
 * <p>If the dispatcher loop fails, it logs once at ERROR, records the cause
 * ({@code Proactor.failure()}, {@code isClosed()}), fails what is pending, and every later
 * initiation fails at once with a {@code ProactorClosedException} carrying the cause.
 */
package dev.proactor.internal.core;
