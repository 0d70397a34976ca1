package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.TestFiles;
import dev.proactor.test.Waits;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The blocking facade on virtual threads, and handlers added after an operation ended. */
class VirtualThreadAwaitContractTest {

    @EachBackend
    void aThousandVirtualThreadsOpenReadAndAwait(ProactorFixture fixture) throws Exception {
        Path file = fixture.tempDir().resolve("shared.bin");
        int size = 16 * 1024;
        TestFiles.writeRandom(file, size, 5);
        byte[] expected = TestFiles.slice(file, 0, size);
        Proactor p = fixture.proactor();
        List<Future<Integer>> results = new ArrayList<>();
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 1000; i++) {
                int me = i;
                results.add(vts.submit(() -> {
                    assertThat(Thread.currentThread().isVirtual()).isTrue();
                    AsyncFile f = p.openFile(file, StandardOpenOption.READ).await();
                    try {
                        int offset = (me * 97) % (size - 512);
                        ByteBuffer buf = me % 2 == 0 ? ByteBuffer.allocate(512) : ByteBuffer.allocateDirect(512);
                        int n = f.read(offset, buf).await();
                        byte[] got = new byte[n];
                        buf.flip().get(got);
                        for (int k = 0; k < n; k++) {
                            if (got[k] != expected[offset + k]) {
                                throw new AssertionError("thread " + me + ": byte " + (offset + k) + " differs");
                            }
                        }
                        return n;
                    } finally {
                        f.closeAsync().await();
                    }
                }));
            }
            for (Future<Integer> r : results) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isEqualTo(512);
            }
        }
    }

    @EachBackend
    void aHandlerAddedAfterCompletionRunsOnceOnAWorker(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        String workers = p.config().name() + "-worker-";
        for (int round = 0; round < 100; round++) {
            Operation<Void> op = p.nop();
            assertThat(Ops.result(op)).isNull();
            assertThat(op.isDone()).isTrue();
            AtomicInteger calls = new AtomicInteger();
            ConcurrentLinkedQueue<String> threads = new ConcurrentLinkedQueue<>();
            Thread caller = Thread.currentThread();
            op.onComplete((v, failure) -> {
                threads.add(Thread.currentThread() == caller ? "CALLER" : Thread.currentThread().getName());
                calls.incrementAndGet();
            });
            Waits.until(Duration.ofSeconds(5), () -> calls.get() >= 1, () -> "late handler did not run");
            // A second late handler runs too; neither runs twice.
            AtomicInteger second = new AtomicInteger();
            op.onComplete((v, failure) -> second.incrementAndGet());
            Waits.until(Duration.ofSeconds(5), () -> second.get() == 1, () -> "second late handler did not run");
            assertThat(calls.get()).isEqualTo(1);
            assertThat(threads).singleElement().asString().startsWith(workers);
        }
        // Also from a virtual thread, for a failed operation.
        Operation<Void> cancelled = p.timer(Duration.ofHours(1));
        cancelled.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        Thread vt = Thread.ofVirtual().start(() -> cancelled.onComplete((v, failure) -> seen.add(
                Thread.currentThread().getName() + "|" + (failure instanceof OperationCancelledException))));
        vt.join(10_000);
        Waits.until(Duration.ofSeconds(5), () -> !seen.isEmpty(), () -> "late handler after cancel did not run");
        assertThat(seen).singleElement().asString().startsWith(workers).endsWith("|true");
    }
}
