package dev.proactor.bench.echo;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * An echo server under test: listens on the loopback, echoes every byte it receives on every
 * connection until closed. Run as its own JVM by {@link EchoBench} so that the server's CPU time can
 * be read from {@code /proc/PID/stat}:
 * {@code java -cp benchmarks.jar dev.proactor.bench.echo.EchoServer IMPL}. It prints
 * {@code PORT n} once it listens and exits when its standard input closes.
 */
public interface EchoServer extends AutoCloseable {

    /** The message buffer each connection gets: the largest message the suite sends. */
    int BUFFER = 16 * 1024;

    /**
     * The in-flight limit of the Proactor servers of this jar, as {@code proactor echo} sizes its
     * own for its default 16,384 connections: every open connection holds one read (or receive
     * stream) in flight, so the library's default of 4096 would leave connections past it unserved
     * ({@link IdleBench} holds 10,000); 4096 more for the writes, and one for the accept. Three
     * completions per operation of it fit one ring's 65,536 entries.
     */
    int MAX_IN_FLIGHT = 16_384 + 4096 + 1;

    /**
     * The system property through which {@link EchoBench}'s {@code --dispatcher-spin-us} reaches the
     * Proactor servers of this jar: {@link dev.proactor.ProactorConfig#dispatcherSpin()} in whole
     * microseconds. Unset, they keep the library's default. A benchmark knob, not the library's.
     */
    String SPIN_PROPERTY = "proactor.bench.echo.dispatcherSpinUs";

    /** {@code b} with the dispatcher spin {@link #SPIN_PROPERTY} names, or untouched when it is unset. */
    static dev.proactor.ProactorConfig.Builder withSpin(dev.proactor.ProactorConfig.Builder b) {
        String us = System.getProperty(SPIN_PROPERTY);
        if (us == null) {
            return b;
        }
        try {
            return b.dispatcherSpin(java.time.Duration.ofNanos(Math.multiplyExact(Long.parseLong(us.trim()), 1000L)));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(SPIN_PROPERTY + " takes whole microseconds: " + us, e);
        }
    }

    /** The port it listens on. */
    int port();

    @Override
    void close() throws Exception;

    /** The contenders, by the name the harness and the report use. */
    static EchoServer start(String impl) throws Exception {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        return switch (impl) {
            case "proactor-uring-worker" -> ProactorEchoServer.start(any, dev.proactor.BackendChoice.IO_URING, false);
            case "proactor-uring-inline" -> ProactorEchoServer.start(any, dev.proactor.BackendChoice.IO_URING, true);
            case "proactor-portable-worker" -> ProactorEchoServer.start(any, dev.proactor.BackendChoice.PORTABLE, false);
            case "proactor-portable-inline" -> ProactorEchoServer.start(any, dev.proactor.BackendChoice.PORTABLE, true);
            case "proactor-uring-stream-worker" -> ProactorStreamEchoServer.start(any, dev.proactor.BackendChoice.IO_URING, false);
            case "proactor-uring-stream-inline" -> ProactorStreamEchoServer.start(any, dev.proactor.BackendChoice.IO_URING, true);
            case "netty-epoll" -> NettyEchoServer.start(any, dev.proactor.bench.NettyServer.Transport.EPOLL);
            case "netty-uring" -> NettyEchoServer.start(any, dev.proactor.bench.NettyServer.Transport.IO_URING);
            case "nio2" -> {
                dev.proactor.bench.Nio2Contenders.requireJdkProviders();
                yield Nio2EchoServer.start(any);
            }
            case dev.proactor.bench.Nio2Contenders.PROACTOR -> {
                dev.proactor.bench.Nio2Contenders.requireProactorProviders();
                yield Nio2EchoServer.start(any);
            }
            case "vthreads" -> VirtualThreadEchoServer.start(any);
            default -> throw new IllegalArgumentException("unknown echo server: " + impl);
        };
    }

    static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: EchoServer IMPL");
            System.exit(2);
        }
        try (EchoServer server = start(args[0])) {
            dev.proactor.bench.ProcessCpu.announceAndAwaitStdinClose(server.port());
        } catch (IOException e) {
            System.err.println("echo server: reading standard input failed: " + e);
            System.exit(1);
        }
        System.exit(0);
    }
}
