package dev.proactor.bench;

import dev.proactor.BackendChoice;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.util.concurrent.CountDownLatch;

/**
 * Not a JMH benchmark: counts the proactor's own calls into the kernel per no-op
 * ({@link dev.proactor.MetricsSnapshot#kernelCalls()}), one at a time and in batches of 32, with
 * inline and worker handlers, and in the pipelined chains of {@link NopChains} (1 and 32 chains,
 * inline handlers). The raw loop makes exactly one {@code io_uring_enter} per round
 * trip or per batch, so this says how much of a gap in {@link NopRoundTrip} is extra system calls.
 * Counts only; it measures no time.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp proactor-benchmarks/target/benchmarks.jar
 * dev.proactor.bench.KernelCallsPerOp [operations]}
 */
public final class KernelCallsPerOp {

    private KernelCallsPerOp() {}

    /** Prints one line per configuration. */
    public static void main(String[] args) throws Exception {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        for (boolean inline : new boolean[] {true, false}) {
            ProactorConfig config = ProactorConfig.builder().name("calls").backend(BackendChoice.IO_URING)
                    .inlineHandlers(inline).bufferCount(0).build();
            try (Proactor p = Proactor.open(config)) {
                long before = p.metrics().kernelCalls();
                for (int i = 0; i < ops; i++) {
                    p.nop().await();
                }
                long single = p.metrics().kernelCalls() - before;
                before = p.metrics().kernelCalls();
                int batches = ops / 32;
                for (int b = 0; b < batches; b++) {
                    CountDownLatch done = new CountDownLatch(32);
                    for (int i = 0; i < 32; i++) {
                        p.nop().onComplete((r, f) -> done.countDown());
                    }
                    done.await();
                }
                long batched = p.metrics().kernelCalls() - before;
                System.out.printf("handlers=%-6s one at a time: %.2f kernel calls per nop;"
                                + " batches of 32: %.2f per batch (%.3f per nop)%n",
                        inline ? "inline" : "worker", (double) single / ops,
                        (double) batched / batches, (double) batched / (batches * 32L));
            }
        }
        ProactorConfig inline = ProactorConfig.builder().name("calls").backend(BackendChoice.IO_URING)
                .inlineHandlers(true).bufferCount(0).build();
        try (Proactor p = Proactor.open(inline)) {
            NopChains chains = new NopChains(p, false);
            chains.run(32, ops); // warm-up
            for (int k : new int[] {1, 32}) {
                long before = p.metrics().kernelCalls();
                chains.run(k, ops);
                long calls = p.metrics().kernelCalls() - before;
                System.out.printf("pipelined, %2d chain%s: %.3f kernel calls per nop (%.1f nops per call)%n",
                        k, k == 1 ? " " : "s", (double) calls / ops, (double) ops / calls);
            }
        }
    }
}
