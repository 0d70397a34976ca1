package dev.proactor.internal.select;

import dev.proactor.BackendChoice;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.internal.uring.UringSupport;
import java.io.UncheckedIOException;

/**
 * Run in a child JVM under the seccomp wrapper: prints what the library says about io_uring and
 * what opening each backend choice does, one {@code key=value} line each, and exits 0.
 */
public final class RefusedUringChild {
    private RefusedUringChild() {}

    public static void main(String[] args) {
        System.out.println("available=" + UringSupport.isAvailable());
        System.out.println("cause=" + UringSupport.unavailabilityCause().orElse(""));
        for (BackendChoice choice : BackendChoice.values()) {
            try (Proactor p = Proactor.open(ProactorConfig.builder().backend(choice).workerThreads(1).bufferCount(0).build())) {
                p.nop().await();
                System.out.println(choice + "=opened " + p.backendName() + " | " + p.capabilities().reason());
            } catch (UncheckedIOException e) {
                System.out.println(choice + "=refused " + e.getCause().getMessage());
            } catch (Exception e) {
                System.out.println(choice + "=error " + e);
            }
        }
    }
}
