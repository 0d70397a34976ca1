package dev.proactor.internal.nio;

import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.time.Duration;

/**
 * Run in a child JVM by {@link NioAutoFallbackTest} (io_uring's availability is decided once per
 * JVM): opens a proactor with the default AUTO choice, prints the backend and the reason, runs a nop
 * and a timer, and closes.
 */
public final class AutoFallbackMain {
    private AutoFallbackMain() {}

    public static void main(String[] args) throws Exception {
        try (Proactor p = Proactor.open(ProactorConfig.builder().name("fallback").build())) {
            System.out.println("backend=" + p.backendName());
            System.out.println("reason=" + p.capabilities().reason());
            System.out.println("notes=" + p.capabilities().notes());
            p.nop().await();
            p.timer(Duration.ofMillis(1)).await();
        }
    }
}
