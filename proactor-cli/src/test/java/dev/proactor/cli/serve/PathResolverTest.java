package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PathResolver} through the server: a request path opens under openat2's RESOLVE_BENEATH
 * (the kernel's walk on io_uring and its fallback, the emulated walk on portable); only EXDEV
 * takes the real-path fallback, counted by {@link PathResolver#fallbacks()}, so each test shows
 * which route served or refused it. The tree: {@code www/} (a.txt, b.txt, sub/c.txt, data.txt)
 * with {@code secret.txt} and {@code outside/c.txt} beside it. The file cache is off where a test
 * counts fallbacks, so every request resolves. On every variant of the core harness.
 */
class PathResolverTest {
    @TempDir
    Path tmp;

    Path root;

    @BeforeEach
    void tree() throws Exception {
        root = tree(tmp);
        Files.writeString(root.resolve("data.txt"), "data\n");
    }

    /** {@link ServeRawSocketTest#tree}, and beside the root {@code outside/c.txt} ("OUTSIDE"). */
    static Path tree(Path tmp) throws IOException {
        Path root = ServeRawSocketTest.tree(tmp);
        Files.writeString(Files.createDirectories(tmp.resolve("outside")).resolve("c.txt"), "OUTSIDE\n");
        return root;
    }

    private static ServeOptions uncached(Path root, ProactorFixture variant) {
        return ServerFixture.options(root, variant).fileCacheEntries(0).build();
    }

    private static RawHttp.Response get(RawHttp c, String target) throws IOException {
        return c.send("GET " + target + " HTTP/1.1\r\n" + ServeRawSocketTest.HOST + "\r\n").read();
    }

    /** Relative links, {@code ..} in them included, that stay inside: the kernel's walk follows them. */
    @EachBackend
    void relativeLinksInsideAreFollowedWithoutTheFallback(ProactorFixture variant) throws Exception {
        Files.createSymbolicLink(root.resolve("rel-in"), Path.of("a.txt"));
        Files.createSymbolicLink(root.resolve("sub/back"), Path.of("../b.txt"));
        Files.createSymbolicLink(root.resolve("sub/up"), Path.of(".."));
        Files.createSymbolicLink(root.resolve("rel-dir"), Path.of("sub"));
        Files.createSymbolicLink(root.resolve("sub/round"), Path.of("../sub/./c.txt"));
        try (ServerFixture f = new ServerFixture(uncached(root, variant), variant); RawHttp c = new RawHttp(f.port())) {
            assertThat(get(c, "/rel-in").text()).isEqualTo("alpha\n");
            assertThat(get(c, "/sub/back").text()).isEqualTo("bravo bravo\n");
            assertThat(get(c, "/sub/up/a.txt").text()).isEqualTo("alpha\n");
            assertThat(get(c, "/sub/up/sub/up/sub/c.txt").text()).isEqualTo("charlie\n");
            assertThat(get(c, "/rel-dir/c.txt").text()).isEqualTo("charlie\n");
            assertThat(get(c, "/sub/round").text()).isEqualTo("charlie\n");
            assertThat(get(c, "/rel-dir/").text()).as("a linked directory's listing").contains("c.txt");
            assertThat(f.server.resolver().fallbacks()).as("no request took the real-path fallback").isZero();
        }
    }

    /**
     * Absolute links pointing inside, which RESOLVE_BENEATH refuses with EXDEV, are served through
     * the real-path fallback: as the last component, on the way, to the root itself, in a chain.
     */
    @EachBackend
    void absoluteLinksInsideAreServedThroughTheFallback(ProactorFixture variant) throws Exception {
        Files.createSymbolicLink(root.resolve("abs-in"), root.resolve("a.txt"));
        Files.createSymbolicLink(root.resolve("abs-dir"), root.resolve("sub"));
        Files.createSymbolicLink(root.resolve("sub/abs-root"), root);
        Files.createSymbolicLink(root.resolve("hop"), Path.of("abs-in")); // relative, to an absolute one
        List<String[]> served = List.of(new String[] {"/abs-in", "alpha\n"},
                new String[] {"/abs-dir/c.txt", "charlie\n"}, new String[] {"/sub/abs-root/b.txt", "bravo bravo\n"},
                new String[] {"/sub/abs-root/abs-dir/c.txt", "charlie\n"}, new String[] {"/hop", "alpha\n"});
        try (ServerFixture f = new ServerFixture(uncached(root, variant), variant); RawHttp c = new RawHttp(f.port())) {
            for (String[] s : served) {
                RawHttp.Response r = get(c, s[0]);
                assertThat(r.status()).as(s[0]).isEqualTo(200);
                assertThat(r.text()).as(s[0]).isEqualTo(s[1]);
            }
            assertThat(f.server.resolver().fallbacks()).as("each took the fallback once").isEqualTo(served.size());
            // A directory reached so redirects, then lists through its index lookup and real path.
            RawHttp.Response redirect = get(c, "/abs-dir");
            assertThat(redirect.status()).isEqualTo(301);
            assertThat(redirect.header("location")).isEqualTo("/abs-dir/");
            RawHttp.Response listing = get(c, "/sub/abs-root/");
            assertThat(listing.status()).isEqualTo(200);
            assertThat(listing.text()).contains("a.txt").contains("abs-dir").doesNotContain(tmp.toString());
        }
    }

    /**
     * Links that lead out (absolute or relative, to a file or through a directory, directly or by
     * way of a link inside, through /proc) and links that loop: 404, and nothing of the target or
     * of the tree's place is revealed. Absolute ones and relative ones climbing out reach the
     * fallback (EXDEV), which refuses them on the real path; a loop is ELOOP and never does.
     */
    @EachBackend
    void linksOutAreNotFoundAndRevealNothing(ProactorFixture variant) throws Exception {
        Path secret = tmp.resolve("secret.txt");
        Files.createSymbolicLink(root.resolve("abs-out"), secret);
        Files.createSymbolicLink(root.resolve("rel-out"), Path.of("../secret.txt"));
        Files.createSymbolicLink(root.resolve("sub/rel-out"), Path.of("../../secret.txt"));
        Files.createSymbolicLink(root.resolve("abs-dir-out"), tmp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("rel-dir-out"), Path.of("../outside"));
        Files.createSymbolicLink(root.resolve("sub/up-out"), Path.of("../.."));
        Files.createSymbolicLink(root.resolve("abs-to-rel-out"), root.resolve("rel-out")); // inside, then out
        Files.createSymbolicLink(root.resolve("rel-to-abs-out"), Path.of("abs-out"));
        Files.createSymbolicLink(root.resolve("proc-out"), Path.of("/proc/self/root").resolve(secret.toString().substring(1)));
        Files.createSymbolicLink(root.resolve("proc-fd"), Path.of("/proc/self/fd/0"));
        List<String> refused = List.of("/abs-out", "/rel-out", "/sub/rel-out", "/abs-dir-out/c.txt", "/abs-dir-out/",
                "/rel-dir-out/c.txt", "/rel-dir-out/", "/sub/up-out/secret.txt",
                "/abs-to-rel-out", "/rel-to-abs-out", "/proc-out", "/proc-fd");
        Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
        try (ServerFixture f = new ServerFixture(uncached(root, variant), variant)) {
            SoftAssertions soft = new SoftAssertions();
            for (String target : refused) {
                try (RawHttp c = new RawHttp(f.port())) {
                    RawHttp.Response r = get(c, target);
                    soft.assertThat(r.status()).as(target).isEqualTo(404);
                    soft.assertThat(r.text()).as(target).doesNotContain("SECRET").doesNotContain("OUTSIDE")
                            .doesNotContain("alpha").doesNotContain(tmp.toString()).doesNotContain("/www");
                    soft.assertThat(r.headers().toString()).as(target).doesNotContain(tmp.toString());
                }
            }
            soft.assertAll();
            assertThat(f.server.resolver().fallbacks()).as("each escape reached the fallback").isEqualTo(refused.size());
            try (RawHttp c = new RawHttp(f.port())) {
                assertThat(get(c, "/loop").status()).isEqualTo(404);
            }
            assertThat(f.server.resolver().fallbacks()).as("ELOOP is not EXDEV").isEqualTo(refused.size());
        }
    }

    /**
     * {@code ..} in the request never reaches the file system (the parser refuses it, 403), so it
     * neither escapes nor reaches the fallback, however it is spelled.
     */
    @EachBackend
    void dotDotInTheRequestIsRefusedBeforeAnyOpen(ProactorFixture variant) throws Exception {
        Files.createSymbolicLink(root.resolve("rel-in"), Path.of("a.txt"));
        try (ServerFixture f = new ServerFixture(uncached(root, variant), variant)) {
            for (String target : new String[] {"/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt",
                "/sub/%2E%2E/%2e%2e/secret.txt", "/rel-in/../../secret.txt", "/sub/..%2f..%2fsecret.txt"}) {
                try (RawHttp c = new RawHttp(f.port())) {
                    RawHttp.Response r = get(c, target);
                    assertThat(r.status()).as(target).isIn(400, 403);
                    assertThat(r.text()).as(target).doesNotContain("SECRET");
                }
            }
            assertThat(f.server.resolver().fallbacks()).isZero();
        }
    }

    /**
     * A link serves under the name asked for: its Content-Type is the requested name's, not its
     * target's (as nginx answers), by the kernel's route and by the fallback, on a miss and on a hit.
     */
    @EachBackend
    void aLinkedFileTakesTheContentTypeOfTheNameAsked(ProactorFixture variant) throws Exception {
        Files.createSymbolicLink(root.resolve("page.html"), Path.of("data.txt"));
        Files.createSymbolicLink(root.resolve("abs-page.html"), root.resolve("data.txt"));
        Files.createSymbolicLink(root.resolve("text.txt"), Path.of("page.html"));
        try (ServerFixture f = new ServerFixture(root, variant); RawHttp c = new RawHttp(f.port())) {
            for (int round = 0; round < 2; round++) {
                assertThat(get(c, "/data.txt").header("content-type")).isEqualTo("text/plain; charset=utf-8");
                for (String target : new String[] {"/page.html", "/abs-page.html"}) {
                    RawHttp.Response r = get(c, target);
                    assertThat(r.text()).as(target).isEqualTo("data\n");
                    assertThat(r.header("content-type")).as(target).isEqualTo("text/html; charset=utf-8");
                }
                assertThat(get(c, "/text.txt").header("content-type")).isEqualTo("text/plain; charset=utf-8");
            }
            assertThat(f.server.cacheHits()).as("the second round came from the cache").isEqualTo(4);
        }
    }

    /**
     * A link replaced again and again while it is served, between a relative link inside (the
     * kernel's route), an absolute one inside (the fallback), an absolute one out and a relative
     * one climbing out, as a file and as a directory on the way: every answer is the inside file
     * or 404, never a byte from outside. The cache checks the path on every request (validity 0),
     * so hits are revalidated under the swaps too.
     */
    @EachBackend
    void aLinkSwappedWhileServedNeverLeadsOut(ProactorFixture variant) throws Exception {
        Path file = root.resolve("flip");
        Path dir = root.resolve("flip-dir");
        Path[] fileTargets = {Path.of("b.txt"), root.resolve("b.txt"), tmp.resolve("secret.txt"), Path.of("../secret.txt")};
        Path[] dirTargets = {Path.of("sub"), root.resolve("sub"), tmp.resolve("outside"), Path.of("../outside")};
        Files.createSymbolicLink(file, fileTargets[0]);
        Files.createSymbolicLink(dir, dirTargets[0]);
        ServeOptions o = ServerFixture.options(root, variant).fileCacheValidity(Duration.ZERO).build();
        try (ServerFixture f = new ServerFixture(o, variant); RawHttp c = new RawHttp(f.port())) {
            // In turn, each state once: both routes in and both ways out, as a file and on the way.
            for (int i = 0; i < fileTargets.length; i++) {
                swap(file, fileTargets[i]);
                swap(dir, dirTargets[i]);
                int status = i < 2 ? 200 : 404;
                assertThat(get(c, "/flip").status()).as("%s", fileTargets[i]).isEqualTo(status);
                assertThat(get(c, "/flip-dir/c.txt").status()).as("%s", dirTargets[i]).isEqualTo(status);
            }
            // Then all at once: the links change under the requests.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger swaps = new AtomicInteger();
            CountDownLatch swapping = new CountDownLatch(1);
            CompletableFuture<Void> swapper = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 1; !stop.get(); i++) {
                        swap(file, fileTargets[i % fileTargets.length]);
                        swap(dir, dirTargets[(i / 2) % dirTargets.length]);
                        swaps.incrementAndGet();
                        swapping.countDown();
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            int[] counts = new int[2];
            try {
                assertThat(swapping.await(30, TimeUnit.SECONDS)).as("the swapper runs").isTrue();
                for (int i = 0; i < 400; i++) {
                    check(get(c, "/flip"), "bravo bravo\n", counts);
                    check(get(c, "/flip-dir/c.txt"), "charlie\n", counts);
                }
            } finally {
                stop.set(true);
                swapper.join();
            }
            assertThat(counts[0] + counts[1]).isEqualTo(800);
        }
    }

    /** Replaces the link {@code link} by one to {@code target}, atomically (a rename over it). */
    private static void swap(Path link, Path target) throws IOException {
        Path fresh = link.resolveSibling("." + link.getFileName() + ".new");
        Files.deleteIfExists(fresh);
        Files.createSymbolicLink(fresh, target);
        Files.move(fresh, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The answer is {@code inside} (counted in [0]) or a 404 (in [1]) that shows nothing. */
    private static void check(RawHttp.Response r, String inside, int[] counts) {
        if (r.status() == 200) {
            assertThat(r.text()).isEqualTo(inside);
            counts[0]++;
        } else {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.text()).doesNotContain("SECRET").doesNotContain("OUTSIDE");
            counts[1]++;
        }
    }
}
