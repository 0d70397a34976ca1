package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The steps that may block never run on a dispatcher: with the handlers inline (the default) the
 * dispatcher hands them to {@link BlockingWork}, and with {@code --workers} the workers do. Each
 * blocking call tells {@link BlockingWork#observe} the thread it runs on; the tests assert those
 * threads, not any duration: a listing of a directory of {@value #FILES} entries, the real path of
 * the EXDEV fallback (an absolute link inside the root) and of the listed directory, and the
 * access log written to a writer. On every variant of the core harness.
 */
class ServeBlockingWorkTest {
    private static final int FILES = 3000;

    @TempDir
    Path tmp;

    Path root;

    @BeforeEach
    void tree() throws Exception {
        root = ServeRawSocketTest.tree(tmp);
        Path big = Files.createDirectories(root.resolve("big"));
        for (int i = 0; i < FILES; i++) {
            Files.writeString(big.resolve(String.format("f%05d.txt", i)), "x");
        }
        Files.createSymbolicLink(root.resolve("abs-in"), root.resolve("a.txt")); // EXDEV under RESOLVE_BENEATH
    }

    /** Handlers inline: the dispatcher hands each blocking step over and makes none itself. */
    @EachBackend
    void inlineHandlersHandBlockingStepsToServesOwnThreads(ProactorFixture variant) throws Exception {
        Map<String, List<Thread>> calls = serve(variant, 0);
        Thread dispatcher = calls.get("dispatcher").get(0);
        assertThat(calls.get(BlockingWork.HAND_OFF)).as("handed over by the dispatcher, in its inline handlers")
                .contains(dispatcher);
        assertBlockingCallsOnServesThreads(calls, dispatcher);
    }

    /** Handlers on workers: the blocking steps still go to serve's own threads, never the dispatcher's. */
    @EachBackend
    void workerHandlersHandBlockingStepsToServesOwnThreadsToo(ProactorFixture variant) throws Exception {
        Map<String, List<Thread>> calls = serve(variant, 2);
        Thread dispatcher = calls.get("dispatcher").get(0);
        assertThat(calls.get(BlockingWork.HAND_OFF)).as("handed over by the workers").isNotEmpty()
                .allSatisfy(t -> assertThat(t.getName()).startsWith("serve-worker-"));
        assertBlockingCallsOnServesThreads(calls, dispatcher);
    }

    /**
     * Serves a listing of {@code big/}, the linked {@code abs-in} through the fallback and logs
     * both to a writer, and returns, per kind of call, the threads it was made on, and under
     * {@code "dispatcher"} the server's dispatcher thread, looked up while it runs.
     */
    private Map<String, List<Thread>> serve(ProactorFixture variant, int workers) throws Exception {
        Map<String, List<Thread>> calls = new ConcurrentHashMap<>();
        ServeOptions o = ServerFixture.options(root, variant).workers(workers).fileCacheEntries(0).accessLog("-")
                .build();
        try (ServerFixture f = new ServerFixture(o, variant); RawHttp c = new RawHttp(f.port())) {
            assertThat(f.server.proactor().config().inlineHandlers()).isEqualTo(workers == 0);
            f.server.blocking().observe(what -> calls.computeIfAbsent(what, k -> new CopyOnWriteArrayList<>())
                    .add(Thread.currentThread()));
            RawHttp.Response listing = c.send("GET /big/ HTTP/1.1\r\n" + ServeRawSocketTest.HOST + "\r\n").read();
            assertThat(listing.status()).isEqualTo(200);
            assertThat(listing.text()).contains("f00000.txt").contains(String.format("f%05d.txt", FILES - 1));
            RawHttp.Response linked = c.send("GET /abs-in HTTP/1.1\r\n" + ServeRawSocketTest.HOST + "\r\n").read();
            assertThat(linked.status()).isEqualTo(200);
            assertThat(linked.text()).isEqualTo("alpha\n");
            assertThat(f.server.resolver().fallbacks()).as("the link took the EXDEV fallback").isEqualTo(1);
            calls.put("dispatcher", List.of(liveThread("serve-dispatcher")));
            f.stop(); // the access log is flushed by the stop
            assertThat(f.out.toString()).contains("\"GET /big/ HTTP/1.1\" 200").contains("\"GET /abs-in HTTP/1.1\" 200");
        }
        return calls;
    }

    private static void assertBlockingCallsOnServesThreads(Map<String, List<Thread>> calls, Thread dispatcher) {
        assertThat(calls.get("listing")).as("the listing's directory read").hasSize(1);
        assertThat(calls.get("realpath")).as("the fallback's and the listed directory's real paths").hasSize(2);
        assertThat(calls.get("access log")).as("the access log's writes").isNotEmpty();
        for (String kind : List.of("listing", "realpath", "access log")) {
            assertThat(calls.get(kind)).as(kind).doesNotContain(dispatcher)
                    .allSatisfy(t -> assertThat(t.getName()).startsWith("serve-blocking-"));
        }
    }

    private static Thread liveThread(String name) {
        List<Thread> found = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).toList();
        assertThat(found).as("live threads named %s", name).hasSize(1);
        return found.get(0);
    }
}
