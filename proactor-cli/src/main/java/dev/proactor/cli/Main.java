package dev.proactor.cli;

import java.io.PrintWriter;
import java.util.List;
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

    /**
     * The subcommands, in the order {@code --help} lists them. Not in the {@code @Command}
     * annotation: picocli would build every one's model (reflection over its options, converters,
     * the classes it names) before parsing, about a third of a second of CPU at each start.
     */
    private static final List<Class<?>> SUBCOMMANDS = List.of(ProbeCommand.class, ServeCommand.class,
            HashCommand.class, EchoCommand.class, CommandLine.HelpCommand.class);

    /** The subcommand names, in the order of {@link #SUBCOMMANDS}; kept equal by a test. */
    static final List<String> SUBCOMMAND_NAMES = List.of("probe", "serve", "hash", "echo", "help");

    /**
     * The command line for {@code args}, with only the subcommand that {@code args} starts with when
     * it names one other than {@code help}, with none for a lone {@code --version}, and with all of them otherwise (help,
     * usage errors and unknown names list them all, so they read the same as before).
     */
    static CommandLine commandLine(boolean standardStreams, String... args) {
        CommandLine line = new CommandLine(new Main(standardStreams));
        int asked = args.length == 0 ? -1 : SUBCOMMAND_NAMES.indexOf(args[0]);
        if (asked >= 0 && SUBCOMMANDS.get(asked) == CommandLine.HelpCommand.class) {
            asked = -1; // help names another subcommand: it needs them all
        }
        boolean versionOnly = args.length == 1 && (args[0].equals("-V") || args[0].equals("--version"));
        for (int i = 0; i < SUBCOMMANDS.size(); i++) {
            if (asked == i || (asked < 0 && !versionOnly)) {
                line.addSubcommand(SUBCOMMANDS.get(i));
            }
        }
        return line;
    }

    /** Runs the command line on the standard streams; returns the exit code. */
    public static int run(String... args) {
        return commandLine(true, args).execute(args);
    }

    /**
     * Runs the command line writing to {@code out} and {@code err} instead of the standard streams
     * (for tests and embedding); returns the exit code. Nothing is drawn for a terminal.
     */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(false, args).setOut(out).setErr(err).execute(args);
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
