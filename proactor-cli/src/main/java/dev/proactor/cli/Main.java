package dev.proactor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code proactor} command. Built on the library's public API alone, the way an application
 * would use it.
 *
 * <p>Exit codes: 0 success, 1 the work failed (for example a backend that cannot be opened),
 * 2 bad usage.
 */
@Command(
        name = "proactor",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Completion-based asynchronous I/O for Java: io_uring through FFM, with a portable fallback.",
        subcommands = {ProbeCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the work failed", "2:bad usage"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; returns the exit code. */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: " + String.join(", ",
                spec.subcommands().keySet()));
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"proactor " + (v == null ? "development" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
