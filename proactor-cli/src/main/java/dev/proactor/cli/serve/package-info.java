/**
 * {@code proactor serve}: a static-file HTTP/1.1 server on the library's public API alone, the
 * Proactor pattern's canonical example. No thread waits on I/O: each step initiates the next
 * operation and returns, and that operation's completion handler takes the following step. The
 * handlers run inline on each proactor's dispatcher thread by default (one loop per dispatcher, as
 * nginx's worker, with no hand-off to a worker per request; {@code --workers N} runs them on N
 * workers instead), so no step may block: the three that can (a directory listing, the EXDEV
 * fallback's {@code realpath}, the access log's writes to standard output) are handed to
 * {@code BlockingWork}, the server's own {@code serve-blocking-N} threads, which then initiate the
 * next operation. {@code RequestParser} reads heads, limits and target checks; {@code Connection} is the
 * per-connection state machine; {@code PathResolver} keeps requests inside the root;
 * {@code FileCache} keeps what a request for a file needs (descriptor or small body, validators, the
 * head of a 200) for the next request to it;
 * {@code StaticFileServer} runs the accept loops and the stop; {@code cli.net.AcceptLoop} holds the
 * connection limit, shared with {@code echo}; {@code Slots} decides which waiting connection gives
 * its slot to a newcomer at the limit; {@code InputBuffers} reuses the connections' input buffers.
 *
 * <pre>
 * StaticFileServer: accept (a multishot stream below 3/4 of the limit, then one at a time) ──► Connection
 *   at --max-connections: an accept only while a connection waits
 *   newcomer beyond the limit ──► reclaim the longest-idle keep-alive, else the oldest silent one
 *                               └─ none waits: park it (accepted, not read) until one waits or ends
 *
 * Connection (one per socket; state guarded by the connection, steps ordered by completions)
 *   FRESH ─read(header deadline from the start)─┐
 *   IDLE ─read(idle deadline)──────────────────┴► HEAD ─read(header deadline)─► parse (dispatcher)
 *     ▲                                                           │ 400/405/413/414/431/501/505, 408:
 *     │                                                           │   write (Connection: close) ► close
 *     │                                                           ▼
 *     │     file cache hit (valid, or checked again once its validity ran out) ─┐
 *     │     miss: openFileAt(root, BENEATH) ► stat (EXDEV: realpath, then open) ┤ (≤16 KiB: read, close)
 *     │       ► ≤16 KiB: writeAll(head, body) in one gathering send             ◄─┘
 *     │       ► larger: writeAll(head) ► transferFrom(kept file, pos, ≤4 MiB) … ► release the entry
 *     └────── keep-alive: parse what is already buffered (pipelining) ◄─┘
 *   close: shutdownOutput ► read and discard until EOF or 2 s (lingering close) ► socket.close
 * </pre>
 *
 * <ul>
 * <li><b>Where back-pressure comes from.</b> A connection handles one request at a time and reads
 *   the socket only when its buffer holds no complete head, so a client that pipelines faster than
 *   it reads stops being read and its bytes wait in the kernel. Bodies go by {@code transferFrom}
 *   (splice on io_uring, {@code transferTo} on the portable backend) in pieces whose completion
 *   starts the next piece; only small bodies (up to 16 KiB) are held in memory, once per cached
 *   file, never per connection. Below three quarters of {@code --max-connections} one multishot
 *   accept stream takes connections as they come (a burst in one kernel round); above, accepts go
 *   one at a time ({@code AcceptLoop}), and at the limit no accept is
 *   pending unless a connection only waits for a request; new clients wait in the listen backlog.
 *   Under all of it the proactor's own in-flight admission applies. With {@code --dispatchers N} a
 *   {@code ProactorGroup} listens once per member (SO_REUSEPORT); each member has its own accept loop
 *   and a share of the connection limit (a shared limit would let one loop's pending accept hold the
 *   slot a client waiting at another listener needs), and a connection's files are opened on the
 *   member that accepted it, since {@code transferFrom} wants the file and the socket on one
 *   proactor.
 * <li><b>Connection floods.</b> At a listener's share of {@code --max-connections} an accept stays
 *   pending while one of its connections is FRESH (nothing received) or IDLE (keep-alive, nothing
 *   buffered); the newcomer, accepted as the one extra, ends one of them ({@code Slots}: the
 *   longest-idle keep-alive first, then the oldest silent one) and is served at once. The ended
 *   connection's read is cancelled and it closes at once (FIN; a reset only if a request raced the
 *   reclaim, as with nginx, and clients retry such a request). Mid-head and mid-response
 *   connections are never reclaimed; when all are, the newcomer is parked, unread, until one
 *   waits (and is reclaimed for it) or ends, and later clients wait in the listen backlog: a 503
 *   would cost a descriptor and a write per refused client, which the limit exists to bound, and
 *   each busy connection is itself bounded by the header or send timeout. A FRESH connection's
 *   read carries the header deadline counted from its start, so a client that connects and sends
 *   nothing is a slow head (408, close); only IDLE waits the idle timeout. A connection answers at
 *   most {@code --max-requests-per-connection} requests, the last with {@code Connection: close}.
 * <li><b>Memory.</b> Per connection: the state and one direct input buffer of
 *   {@code --max-header-size}, taken from {@code InputBuffers} and given back once the socket is
 *   closed, so input memory stays at the most connections open at once ((limit + 1 per listener) ×
 *   the head size: 16 MiB at the defaults) rather than waiting for a garbage collection; large
 *   bodies never touch memory; small ones are held by the file cache, at most
 *   {@code --file-cache} × 16 KiB of direct memory (16 MiB at the defaults), and each entry's prebuilt
 *   keep-alive 200 head (a few hundred bytes, made again once a second while it is asked for); the
 *   access log file keeps at most 1 MiB of lines waiting for its write
 *   and drops (and counts) the rest. What grew under load was the heap the JVM sizes from the
 *   machine, so {@code bin/proactor} sets {@code -Xmx256m}, with the serial collector and a 32 MiB
 *   young generation for short pauses ({@code PROACTOR_JAVA_OPTS} overrides).
 * <li><b>How limits are enforced.</b> The input buffer is {@code --max-header-size} bytes: a head
 *   that does not fit is 431, a request line longer than {@code --max-request-line} 414. Deadlines
 *   are operation deadlines ({@code withTimeout}): the read for a new request carries
 *   {@code --idle-timeout}; once a head has begun, each read carries what is left of
 *   {@code --header-timeout} counted from its first byte, so a slow-loris client trickling bytes
 *   still hits it (408, close); every send and each transfer piece carries {@code --idle-timeout},
 *   so a client that stops reading is cut. Until then it costs a wait for room in its socket, not
 *   a thread ({@code AsyncSocket.transferFrom}), and delays no other connection.
 * <li><b>Containment.</b> The parser refuses dot segments, {@code %2f}, {@code %00} and backslashes
 *   (403) before any file-system call. Each proactor holds the root open; the resolver (on a miss,
 *   and on each check of a cached file) opens the path relative to it with {@code openFileAt}
 *   under {@code BENEATH} and {@code NO_MAGICLINKS}, non-blocking (a FIFO's open does not wait for
 *   a writer), then stats the descriptor: on io_uring (and its fallback, the openat2 system call)
 *   the kernel keeps the walk inside the root, and the common path makes no blocking call. Only
 *   EXDEV (an absolute link, which RESOLVE_BENEATH refuses even when it points inside, or a
 *   relative one climbing out) takes the fallback: the real path on a {@code BlockingWork} thread
 *   ({@code realpath}, blocking), 404 unless it lies under the root's, else opened from the root under
 *   {@code BENEATH} and {@code NO_SYMLINKS}. Anything out of the tree, missing, a loop, or neither
 *   a regular file nor a directory is "not found"; EACCES 403; EMFILE, ENFILE, ENOMEM 500. A
 *   linked file's Content-Type is the name asked for, as nginx's. On the portable backend the
 *   walk is an emulation (a check, not a guarantee: SECURITY.md). A directory listing reads by
 *   path (blocking, on a {@code BlockingWork} thread) after its real path is checked to lie under the root again. A
 *   path ending in a slash names a directory only: a regular file asked for as
 *   {@code /file.txt/} is 404, as nginx answers.
 * <li><b>The file cache.</b> Per proactor (a file is sent from the proactor it was opened on), keyed
 *   by the decoded segments, which the parser already checked, so a hit is contained as its miss
 *   was. A hit skips the open, {@code statx} and close: for a body up
 *   to 16 KiB it holds the bytes (read once; no descriptor) and sends them with the head in one
 *   gathering send, for a larger one the open descriptor for {@code transferFrom}; the 200 head is
 *   prebuilt but for its Date and Connection lines, and the commonest one (HTTP/1.1, kept open)
 *   whole, in direct memory, once a second. That commonest answer (a whole 200, kept open) leaves
 *   as one gather send of the shared head and body segments on the connection's one reusable
 *   write ({@code AsyncSocket.reusableWriteAll(MemorySegment[], handler)}), and every keep-alive
 *   wait is a run of the connection's one reusable read: no operation, buffer view or copy per
 *   request (JFR: 2,029 B allocated per 13 B request before, 1,013 B after, BENCHMARKS.md). Bounded by {@code --file-cache} entries (1024)
 *   and {@code --file-cache-descriptors} (256), least recently used first; each response holds a
 *   reference to its entry, so an evicted file is closed after its last transfer, never under one.
 *   <b>Staleness bound:</b> an entry is served unchecked for {@code --file-cache-validity} (1 s);
 *   the next request after that opens the path again exactly as a miss does (openat2 beneath the
 *   root, {@code statx} of the descriptor) and keeps the entry only if what opened is a regular file
 *   with the same inode, size and modification time, else it is dropped and the request served
 *   from what opened: a file changed, replaced, renamed, deleted or swapped for a link (out of
 *   the root: 404) is served as it was for at most the validity (plus one check's duration) after
 *   the change. An entry's attributes are its own descriptor's, so no file replaced between a
 *   resolve and an open can pair one file's attributes with another's bytes. A file rewritten in
 *   place without a size or time change inside one validity is not noticed for large files (the descriptor reads the new bytes while the head says the old
 *   length; as without a cache) and not for small ones (the old bytes). The stop closes every
 *   cached descriptor before the proactors.
 * <li><b>Redirects and headers.</b> A directory asked for without its slash is redirected (301) to
 *   the normalised path rebuilt from the decoded segments ({@code HttpRequest.Target}): one leading
 *   slash, so {@code //example.com} goes to {@code /example.com/} and no Location is ever a
 *   network-path reference to another host. A Host header that is missing (HTTP/1.1), repeated or not
 *   {@code host [":" port]} is 400 ({@code HostSyntax}). A file's Last-Modified is never later than
 *   the response's Date: a future time is replaced by the Date, and If-Modified-Since and If-Range
 *   are judged against the value sent ({@code Validators}).
 * <li><b>Stop.</b> Stop accepting; a waiting connection's read is cancelled: if it completed anyway
 *   its request is answered with {@code Connection: close}, else the connection sends FIN and reads
 *   and drops input until end of stream or 2 s, so a request arriving then meets a graceful close,
 *   not a reset; a response in flight finishes (saying {@code Connection: close} if its head was
 *   not yet written) and its connection then closes the same way; at {@code --shutdown-timeout}
 *   the rest are closed (their operations end cancelled); the access log (asynchronous appends, one write in flight) is flushed; the
 *   proactor closes and reports. The command runs this from a shutdown hook on SIGINT/SIGTERM and
 *   then halts the JVM with status 0.
 * </ul>
 */
package dev.proactor.cli.serve;
