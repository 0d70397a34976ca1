package dev.proactor.cli;

import dev.proactor.BackendChoice;
import dev.proactor.CapabilityReport;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Prints the capability report: the backend chosen and why, the kernel, the io_uring features and
 * opcodes found, and why anything is off. It opens a real proactor and runs one no-op through it,
 * so a report that says io_uring has been exercised, not only detected.
 */
@Command(name = "probe", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Print what this platform offers and which backend Proactor picks, and why.")
final class ProbeCommand implements Callable<Integer> {
    @Option(names = "--backend", defaultValue = "auto", converter = BackendConverter.class,
            description = "Backend to open: auto, io_uring or portable (default: ${DEFAULT-VALUE}).")
    BackendChoice backend;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProactorConfig config = ProactorConfig.builder().name("probe").backend(backend).workerThreads(1)
                .bufferCount(0).build();
        try (Proactor proactor = Proactor.open(config)) {
            proactor.nop().await();
            CapabilityReport report = proactor.capabilities();
            out.print(json ? report.toJson() + System.lineSeparator() : report.toText());
            out.flush();
            return 0;
        } catch (UncheckedIOException e) {
            err.println("proactor: cannot open backend " + BackendConverter.name(backend) + ": "
                    + e.getCause().getMessage());
            return 1;
        }
    }
}
