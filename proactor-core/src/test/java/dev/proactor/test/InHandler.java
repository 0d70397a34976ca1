package dev.proactor.test;

import dev.proactor.Proactor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs test code inside a completion handler, on whatever thread the proactor runs handlers on. */
public final class InHandler {
    private InHandler() {}

    /** How long a handler may take before the test counts it as hung. */
    private static final long HANG_SECONDS = 30;

    /** Test code that may throw anything; what it threw is the result. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    /**
     * Runs {@code action} in the handler of a nop on {@code p} and returns what it threw, or null;
     * fails the test if the handler does not end within 30 seconds.
     */
    public static Throwable thrown(Proactor p, Action action) throws Exception {
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        p.nop().onComplete((v, failure) -> {
            try {
                action.run();
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
        });
        return thrown.get(HANG_SECONDS, TimeUnit.SECONDS);
    }
}
