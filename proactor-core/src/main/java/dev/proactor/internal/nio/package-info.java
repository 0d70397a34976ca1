/**
 * The portable backend on JDK NIO: a {@link java.nio.channels.Selector} loop on the dispatcher
 * thread, stream sockets as non-blocking channels driven by that selector on the dispatcher
 * ({@code NioSockets}: readiness, then the non-blocking call, then the completion), file requests
 * as blocking {@link java.nio.channels.FileChannel} calls on a small bounded pool of file threads,
 * timers and deadlines in a heap the dispatcher owns, and int handles into one channel table, for
 * files and sockets alike, as descriptors. Depends on the backend SPI only.
 *
 * <h2>How it gives io_uring's outcomes</h2>
 * {@code NioBackend} gives the same outcomes with JDK NIO. The dispatcher's wait is the
 * {@code Selector} (ready for sockets; {@code Selector.wakeup} is the wake-up); files have no
 * readiness, so each file request is a positional {@code FileChannel} call on a small bounded pool
 * ({@code <name>-file-N}, 2 to 4 threads; a full queue is back-pressure), whose result is queued back
 * to the dispatcher and settled inside {@code runOnce}. Reads and writes of a pipe, FIFO, socket or
 * character device (told at open: the channel cannot seek, or {@code unix:mode}) never go there:
 * each gets a thread of its own ({@code <name>-file-stream-N}, ended after 10 s idle, joined at
 * close), so they cannot starve regular files; the file's close ends a blocked call. Descriptors are handles into a table of
 * channels, with a generation so that a stale handle gets EBADF, never another file. Timers and
 * deadlines sit in a binary heap of absolute {@code nanoTime} deadlines ({@code DeadlineHeap}, whose
 * class comment says why not a wheel): exact earliest expiry, never early, no ticking thread,
 * O(log n) removal on cancel. What differs from io_uring: a file call already running cannot be
 * stopped (interrupting a {@code FileChannel} closes it), so cancels and deadlines act on queued
 * requests only; closing the file ends a blocked call ({@code Backend.descriptorClosing}).
 * Exceptions map to the same errno numbers ({@code spi.Errno}).
 *
 * <p>Descriptors: io_uring opens everything close-on-exec. The portable backend's channels are the
 * JDK's, which lack FD_CLOEXEC, and no public API reaches their descriptor numbers. Children started
 * with {@code ProcessBuilder} inherit none of them (the JDK closes every descriptor in the child);
 * children started by native code ({@code posix_spawn}, fork/exec from JNI) do.
 *
 * <p>Sockets live in the same handle table as files and are emulated on the selector: try the
 * non-blocking call, else wait for readiness. A transfer is {@code FileChannel.transferTo} on the
 * non-blocking socket, waiting for OP_WRITE like a send; a gather send is a gathering
 * {@code SocketChannel.write(ByteBuffer[])}, a scatter receive a scattering
 * {@code SocketChannel.read(ByteBuffer[])}. A live socket's option is the channel's
 * {@code setOption} and {@code getOption}, decided at submission. {@code ReceiveEach} is emulated: once the socket is
 * readable the backend takes a buffer of its own set ({@code ProvidedBuffers}), reads, reports, until
 * the read would block (at most 16 chunks a turn); it has no multishot accept, so
 * {@code acceptEach} is single-shot accepts armed one after another.
 *
 * <h2>On Windows</h2>
 * Not tested (this project has no Windows machine). The same backend runs over the JDK's Windows
 * NIO: the {@code Selector} is the JDK's wepoll-based one, which polls sockets through the AFD
 * driver and an I/O completion port, and {@code FileChannel} positional calls run on the pool as on
 * Linux. What differs there, as far as the JDK documents it:
 * <ul>
 * <li>errno numbers come from exception types and message texts ({@code NioErrno}); the JDK's
 *   Windows messages are Winsock's and often localized, so a failure the mapping does not recognise
 *   is reported as {@code EIO} with the original message kept, where Linux would give
 *   {@code ECONNRESET}, {@code EPIPE} and friends;
 * <li>{@code SO_REUSEPORT} does not exist, so {@code ProactorGroup.listenEach} (one listener per
 *   member on one port) fails with {@code EOPNOTSUPP}; use one listener and hand connections to the
 *   members;
 * <li>Unix-domain sockets need Windows 10 1803 or later (JDK 16+), with no abstract addresses;
 * <li>no FIFOs, and a file open in the proactor cannot be deleted or renamed by others while open;
 * <li>{@code proactor probe} reports the portable backend with the reason "unsupported platform:
 *   io_uring is Linux-only, this is Windows ...".
 * </ul>
 */
package dev.proactor.internal.nio;
