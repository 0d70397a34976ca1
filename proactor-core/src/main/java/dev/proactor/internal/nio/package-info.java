/**
 * The portable backend on JDK NIO: a {@link java.nio.channels.Selector} loop on the dispatcher
 * thread, file requests as blocking {@link java.nio.channels.FileChannel} calls on a small bounded
 * pool of file threads, timers and deadlines in a heap the dispatcher owns, and int handles into a
 * channel table as descriptors. Depends on the backend SPI only.
 */
package dev.proactor.internal.nio;
