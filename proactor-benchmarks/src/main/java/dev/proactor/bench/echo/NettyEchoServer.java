package dev.proactor.bench.echo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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

/**
 * Netty 4.2 with a native transport: one event loop (as Proactor's one dispatcher) accepts and
 * serves every connection; channelRead writes the buffer back, channelReadComplete flushes. The
 * pooled direct allocator is Netty's default. {@code -Dproactor.bench.nettyThreads=N} changes the
 * number of event loops.
 */
final class NettyEchoServer implements EchoServer {

    enum Transport { EPOLL, IO_URING }

    private final EventLoopGroup group;
    private final Channel channel;

    private NettyEchoServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    static NettyEchoServer start(SocketAddress local, Transport transport) throws InterruptedException {
        int threads = Integer.getInteger("proactor.bench.nettyThreads", 1);
        IoHandlerFactory factory = transport == Transport.EPOLL ? EpollIoHandler.newFactory() : IoUringIoHandler.newFactory();
        Class<? extends ServerChannel> channelClass =
                transport == Transport.EPOLL ? EpollServerSocketChannel.class : IoUringServerSocketChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, factory);
        Echo echo = new Echo();
        Channel ch = new ServerBootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(echo)
                .bind(local).sync().channel();
        return new NettyEchoServer(group, ch);
    }

    @Override
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
}
