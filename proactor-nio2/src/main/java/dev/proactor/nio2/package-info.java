/**
 * The JDK's asynchronous channel API (NIO.2) served by Proactor: an
 * {@link java.nio.channels.spi.AsynchronousChannelProvider} whose groups are proactors, so a program
 * written against {@code AsynchronousSocketChannel} and {@code AsynchronousServerSocketChannel}
 * runs on io_uring (or the portable backend) when it is selected by system property or by this
 * module's service file. It uses proactor-core's public API only.
 *
 * <h2>Sockets</h2>
 * <ul>
 * <li>{@link dev.proactor.nio2.ProactorChannelProvider}: the entry point; picks the backend
 *     ({@code dev.proactor.nio2.backend}) and holds the default group.
 * <li>{@code ProactorChannelGroup}: one proactor, whose handler executor is the group's
 *     {@code HandlerPool}; shutdown and termination as the JDK's.
 * <li>{@code HandlerPool}: the group's threads (a fixed pool's from its factory, loops on a
 *     caller's executor, the default group's), fed a dispatcher turn's completions at a time with
 *     one wake-up; a growing pool adds a thread only while every one is blocked in a handler.
 * <li>{@code ProactorSocketChannel}, {@code ProactorServerSocketChannel}: the NIO.2 state the
 *     proactor does not keep (connecting, one read and one write pending, killed by a timeout or
 *     a cancel, shut down), checked in the JDK provider's order; each read, write, connect or
 *     accept is one proactor operation.
 * <li>{@code PendingIo}: one operation's outcome, settled once (complete, fail or cancel), the
 *     {@code Future} of the Future forms and the delivery to a {@code CompletionHandler}.
 * <li>{@code HandlerInvoker}: handlers run directly on a group thread up to 16 nested calls,
 *     else on the pool, so a chain of immediate completions cannot overflow the stack.
 * <li>{@code ChannelOptions}: a channel's options until it has a socket (applied when the
 *     socket is created), and the JDK's checks; once it has one, {@code setOption} and
 *     {@code getOption} go to the live socket ({@code AsyncSocket.setOption}).
 * <li>{@code HelpingWait}: a channel method that waits for an operation (a bind, a close, a live option,
 *     a shutdown) or a Future's {@code get} on a group thread runs the group's deliveries
 *     meanwhile, so a handler on a group of one thread never waits for itself.
 * <li>Future forms and those waits are delivered on the dispatcher, with no group thread at all
 *     ({@code HandlerPool.deliverDirect}): their only handler settles a Future or wakes a waiter,
 *     so a Future completes even while every group thread is stuck in a caller's code; an
 *     operation handed over before it was marked is delivered by the thread that marks it.
 * <li>{@code Failures}: the proactor's failures as the exceptions NIO.2 programs catch.
 * </ul>
 *
 * <h2>Files</h2>
 * {@link dev.proactor.nio2.ProactorFileSystemProvider}, installed as the default file system
 * provider (or called directly), is the platform's provider except that
 * {@code newAsynchronousFileChannel} opens a {@link dev.proactor.nio2.ProactorFileChannel}: reads
 * and writes are {@code AsyncFile} operations on a shared proactor per backend
 * ({@code FileProactors}); opening, locks, truncation, size and force go through a
 * {@code FileChannel} on the same file, so the platform's errors and the JVM's lock table hold.
 * {@code ProactorFileSystem}, {@code ProactorPath} and {@code ProactorWatchService} wrap the default
 * file system so every path of it leads back to the provider.
 */
package dev.proactor.nio2;
