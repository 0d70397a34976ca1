package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.spi.NativeAccounting;
import dev.proactor.test.AcceptLoop;
import dev.proactor.test.BackendPair;
import dev.proactor.test.EachBackendPair;
import dev.proactor.test.FdLimit;
import dev.proactor.test.IdlePeer;
import dev.proactor.test.Ops;
import dev.proactor.test.Reports;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestReporter;

/**
 * {@value #CONNECTIONS} idle connections held at once: half accepted by the server proactor, half
 * connected by the client proactor, their far ends in a child process ({@link IdlePeer}), so that
 * this process needs one descriptor per connection, not two (the descriptor limit here is 20,000
 * and may not be raised without {@code CAP_SYS_RESOURCE}). Reports the heap (after GC) and the
 * native bytes ({@link NativeAccounting}) each socket costs on each backend, and requires every
 * connection to carry a byte both ways at the end. The per-socket bounds are regression alarms, far
 * above what either backend needs, not targets. Skipped, saying why, where this process cannot
 * hold {@value #FDS_NEEDED} descriptors even after raising its soft limit to the hard one.
 */
// About 4 s per pair (15 s for the four, measured on 2 cores): over the default run's budget.
@Tag("stress")
class SocketIdleConnectionsContractTest {

    private static final int CONNECTIONS = 10_000;
    private static final int HALF = CONNECTIONS / 2;
    /** One end of every connection, plus room for the JVM's own and the proactors'. */
    private static final int FDS_NEEDED = CONNECTIONS + 2_000;
    private static final long HEAP_BOUND_PER_SOCKET = 16 * 1024;
    private static final long NATIVE_BOUND_PER_SOCKET = 16 * 1024;

    @EachBackendPair
    void tenThousandIdleConnections(BackendPair pair, TestReporter report) throws Exception {
        FdLimit limit = FdLimit.current().orElse(null);
        Assumptions.assumeTrue(limit != null, "cannot read RLIMIT_NOFILE from /proc/self/limits");
        if (limit.soft() < FDS_NEEDED) {
            Assumptions.assumeTrue(limit.hard() >= FDS_NEEDED, () -> "needs " + FDS_NEEDED + " descriptors, RLIMIT_NOFILE is " + limit);
            Optional<String> why = FdLimit.set(new FdLimit(limit.hard(), limit.hard()));
            Assumptions.assumeTrue(why.isEmpty(), () -> "needs " + FDS_NEEDED + " descriptors, RLIMIT_NOFILE is "
                    + limit + " and raising the soft limit failed: " + why.orElse(""));
        }
        try (Peer peer = Peer.start()) {
            hold(pair, peer, report);
        }
    }

    private static void hold(BackendPair pair, Peer peer, TestReporter report) throws Exception {
        // Room for a read and a write pending on every socket at once: the default in-flight limit
        // and completion ring (4,096 each) would hold the writes back behind the pending reads.
        Proactor server = pair.openServer(roomFor(pair));
        Proactor client = pair.openClient(roomFor(pair));
        AsyncServerSocket listener = Sockets.listen(server, SocketOptions.defaults().withBacklog(4096));
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        long heap0 = heapAfterGc();
        long native0 = NativeAccounting.outstandingBytes();
        long start = System.nanoTime();

        Queue<AsyncSocket> acceptedQueue = new ConcurrentLinkedQueue<>();
        try (AcceptLoop accepts = AcceptLoop.start(listener, 64, acceptedQueue::add)) {
            peer.command("connect " + port + " " + HALF, "ready");
            Waits.until(Duration.ofSeconds(30), () -> accepts.accepted() >= HALF || !accepts.failures().isEmpty(),
                    () -> accepts.accepted() + " of " + HALF + " accepted");
            assertThat(accepts.failures()).isEmpty();
        }
        List<AsyncSocket> accepted = new ArrayList<>(acceptedQueue);
        assertThat(accepted).hasSize(HALF);
        long heap1 = heapAfterGc();
        long native1 = NativeAccounting.outstandingBytes();

        String portLine = peer.command("listen " + HALF, "port ");
        InetSocketAddress peerListener = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(portLine.substring("port ".length()).trim()));
        List<AsyncSocket> connected = new ArrayList<>(HALF);
        for (int done = 0; done < HALF; done += 256) {
            List<Operation<AsyncSocket>> window = new ArrayList<>();
            for (int i = done; i < Math.min(HALF, done + 256); i++) {
                window.add(client.connect(peerListener));
            }
            window.forEach(op -> connected.add(Ops.result(op)));
        }
        peer.expect("ready");
        long held = System.nanoTime() - start;
        long heap2 = heapAfterGc();
        long native2 = NativeAccounting.outstandingBytes();

