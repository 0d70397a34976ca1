package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.BackendChoice;
import dev.proactor.test.ProactorFixture;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A {@link StaticFileServer} running in-process on port 0 over one variant of the core harness
 * ({@link dev.proactor.test.EachBackend}: io_uring, portable, io_uring-fallback), checked to be of
 * it. Closing it stops the server and checks what every test must leave behind: a clean close
 * report, every operation initiated also ended (the exactly-once ledger, no duplicates or strays),
 * no thread of the server's proactor alive, and this process's descriptors back at their count
 * before the start. The harness's {@link ProactorFixture} checks the process once more after the
 * test (descriptors, native bytes).
 */
final class ServerFixture implements AutoCloseable {
    final StaticFileServer server;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    private final List<String> fdsBefore;
    private StaticFileServer.Summary summary;

    /** Options for tests: loopback, port 0, short timeouts where a test does not set its own. */
    static ServeOptions.Builder options(Path root, ProactorFixture variant) {
        return options(root, variant.backend());
    }

    private static ServeOptions.Builder options(Path root, BackendChoice backend) {
        return ServeOptions.builder(root).port(0).backend(backend).maxConnections(64)
                .idleTimeout(Duration.ofSeconds(30));
    }

    ServerFixture(Path root, ProactorFixture variant) throws Exception {
        this(options(root, variant).build(), variant);
    }

    /** Starts a server with {@code options}, whose backend is {@code variant}'s, in the variant. */
    ServerFixture(ServeOptions options, ProactorFixture variant) throws Exception {
        warmUp(options.root());
        fdsBefore = ioDescriptors();
        server = variant.callInVariant(() -> StaticFileServer.start(options, new PrintWriter(out, true),
                new PrintWriter(err, true)));
        variant.assertVariant(server.proactor().capabilities());
    }

    private static boolean warm;

    /**
     * The first server and HTTP client in a JVM leave descriptors the JDK keeps for itself for the
     * rest of the run (a connected Unix socket pair appears once); a throwaway exchange on both
     * backends first keeps them out of every test's baseline comparison.
     */
    private static synchronized void warmUp(Path root) throws Exception {
        if (warm) {
            return;
        }
        warm = true;
        for (BackendChoice backend : new BackendChoice[] {BackendChoice.AUTO, BackendChoice.PORTABLE}) {
            StaticFileServer s = StaticFileServer.start(options(root, backend).build(), new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()));
            try (java.net.http.HttpClient c = java.net.http.HttpClient.newHttpClient()) {
                c.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.address().getPort() + "/"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        }
    }

    int port() {
        return server.address().getPort();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** Stops the server and returns what the stop found; the checks run in {@link #close()}. */
    StaticFileServer.Summary stop() throws InterruptedException {
        return stop(Duration.ofSeconds(5));
    }

    /** Stops the server with this shutdown deadline, once; later calls return the first summary. */
    synchronized StaticFileServer.Summary stop(Duration deadline) throws InterruptedException {
        if (summary == null) {
            summary = server.stop(deadline);
        }
        return summary;
    }

    @Override
    public void close() throws Exception {
        StaticFileServer.Summary s = stop();
        assertThat(s.clean()).as("close reports: %s", s.closes()).isTrue();
        for (var m : s.metrics()) {
            assertThat(m.ledger().outstanding()).as("ledger %s", m.ledger()).isZero();
            assertThat(m.ledger().duplicates()).isZero();
            assertThat(m.ledger().strays()).isZero();
            assertThat(m.handlerFailures()).isZero();
        }
        assertThat(err.toString()).as("the server reported").isEmpty();
        Set<String> threads = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName).filter(n -> n.startsWith("serve-")).collect(Collectors.toSet());
        assertThat(threads).as("threads of the server's proactor").isEmpty();
        List<String> after = ioDescriptors();
        for (String fd : fdsBefore) {
            after.remove(fd);
        }
        assertThat(after).as("descriptors opened since the start and still open").isEmpty();
    }

    /**
     * What this process's sockets, pipes, rings, eventfds and files under temporary directories
     * are (as {@code /proc/self/fd} names them: {@code socket:[inode]}, {@code pipe:[inode]}, {@code anon_inode:[io_uring]}, or the path). Jars
     * and other files the JVM opens lazily for itself are left out: they are not the server's.
     */
    static List<String> ioDescriptors() throws IOException {
        List<String> kinds = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile (the listing's own descriptor)
                }
                if (target.startsWith("socket:")) {
                    kinds.add(target);
                } else if (target.startsWith("pipe:")) {
                    kinds.add(target);
                } else if (target.startsWith("anon_inode:")) {
                    kinds.add(target);
                } else if (target.startsWith(System.getProperty("java.io.tmpdir"))) {
                    kinds.add(target);
                }
            }
        }
        return kinds;
    }
}
