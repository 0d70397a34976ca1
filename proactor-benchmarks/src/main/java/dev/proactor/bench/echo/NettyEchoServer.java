package dev.proactor.bench.echo;

import dev.proactor.bench.NettyServer;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.SocketAddress;

/**
 * Netty 4.2 with a native transport ({@link NettyServer}: one event loop): channelRead writes the
 * buffer back, channelReadComplete flushes.
 */
final class NettyEchoServer implements EchoServer {

    private final NettyServer server;

    private NettyEchoServer(NettyServer server) {
        this.server = server;
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

    static NettyEchoServer start(SocketAddress local, NettyServer.Transport transport) throws InterruptedException {
        return new NettyEchoServer(NettyServer.start(local, transport, new Echo()));
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
    }
}