        List<AsyncSocket> all = new ArrayList<>(accepted);
        all.addAll(connected);
        assertThat(all).hasSize(CONNECTIONS);
        // Every connection carries a byte both ways: reads pending everywhere, a byte out on each, the peer echoes.
        List<Operation<Integer>> reads = new ArrayList<>(CONNECTIONS);
        List<ByteBuffer> bufs = new ArrayList<>(CONNECTIONS);
        for (AsyncSocket s : all) {
            ByteBuffer b = ByteBuffer.allocate(1);
            bufs.add(b);
            reads.add(s.read(b));
        }
        List<Operation<Integer>> writes = new ArrayList<>(CONNECTIONS);
        for (int i = 0; i < CONNECTIONS; i++) {
            writes.add(all.get(i).write(ByteBuffer.wrap(new byte[] {(byte) i})));
        }
        for (Operation<Integer> w : writes) {
            assertThat(Ops.result(w)).isEqualTo(1);
        }
        peer.command("echo", "echoed");
        for (int i = 0; i < CONNECTIONS; i++) {
            assertThat(Ops.result(reads.get(i))).as("read on connection %d", i).isEqualTo(1);
            assertThat(bufs.get(i).get(0)).as("byte echoed on connection %d", i).isEqualTo((byte) i);
        }
        long closeStart = System.nanoTime();
        List<Operation<Void>> closes = new ArrayList<>(CONNECTIONS);
        all.forEach(s -> closes.add(s.closeAsync()));
        closes.forEach(Ops::result);
        long closed = System.nanoTime() - closeStart;
        Ops.result(listener.closeAsync());

        long heapServer = (heap1 - heap0) / HALF;
        long nativeServer = (native1 - native0) / HALF;
        long heapClient = (heap2 - heap1) / HALF;
        long nativeClient = (native2 - native1) / HALF;
        Reports.publish(report, "idle", pair + ": " + CONNECTIONS + " connections held (" + HALF + " accepted, " + HALF
                + " connected) after " + TimeUnit.NANOSECONDS.toMillis(held) + " ms, closed in "
                + TimeUnit.NANOSECONDS.toMillis(closed) + " ms; per accepted socket (server " + dev.proactor.test.EachBackendExtension.shortName(pair.serverBackend())
                + "): heap " + heapServer + " B, native " + nativeServer + " B; per connected socket (client "
                + dev.proactor.test.EachBackendExtension.shortName(pair.clientBackend()) + "): heap " + heapClient + " B, native " + nativeClient + " B");
        assertThat(heapServer).as("heap bytes per accepted socket").isLessThan(HEAP_BOUND_PER_SOCKET);
        assertThat(heapClient).as("heap bytes per connected socket").isLessThan(HEAP_BOUND_PER_SOCKET);
        assertThat(nativeServer).as("native bytes per accepted socket").isLessThan(NATIVE_BOUND_PER_SOCKET);
        assertThat(nativeClient).as("native bytes per connected socket").isLessThan(NATIVE_BOUND_PER_SOCKET);
    }

    private static dev.proactor.ProactorConfig.Builder roomFor(BackendPair pair) {
        return pair.config().maxInFlight(4 * CONNECTIONS).completionQueueEntries(4 * 8192);
    }

    /**
     * The heap in use after three full GCs, from the platform {@code MemoryMXBean}. Reached by
     * reflection: the test module does not read {@code java.management}, while the test run (on
     * the class path) has it.
     */
    private static long heapAfterGc() throws ReflectiveOperationException {
        Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
        Class<?> beanType = Class.forName("java.lang.management.MemoryMXBean");
        Object bean = factory.getMethod("getMemoryMXBean").invoke(null);
        for (int i = 0; i < 3; i++) {
            beanType.getMethod("gc").invoke(bean);
        }
        Object usage = beanType.getMethod("getHeapMemoryUsage").invoke(bean);
        return (long) Class.forName("java.lang.management.MemoryUsage").getMethod("getUsed").invoke(usage);
    }

    /** The child process running {@link IdlePeer}, on this JVM's binary and class path. */
    private static final class Peer implements AutoCloseable {
        private final Process process;
        private final PrintStream to;
        private final BufferedReader from;

        private Peer(Process process) {
            this.process = process;
            this.to = new PrintStream(process.getOutputStream(), true, StandardCharsets.US_ASCII);
            this.from = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        }

        static Peer start() throws IOException {
            String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), IdlePeer.class.getName())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new Peer(p);
        }

        /** Sends {@code command} and returns the first answer line, which must start with {@code answer}. */
        String command(String command, String answer) throws IOException {
            to.println(command);
            return expect(answer);
        }

        String expect(String answer) throws IOException {
            String line = from.readLine();
            if (line == null || !line.startsWith(answer)) {
                throw new AssertionError("peer process answered '" + line + "', expected '" + answer + "...'");
            }
            return line;
        }

        /** Ends the peer's input, so it closes its sockets and exits; closes the pipes to it. */
        @Override
        public void close() throws IOException, InterruptedException {
            to.close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            from.close();
            process.getErrorStream().close();
        }
    }
}
