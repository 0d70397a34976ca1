/**
 * The JDK's asynchronous channel API (NIO.2) served by Proactor: an
 * {@link java.nio.channels.spi.AsynchronousChannelProvider} whose groups are proactors, so a program
 * written against {@code AsynchronousSocketChannel} and {@code AsynchronousServerSocketChannel}
 * runs on io_uring (or the portable backend) when it is selected by system property.
 */
package dev.proactor.nio2;
