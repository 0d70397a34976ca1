package dev.proactor.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A Netty 4.2 server on a native transport as the socket suites run it: one event loop (as
 * Proactor's one dispatcher; {@code -Dproactor.bench.nettyThreads=N} changes it) accepts and serves
 * every connection, backlog 1024, TCP_NODELAY, Netty's default pooled direct allocator.
 */
public final class NettyServer {

    /** The native transports measured. */
    public enum Transport { EPOLL, IO_URING }

    private final EventLoopGroup group;
    private final Channel channel;

    private NettyServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** Binds to local and serves each accepted connection with childHandler. */
    public static NettyServer start(SocketAddress local, Transport transport, ChannelHandler childHandler)
            throws InterruptedException {
        int threads = Integer.getInteger("proactor.bench.nettyThreads", 1);
        IoHandlerFactory factory = transport == Transport.EPOLL ? EpollIoHandler.newFactory() : IoUringIoHandler.newFactory();
        Class<? extends ServerChannel> channelClass =
                transport == Transport.EPOLL ? EpollServerSocketChannel.class : IoUringServerSocketChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, factory);
        Channel ch = new ServerBootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(childHandler)
                .bind(local).sync().channel();
        return new NettyServer(group, ch);
    }

    /** The port it listens on. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Closes the listener and stops the event loops. */
    public void close() throws InterruptedException {
        channel.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
