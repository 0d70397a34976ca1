package dev.proactor.internal.select;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.proactor.BackendChoice;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Run in a child JVM under the seccomp wrapper: checks that {@code auto} picked the portable backend,
 * then runs the contract suite's quick subset there through the JUnit Platform, and prints the
 * summary as {@code key=value} lines. Exits 0 only when tests ran and none failed.
 */
public final class RefusedUringContractChild {
    private RefusedUringContractChild() {}

    /** The contract classes that make the quick subset: files, timers, handlers, sockets. */
    static final String[] QUICK_SUBSET = {
        "dev.proactor.FileOperationsContractTest",
        "dev.proactor.TimerContractTest",
        "dev.proactor.HandlerFailureContractTest",
        "dev.proactor.SocketConnectContractTest",
        "dev.proactor.SocketStreamContractTest",
    };

    public static void main(String[] args) {
        try (Proactor p = Proactor.open(ProactorConfig.builder().backend(BackendChoice.AUTO).workerThreads(1).build())) {
            System.out.println("auto=" + p.backendName() + " | " + p.capabilities().reason());
        }
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (String c : QUICK_SUBSET) {
            request.selectors(selectClass(c));
        }
        request.configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true");
        LauncherDiscoveryRequest built = request.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(built, listener);
        TestExecutionSummary s = listener.getSummary();
        System.out.println("found=" + s.getTestsFoundCount());
        System.out.println("succeeded=" + s.getTestsSucceededCount());
        System.out.println("skipped=" + s.getTestsSkippedCount());
        System.out.println("failed=" + s.getTotalFailureCount());
        if (s.getTotalFailureCount() > 0) {
            s.printFailuresTo(new PrintWriter(System.out, true), 20);
        }
        System.out.flush();
        System.exit(s.getTotalFailureCount() == 0 && s.getTestsSucceededCount() > 0 ? 0 : 1);
    }
}
