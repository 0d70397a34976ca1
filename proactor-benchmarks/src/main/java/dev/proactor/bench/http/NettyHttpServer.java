package dev.proactor.bench.http;

import dev.proactor.bench.NettyServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.SocketAddress;
import java.nio.file.Path;

/**
 * Netty 4.2 with a native transport ({@link NettyServer}: one event loop) and {@link HttpServerCodec}. {@code /hello} gets a prebuilt body; a file is opened per request, its length read
 * (fstat) and sent as a {@link DefaultFileRegion} (sendfile on epoll, splice on io_uring), then the
 * file is closed when the region is released, as nginx without open_file_cache does. Writes are
 * flushed at channelReadComplete.
 */
final class NettyHttpServer implements HttpBenchServer {

    private final NettyServer server;

    private NettyHttpServer(NettyServer server) {
        this.server = server;
    }

    @ChannelHandler.Sharable
    private static final class Handler extends ChannelInboundHandlerAdapter {
        private final Path dir;
        private final ByteBuf hello = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(HELLO.length).writeBytes(HELLO).asReadOnly());

        Handler(Path dir) {
            this.dir = dir;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HttpRequest req)) {
                ReferenceCountUtil.release(msg);  // the request's (empty) LastHttpContent
                return;
            }
            try {
                boolean keepAlive = HttpUtil.isKeepAlive(req);
                String uri = req.uri();
                if (uri.equals("/hello")) {
                    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                            hello.duplicate());
                    res.headers().set(HttpHeaderNames.SERVER, "bench")
                            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                            .setInt(HttpHeaderNames.CONTENT_LENGTH, HELLO.length);
                    finish(ctx, ctx.write(res), keepAlive);
                    return;
                }
                if (uri.equals("/4k.bin") || uri.equals("/1m.bin")) {
                    RandomAccessFile raf;
                    try {
                        raf = new RandomAccessFile(dir.resolve(uri.substring(1)).toFile(), "r");
                    } catch (IOException e) {
                        error(ctx, HttpResponseStatus.NOT_FOUND);
                        return;
                    }
                    long length;
                    try {
                        length = raf.length();
                    } catch (IOException e) {
                        closeQuietly(raf);
                        error(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR);
                        return;
                    }
                    HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    res.headers().set(HttpHeaderNames.SERVER, "bench")
                            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                            .set(HttpHeaderNames.CONTENT_LENGTH, length);
                    ctx.write(res, ctx.voidPromise());
                    ctx.write(new DefaultFileRegion(raf.getChannel(), 0, length), ctx.voidPromise());
                    finish(ctx, ctx.write(LastHttpContent.EMPTY_LAST_CONTENT), keepAlive);
                    return;
                }
                error(ctx, HttpResponseStatus.NOT_FOUND);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private static void finish(ChannelHandlerContext ctx, io.netty.channel.ChannelFuture f, boolean keepAlive) {
            if (!keepAlive) {
                ctx.flush();
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static void error(ChannelHandlerContext ctx, HttpResponseStatus status) {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.write(res, ctx.voidPromise());
        }

        private static void closeQuietly(RandomAccessFile raf) {
            try {
                raf.close();
            } catch (IOException ignored) {
                // nothing was sent from it
            }
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

    static NettyHttpServer start(SocketAddress local, Path dir, NettyServer.Transport transport) throws InterruptedException {
        Handler handler = new Handler(dir);
        return new NettyHttpServer(NettyServer.start(local, transport, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                c.pipeline().addLast(new HttpServerCodec(), handler);
            }
        }));
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
