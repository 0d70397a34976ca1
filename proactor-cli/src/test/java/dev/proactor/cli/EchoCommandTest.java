package dev.proactor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.EachBackendExtension;
import dev.proactor.test.ProactorFixture;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code proactor echo} run in-process on port 0: the port is read from the line it prints, and the
 * server is stopped by interrupting the thread running the command, the same path a signal takes.
 * Every test runs on every variant of the core harness ({@link EachBackend}: io_uring, portable,
 * io_uring-fallback).
 */
class EchoCommandTest {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\(backend (\\S+),");

    /** The command running on a thread of its own. */
    private static final class Server implements AutoCloseable {
        /** Notifies waiters on every write, so the test waits for the line itself, not for time. */
        final StringWriter out = new StringWriter() {
            @Override
            public void write(String str, int off, int len) {
                super.write(str, off, len);
                synchronized (this) {
                    notifyAll();
                }
            }

            @Override
            public void write(int c) {
                super.write(c);
                synchronized (this) {
                    notifyAll();
                }
            }

            @Override
            public void write(char[] cbuf, int off, int len) {
                super.write(cbuf, off, len);
                synchronized (this) {
                    notifyAll();
                }
            }
        };
        final StringWriter err = new StringWriter();
        final Thread thread;
        volatile int exitCode = -1;
        final int port;

        /** Starts {@code echo --backend <variant's> --port 0 args...} in the variant, once it listens. */
        Server(ProactorFixture variant, String... args) throws Exception {
            String[] all = new String[args.length + 2];
            all[0] = "--port";
            all[1] = "0";
            System.arraycopy(args, 0, all, 2, args.length);
            String[] command = CommandRun.withBackend(variant, "echo", all);
            thread = Thread.ofPlatform().name("echo-command").unstarted(
                    () -> exitCode = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), command));
            // The mask stays set until the command has opened its proactor: it printed that it listens.
            Matcher m = variant.callInVariant(this::startAndAwaitListening);
            port = Integer.parseInt(m.group(1));
            assertThat(m.group(2)).as("the backend it names")
                    .isEqualTo(EachBackendExtension.shortName(variant.backend()));
        }

        private Matcher startAndAwaitListening() throws InterruptedException {
            thread.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Matcher m;
            synchronized (out) {
                while (!(m = LISTENING.matcher(out.toString())).find()) {
                    assertThat(thread.isAlive()).as("echo exited early: " + out + err).isTrue();
                    long left = deadline - System.nanoTime();
                    assertThat(left).as("no 'listening' line in time").isPositive();
                    // Woken by the next write; the bound only re-checks that the command is alive.
                    out.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
                }
            }
            return m;
        }

        /** Stops the command the way a signal would, and returns its exit code. */
        int stop() throws InterruptedException {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(thread.isAlive()).as("echo did not stop").isFalse();
            return exitCode;
        }

