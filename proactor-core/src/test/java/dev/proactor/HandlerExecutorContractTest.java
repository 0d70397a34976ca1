package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.TestFiles;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A caller-supplied {@link ProactorConfig#handlerExecutor()}: every handler runs on it (the
 * proactor starts no workers of its own), and closing the proactor leaves the executor running,
 * since the caller owns it. Virtual threads are fine.
 */
class HandlerExecutorContractTest {

    private static final int OPS = 500;

    /** Counts the tasks it is given and runs them on {@code delegate}. */
    private record Counting(ExecutorService delegate, AtomicInteger tasks) implements java.util.concurrent.Executor {
        @Override
        public void execute(Runnable command) {
            tasks.incrementAndGet();
            delegate.execute(command);
        }
    }

    @EachBackend
    void handlersRunOnTheCallersExecutorWhichCloseLeavesRunning(ProactorFixture fixture) throws Exception {
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2,
                r -> Thread.ofPlatform().name("caller-handler-" + n.incrementAndGet()).unstarted(r));
        try {
            AtomicInteger tasks = new AtomicInteger();
            Proactor p = fixture.open(fixture.config().handlerExecutor(new Counting(pool, tasks)));
            String name = fixture.nameOf(p);
            Set<String> handlerThreads = ConcurrentHashMap.newKeySet();
            AtomicInteger handled = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(OPS + 1);
            for (int i = 0; i < OPS; i++) {
                p.nop().onComplete((v, failure) -> {
                    handlerThreads.add(Thread.currentThread().getName());
                    if (failure == null) {
                        handled.incrementAndGet();
                    }
                    done.countDown();
                });
            }
            Path file = fixture.tempDir().resolve("h.bin");
            TestFiles.writeRandom(file, 1000, 3);
            AsyncFile f = Ops.result(p.openFile(file, StandardOpenOption.READ));
            f.read(0, ByteBuffer.allocate(1000)).onComplete((r, failure) -> {
                handlerThreads.add(Thread.currentThread().getName());
                if (failure == null && r == 1000) {
                    handled.incrementAndGet();
                }
                done.countDown();
            });
            assertThat(done.await(30, TimeUnit.SECONDS)).as("%d handlers did not run", done.getCount()).isTrue();
            assertThat(handled.get()).isEqualTo(OPS + 1);
            assertThat(handlerThreads).as("threads that ran handlers").isNotEmpty()
                    .allMatch(t -> t.startsWith("caller-handler-"), "is one of the caller's threads");
            assertThat(tasks.get()).as("tasks handed to the caller's executor").isGreaterThanOrEqualTo(OPS + 1);
            assertThat(Thread.getAllStackTraces().keySet()).as("the proactor's own workers")
                    .noneMatch(t -> t.getName().startsWith(name + "-worker-"));
            Ops.result(f.closeAsync());

            p.close();
            assertThat(pool.isShutdown()).as("the caller's executor after close").isFalse();
            Future<String> still = pool.submit(() -> "still running");
            assertThat(still.get(30, TimeUnit.SECONDS)).isEqualTo("still running");
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @EachBackend
    void virtualThreadsMayRunTheHandlers(ProactorFixture fixture) throws Exception {
        try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            Proactor p = fixture.open(fixture.config().handlerExecutor(virtual));
            AtomicInteger onVirtual = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(OPS);
            for (int i = 0; i < OPS; i++) {
                p.timer(java.time.Duration.ofNanos(i * 1000L)).onComplete((v, failure) -> {
                    if (failure == null && Thread.currentThread().isVirtual()) {
                        onVirtual.incrementAndGet();
                    }
                    done.countDown();
                });
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).as("%d handlers did not run", done.getCount()).isTrue();
            assertThat(onVirtual.get()).as("handlers that ran on a virtual thread").isEqualTo(OPS);
            // await() is served through the same hand-off.
            assertThat(Ops.result(p.nop())).isNull();
            p.close();
            assertThat(virtual.isShutdown()).isFalse();
        }
    }
}
