package dev.proactor.cli;

import dev.proactor.AdmissionPolicy;
import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.BackendChoice;
import dev.proactor.CloseReport;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.ProactorException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A TCP echo server, the target of the socket benchmarks: it sends back every byte it receives.
 * Everything after the listen runs in completion handlers (see {@link EchoServer}); the command's
 * own thread only waits for the signal to stop. SIGINT and SIGTERM stop it through a shutdown hook
 * (the process then exits with 128 + the signal, whatever the command returns); interrupting the
 * thread that runs the command stops it the same way and returns 0, which is how a test stops it.
 */
@Command(name = "echo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {
            "Run a TCP echo server until SIGINT or SIGTERM. Prints the address it listens on and the"
                    + " backend, then echoes every connection with completion handlers."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"130:stopped by SIGINT (143 for SIGTERM: 128 + the signal, as the JVM exits)",
            "0:stopped in-process (the thread running it interrupted)",
            "1:the backend could not be opened or the address bound", "2:bad usage"})
final class EchoCommand implements Callable<Integer> {
    /** How long the stop lets operations still pending end by themselves before cancelling them. */
    static final Duration SHUTDOWN_DEADLINE = Duration.ofSeconds(2);

    /**
     * Connections served at once unless {@code --max-connections} says otherwise. With {@link
     * #WRITE_ROOM} and the accept it makes an in-flight limit of 20,481, whose completions (three
     * per operation, as the io_uring backend reserves) one ring of 65,536 entries holds.
     */
    static final int DEFAULT_MAX_CONNECTIONS = 16384;

    /**
     * In-flight operations beyond one receive stream per connection and the pending accept: room for
     * the echo writes, which end as soon as the kernel took their bytes. Writes past it wait in the
     * proactor's admission queue, never on a handler's thread.
     */
    static final int WRITE_ROOM = 4096;

    @Option(names = "--port", defaultValue = "7007", paramLabel = "PORT",
            description = "TCP port; 0 for any free one, printed at start (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--backend", defaultValue = "auto", converter = BackendConverter.class,
            description = "Backend: auto, io_uring or portable (default: ${DEFAULT-VALUE}).")
    BackendChoice backend;

    @Option(names = "--workers", paramLabel = "N",
            description = "Worker threads that run the handlers (default: one per core).")
    Integer workers;

    @Option(names = "--inline-handlers",
            description = "Run handlers on the dispatcher thread: no hand-off to a worker.")
    boolean inlineHandlers;

    @Option(names = "--max-connections", defaultValue = "" + DEFAULT_MAX_CONNECTIONS, paramLabel = "N",
            description = "Connections served at once, at most 1048576; more wait in the listen backlog until"
                    + " one closes (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be in [0, 65535]: " + port);
        }
        if (workers != null && (workers < 1 || workers > 4096)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--workers must be in [1, 4096]: " + workers);
        }
        if (workers != null && inlineHandlers) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--workers and --inline-handlers exclude each other: inline handlers use no workers");
        }
        if (maxConnections < 1 || maxConnections > 1 << 20) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--max-connections must be in [1, 1048576]: " + maxConnections);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        // Every connection holds one receive stream for as long as it is open, and an operation that
        // is in flight counts against the proactor's in-flight limit: the limit must hold one
        // stream per connection, or a connection past it would be accepted and its stream left
        // waiting for a slot that no idle connection frees. Writes beyond WRITE_ROOM queue (each
        // waits for a write ahead of it to end) rather than block the handler that made them; the
        // queue holds at most one write per chunk lent, connections x receive backlog.
        ProactorConfig.Builder config = ProactorConfig.builder().name("echo").backend(backend)
                .inlineHandlers(inlineHandlers).maxInFlight(maxConnections + WRITE_ROOM + 1)
                .admission(AdmissionPolicy.queue(Integer.MAX_VALUE));
        if (workers != null) {
            config.workerThreads(workers);
        }
        Proactor proactor;
        try {
            proactor = Proactor.open(config.build());
        } catch (UncheckedIOException e) {
            err.println("proactor echo: cannot open backend " + BackendConverter.name(backend) + ": "
                    + e.getCause().getMessage());
            return 1;
        }
        AsyncServerSocket listener;
        try {
            listener = proactor.listen(new InetSocketAddress(bind, port)).await();
        } catch (ProactorException | InterruptedException e) {
            err.println("proactor echo: cannot listen on " + bind + ":" + port + ": " + e.getMessage());
            proactor.close(SHUTDOWN_DEADLINE);
            return 1;
        }

        EchoServer server = new EchoServer(proactor, listener, maxConnections, err);
        SignalStop signal = new SignalStop("proactor-echo-shutdown", SHUTDOWN_DEADLINE.plusSeconds(3), false);
        out.println("proactor echo: listening on " + address(listener) + " (backend " + proactor.backendName()
                + ", " + (inlineHandlers ? "inline handlers" : proactor.config().workerThreads() + " workers")
                + ", at most " + maxConnections + " connections)");
        out.flush();
        server.start();
        signal.await();
        try (signal) {
            server.stop();
            CloseReport report = proactor.close(SHUTDOWN_DEADLINE);
            long served = server.accepted();
            out.println("proactor echo: stopped after " + served + (served == 1 ? " connection" : " connections")
                    + (report.clean() ? "" : " (" + report.abandoned().size() + " operations abandoned)"));
            out.flush();
        }
        return 0;
    }

    private static String address(AsyncServerSocket listener) {
        return listener.localAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() + ":" + a.getPort() : String.valueOf(listener.localAddress());
    }
}
