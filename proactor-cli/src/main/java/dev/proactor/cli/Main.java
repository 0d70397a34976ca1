package dev.proactor.cli;

import java.io.PrintWriter;
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
        subcommands = {ProbeCommand.class, ServeCommand.class, HashCommand.class, EchoCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the work failed", "2:bad usage"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Whether out and err are the process's own standard streams, so that a command may look at
     * the terminal behind them (the progress bar of {@code hash}); false when a caller captured them.
     */
    final boolean standardStreams;

    private Main(boolean standardStreams) {
        this.standardStreams = standardStreams;
    }

    /**
     * The library logs through {@link System.Logger}, which the JDK sends to {@code
     * java.util.logging} and so to standard error, into the middle of a command's output; its
     * backend choice and the set-ups it degrades to are DEBUG. Every command that cares prints the
     * backend itself, so below WARNING stays quiet unless a logging configuration says otherwise. Held here: the logging system keeps loggers
     * only weakly, and a collected one would forget its level.
     */
    private static final java.util.logging.Logger LIBRARY_LOG = java.util.logging.Logger.getLogger("dev.proactor");

    static {
        if (LIBRARY_LOG.getLevel() == null && System.getProperty("java.util.logging.config.file") == null) {
            LIBRARY_LOG.setLevel(java.util.logging.Level.WARNING);
        }
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line on the standard streams; returns the exit code. */
    public static int run(String... args) {
        return new CommandLine(new Main(true)).execute(args);
    }

    /**
     * Runs the command line writing to {@code out} and {@code err} instead of the standard streams
     * (for tests and embedding); returns the exit code. Nothing is drawn for a terminal.
     */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        return new CommandLine(new Main(false)).setOut(out).setErr(err).execute(args);
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
