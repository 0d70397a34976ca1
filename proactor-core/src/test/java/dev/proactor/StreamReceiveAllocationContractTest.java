package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import dev.proactor.test.ThreadAllocation;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What a received chunk costs the proactor's threads on {@link AsyncSocket#receiveEach}'s multishot
 * path: its {@link BufferLease} and the lease's segment, and nothing per hand-off (no queue node on
 * the way to the handler, no command on the way back when it is released). Measured as the bytes
 * the dispatcher and the workers allocate over many chunks, divided by the chunks; what does not
 * grow with the chunks (a queue's growth, a lazily made lookup) vanishes in the division.
 */
class StreamReceiveAllocationContractTest {

    /** Messages the client sends per measured stretch, 64 bytes each, one at a time. */
    private static final int MESSAGES = 10_000;
    /**
     * The lease (40 bytes) and its segment (a slice, 40): 80 measured, 96 when C2 compiled the path
     * after other tests' streams had widened its profiles; no room for a hand-off's node (24 bytes
     * each). Before: the backend's chunk record, a queue node to the handler, a command back from
     * each release and, from a worker, the command's inbox node made it 144-160 bytes with inline
     * handlers and 168-184 with a worker.
     */
    private static final long BYTES_PER_CHUNK = 96;

    @EachBackend
    void aReceivedChunkCostsItsLeaseAndSegmentOnTheDispatcher(ProactorFixture fixture) throws Exception {
        ThreadAllocation threads = counting(fixture);
        Proactor p = fixture.open(fixture.config().inlineHandlers(true));
        String name = fixture.nameOf(p);
        assertPerChunk(p, threads, () -> new long[] {ThreadAllocation.dispatcherThread(name)}, "the dispatcher");
    }

    @EachBackend
    void aReceivedChunkCostsItsLeaseAndSegmentWithHandlersOnAWorker(ProactorFixture fixture) throws Exception {
        ThreadAllocation threads = counting(fixture);
        Proactor p = fixture.open(fixture.config().inlineHandlers(false).workerThreads(1));
        String name = fixture.nameOf(p);
        assertPerChunk(p, threads, () -> ThreadAllocation.proactorThreads(name), "the proactor's threads");
    }

    /** The allocation counter, on io_uring's multishot receive (the path whose chunks this is about). */
    private static ThreadAllocation counting(ProactorFixture fixture) throws Exception {
        assumeTrue(fixture.backend() == BackendChoice.IO_URING, "the portable backend keeps a record per submission");
        assumeTrue(fixture.uringMask() == null, "the io_uring fallback routes receive single-shot");
        ThreadAllocation threads = new ThreadAllocation();
        assumeTrue(threads.supported(), "this JVM does not count allocated bytes per thread");
        return threads;
    }

    /** Measures after a warm-up, on the threads {@code threads} names then (workers start lazily). */
    private static void assertPerChunk(Proactor p, ThreadAllocation threads, Supplier<long[]> measured, String who)
            throws Exception {
        String recv = p.capabilities().operations().get(OperationKind.RECV);
        assumeTrue(recv.contains("receiveEach: multishot"), "no multishot receive here: " + recv);
        try (AsyncServerSocket listener = Sockets.listen(p)) {
            Operation<AsyncSocket> accept = listener.accept();
            try (Socket client = new Socket()) {
                client.connect(listener.localAddress());
                client.setTcpNoDelay(true);
                AsyncSocket server = Ops.result(accept);
                Counter counter = new Counter();
                OperationStream stream = server.receiveEach(counter);
                OutputStream out = client.getOutputStream();
                // Warm-up: the interpreter and C1 allocate what C2's escape analysis removes.
                for (int i = 0; i < 5; i++) {
                    counter.sendAndAwait(out);
                }
                long[] ids = measured.get();
                java.util.List<String> tries = new java.util.ArrayList<>();
                long best = Long.MAX_VALUE;
                // A recompilation (a deoptimised path) can allocate once in a while, so three tries.
                for (int i = 0; i < 3 && best > BYTES_PER_CHUNK; i++) {
                    long chunksBefore = counter.chunks.get();
                    long bytes = threads.during(ids, () -> counter.sendAndAwait(out));
                    long chunks = counter.chunks.get() - chunksBefore;
                    assertThat(chunks).as("chunks in a stretch of %d messages", MESSAGES).isGreaterThanOrEqualTo(MESSAGES / 2);
                    long perChunk = bytes / chunks;
                    tries.add(bytes + " B for " + chunks + " chunks (" + perChunk + " B each)");
                    best = Math.min(best, perChunk);
                }
                System.out.println("[report] receive-stream allocation, " + who + ": " + tries);
                assertThat(best).as("bytes %s allocated per chunk received: %s", who, tries)
                        .isLessThanOrEqualTo(BYTES_PER_CHUNK);
                client.shutdownOutput();
                assertThat(Ops.result(stream)).isEqualTo(counter.bytes.get());
                Ops.result(server.closeAsync());
            }
        }
    }

    /**
     * Releases each chunk at once and counts chunks and bytes; the client sends a message only
     * once the last one has been delivered, so that each message is a chunk of its own.
     */
    private static final class Counter implements StreamHandler<BufferLease> {
        final AtomicLong chunks = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        /** A permit per byte delivered. */
        private final Semaphore delivered = new Semaphore(0);

        @Override
        public void next(BufferLease chunk) {
            int n = (int) chunk.segment().byteSize();
            chunk.release();
            bytes.addAndGet(n);
            chunks.incrementAndGet();
            delivered.release(n);
        }

        /** Sends {@link #MESSAGES} messages of 64 bytes, each once the one before was delivered. */
        void sendAndAwait(OutputStream out) {
            byte[] message = new byte[64];
            try {
                for (int i = 0; i < MESSAGES; i++) {
                    out.write(message);
                    assertThat(delivered.tryAcquire(message.length, 60, TimeUnit.SECONDS)).as("message %d delivered", i)
                            .isTrue();
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