        @Override
        public void close() throws InterruptedException {
            if (thread.isAlive()) {
                stop();
            }
        }
    }

    @EachBackend
    void echoesOneMebibyteByteExact(ProactorFixture variant) throws Exception {
        byte[] sent = new byte[1 << 20];
        new Random(7).nextBytes(sent);
        try (Server server = new Server(variant)) {
            try (Socket client = new Socket("127.0.0.1", server.port)) {
                client.setSoTimeout(20_000);
                // Write from another thread: the server echoes as it reads, and both directions'
                // socket buffers together hold less than 1 MiB.
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream o = client.getOutputStream();
                        o.write(sent);
                        o.flush();
                        client.shutdownOutput();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                byte[] received = client.getInputStream().readAllBytes();
                writer.get(20, TimeUnit.SECONDS);
                assertThat(received).isEqualTo(sent);
            }
            assertThat(server.stop()).isZero();
            assertThat(server.err.toString()).isEmpty();
            assertThat(server.out.toString()).contains("stopped after 1 connection\n".replace("\n", System.lineSeparator()));
        }
    }

    @EachBackend
    void inlineHandlersEchoToo(ProactorFixture variant) throws Exception {
        try (Server server = new Server(variant, "--inline-handlers")) {
            assertThat(server.out.toString()).contains("inline handlers");
            try (Socket client = new Socket("127.0.0.1", server.port)) {
                client.setSoTimeout(20_000);
                assertThat(roundTrip(client, "ping")).isEqualTo("ping");
            }
        }
    }

    /**
     * With --max-connections 1 a second client gets through the kernel's handshake (the listen
     * backlog) but is not served until the first one leaves.
     */
    @EachBackend
    void maxConnectionsHoldsTheNextClientUntilOneCloses(ProactorFixture variant) throws Exception {
        try (Server server = new Server(variant, "--max-connections", "1")) {
            Socket first = new Socket("127.0.0.1", server.port);
            first.setSoTimeout(20_000);
            assertThat(roundTrip(first, "one")).isEqualTo("one");
            try (Socket second = new Socket("127.0.0.1", server.port)) {
                second.getOutputStream().write("two".getBytes());
                second.setSoTimeout(300);
                assertThatThrownBy(() -> second.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

                first.close();
                second.setSoTimeout(20_000);
                assertThat(new String(second.getInputStream().readNBytes(3))).isEqualTo("two");
            }
            assertThat(server.stop()).isZero();
            assertThat(server.out.toString()).contains("stopped after 2 connections");
        }
    }

    @EachBackend
    void stopsWithConnectionsStillOpen(ProactorFixture variant) throws Exception {
        try (Server server = new Server(variant); Socket idle = new Socket("127.0.0.1", server.port)) {
            idle.setSoTimeout(20_000);
            assertThat(roundTrip(idle, "x")).isEqualTo("x");
            assertThat(server.stop()).isZero();
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
            assertThat(server.out.toString()).contains("stopped after 1 connection").doesNotContain("abandoned");
        }
    }

    /**
     * The stop closes the connections itself rather than leaving them to the proactor's close and
     * its drain deadline: the idle client sees end of stream while the proactor is still open (this
     * test closes it only afterwards), which it could not if the stop left the connection alone.
     */
    @EachBackend
    void theStopClosesIdleConnectionsBeforeTheProactorCloses(ProactorFixture variant) throws Exception {
        StringWriter err = new StringWriter();
        try (dev.proactor.Proactor proactor = variant.open(dev.proactor.ProactorConfig.builder().workerThreads(1))) {
            dev.proactor.AsyncServerSocket listener = proactor.listen(
                    new java.net.InetSocketAddress("127.0.0.1", 0)).await(java.time.Duration.ofSeconds(20));
            EchoServer server = new EchoServer(proactor, listener, 0, new PrintWriter(err, true));
            server.start();
            int port = ((java.net.InetSocketAddress) listener.localAddress()).getPort();
            try (Socket idle = new Socket("127.0.0.1", port)) {
                idle.setSoTimeout(20_000);
                assertThat(roundTrip(idle, "x")).isEqualTo("x");
                server.stop();
                assertThat(idle.getInputStream().read()).as("end of stream after stop()").isEqualTo(-1);
                // Still open: it runs an operation after the end of stream reached the client.
                assertThat(proactor.nop().await(java.time.Duration.ofSeconds(20))).isNull();
            }
        }
        assertThat(err.toString()).isEmpty();
    }

    /**
     * More idle connections than a proactor's default in-flight limit and than its receive buffers,
     * each with its receive stream armed, are all served with the command's defaults: none is
     * closed, and when every client then sends at once (more chunks arrive than there are buffers,
     * so on io_uring multishot receives end with ENOBUFS and wait for a buffer to come back) every
     * byte still comes back. Each connection echoes once before the next opens, so the listen
     * backlog never holds more than one.
     */
    @EachBackend
    void servesMoreIdleConnectionsThanTheDefaultInFlightLimitAndReceiveBuffers(ProactorFixture variant)
            throws Exception {
        dev.proactor.ProactorConfig defaults = dev.proactor.ProactorConfig.builder().build();
        int n = Math.max(defaults.maxInFlight(), defaults.receiveBufferCount()) + 1;
        // Both ends of every connection are descriptors of this JVM.
        assumeThat(((com.sun.management.UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getMaxFileDescriptorCount()).as("open-file limit").isGreaterThan(2L * n + 1024);
        List<Socket> clients = new ArrayList<>(n);
        try (Server server = new Server(variant)) {
            try {
                for (int i = 0; i < n; i++) {
                    Socket s = new Socket("127.0.0.1", server.port);
                    clients.add(s);
                    s.setSoTimeout(20_000);
                    s.getOutputStream().write(i);
                    assertThat(s.getInputStream().read()).as("echo on connection %d", i).isEqualTo(i & 0xff);
                }
                for (int i = 0; i < n; i++) {
                    clients.get(i).getOutputStream().write(~i);
                }
                for (int i = 0; i < n; i++) {
                    assertThat(clients.get(i).getInputStream().read()).as("second echo on connection %d", i)
                            .isEqualTo(~i & 0xff);
                }
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
            assertThat(server.stop()).isZero();
            assertThat(server.err.toString()).isEmpty();
            assertThat(server.out.toString()).contains("stopped after " + n + " connections");
        }
    }

    @EachBackend
    void anAddressInUseFailsWithExitCodeOne(ProactorFixture variant) throws Exception {
        try (Server first = new Server(variant)) {
            CommandRun second = CommandRun.of(variant, "echo", "--port", String.valueOf(first.port));
            assertThat(second.exitCode()).isEqualTo(1);
            assertThat(second.err()).startsWith("proactor echo: cannot listen on 127.0.0.1:" + first.port + ": ");
        }
    }

    private static String roundTrip(Socket s, String text) throws Exception {
        OutputStream o = s.getOutputStream();
        InputStream i = s.getInputStream();
        o.write(text.getBytes());
        o.flush();
        return new String(i.readNBytes(text.length()));
    }
}
