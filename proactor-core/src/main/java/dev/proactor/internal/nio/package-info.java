/**
 * The portable backend on JDK NIO: a {@link java.nio.channels.Selector} loop on the dispatcher
 * thread, stream sockets as non-blocking channels driven by that selector on the dispatcher
 * ({@code NioSockets}: readiness, then the non-blocking call, then the completion), file requests
 * as blocking {@link java.nio.channels.FileChannel} calls on a small bounded pool of file threads,
 * timers and deadlines in a heap the dispatcher owns, and int handles into one channel table, for
 * files and sockets alike, as descriptors. Depends on the backend SPI only.
 */
package dev.proactor.internal.nio;
