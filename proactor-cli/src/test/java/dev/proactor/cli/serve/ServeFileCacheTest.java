package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.TestFiles;
import dev.proactor.test.Waits;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The open-file cache ({@link FileCache}): hits skip the path resolution, yet a file changed,
 * replaced, deleted or swapped for a link out of the root is never served beyond the validity
 * (zero here, so each request checks: no sleeps); small bodies come from memory with their head,
 * large ones from the kept descriptor; ranges and conditionals work on cached entries; the bounds
 * hold in descriptors counted from {@code /proc/self/fd}; nothing stays open after the stop. On
 * every variant of the core harness ({@link EachBackend}: io_uring, portable, io_uring-fallback).
 */
class ServeFileCacheTest {
    static final String HOST = "Host: test\r\n";
    /** Above {@link FileCache#SMALL_BODY}: sent from a kept descriptor. */
    static final int LARGE = FileCache.SMALL_BODY + 1;

    @TempDir
    Path tmp;

    Path root;

    @BeforeEach
    void tree() throws Exception {
        root = PathResolverTest.tree(tmp);
        TestFiles.writeRandom(root.resolve("large.bin"), LARGE, 31);
        TestFiles.writeRandom(root.resolve("edge.bin"), FileCache.SMALL_BODY, 32);
    }

    private static ServeOptions.Builder checkingEveryRequest(Path root, ProactorFixture variant) {
        return ServerFixture.options(root, variant).fileCacheValidity(Duration.ZERO);
    }

    private static RawHttp.Response get(RawHttp c, String target) throws IOException {
        return c.send("GET " + target + " HTTP/1.1\r\n" + HOST + "\r\n").read();
    }

    @EachBackend
    void aChangedOrReplacedFileIsServedFreshOnceTheValidityPassed(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(checkingEveryRequest(root, variant).build(), variant);
                RawHttp c = new RawHttp(f.port())) {
            assertThat(get(c, "/a.txt").text()).isEqualTo("alpha\n");
            assertThat(get(c, "/a.txt").text()).isEqualTo("alpha\n");
            assertThat(f.server.cacheHits()).as("the second request was a hit").isEqualTo(1);
            // Same size, written in place, another modification time.
            Files.writeString(root.resolve("a.txt"), "ALPHA\n");
            Files.setLastModifiedTime(root.resolve("a.txt"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
            RawHttp.Response r = get(c, "/a.txt");
            assertThat(r.text()).isEqualTo("ALPHA\n");
            assertThat(r.header("last-modified")).isEqualTo("Wed, 01 Jan 2020 00:00:00 GMT");
            // Replaced by a rename over it (a new inode), larger; then a large file grows in place.
            Path fresh = root.resolve(".new");
            Files.writeString(fresh, "alpha, the second\n");
            Files.move(fresh, root.resolve("a.txt"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertThat(get(c, "/a.txt").text()).isEqualTo("alpha, the second\n");
            assertThat(get(c, "/large.bin").body()).hasSize(LARGE);
            TestFiles.writeRandom(root.resolve("large.bin"), 3 * LARGE, 33);
            assertThat(get(c, "/large.bin").body()).isEqualTo(Files.readAllBytes(root.resolve("large.bin")));
        }
    }

    /** The bound is real: within the validity a hit is served as it was, without looking at the path. */
    @EachBackend
    void withinTheValidityAHitIsServedAsCached(ProactorFixture variant) throws Exception {
        ServeOptions o = ServerFixture.options(root, variant).fileCacheValidity(Duration.ofHours(1)).build();
        try (ServerFixture f = new ServerFixture(o, variant); RawHttp c = new RawHttp(f.port())) {
            assertThat(get(c, "/b.txt").text()).isEqualTo("bravo bravo\n");
            Files.delete(root.resolve("b.txt"));
            assertThat(get(c, "/b.txt").text()).isEqualTo("bravo bravo\n");
            assertThat(f.server.cacheHits()).isEqualTo(1);
        }
    }

    @EachBackend
    void aDeletedFileBecomesNotFound(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(checkingEveryRequest(root, variant).build(), variant);
                RawHttp c = new RawHttp(f.port())) {
            assertThat(get(c, "/b.txt").status()).isEqualTo(200);
            assertThat(get(c, "/large.bin").status()).isEqualTo(200);
            assertThat(f.server.cachedDescriptors()).as("large.bin's descriptor is kept").isEqualTo(1);
            Files.delete(root.resolve("b.txt"));
            Files.delete(root.resolve("large.bin")); // its kept descriptor still reads the unlinked file
            assertThat(get(c, "/b.txt").status()).isEqualTo(404);
            assertThat(get(c, "/large.bin").status()).isEqualTo(404);
            Waits.until(Duration.ofSeconds(30), () -> openUnder(root) == 0, () -> "the dropped entry's descriptor closed");
            assertThat(f.server.cachedDescriptors()).isZero();
        }
    }

    @EachBackend
    void aLinkSwappedInToPointOutOfTheRootIsNotFollowed(ProactorFixture variant) throws Exception {
        try (ServerFixture f = new ServerFixture(checkingEveryRequest(root, variant).build(), variant);
                RawHttp c = new RawHttp(f.port())) {
            assertThat(get(c, "/a.txt").text()).isEqualTo("alpha\n");
            assertThat(get(c, "/sub/c.txt").text()).isEqualTo("charlie\n");
            Files.delete(root.resolve("a.txt"));
            Files.createSymbolicLink(root.resolve("a.txt"), tmp.resolve("secret.txt"));
            Files.move(root.resolve("sub"), root.resolve("sub-old"));
            Files.createSymbolicLink(root.resolve("sub"), tmp.resolve("outside"));
            for (String target : new String[] {"/a.txt", "/sub/c.txt"}) {
                RawHttp.Response r = get(c, target);
                assertThat(r.status()).as(target).isEqualTo(404);
                assertThat(r.text()).doesNotContain("SECRET").doesNotContain("OUTSIDE");
            }
            // A link swapped in that stays inside is followed, to its own file.
            Files.delete(root.resolve("a.txt"));
            Files.createSymbolicLink(root.resolve("a.txt"), root.resolve("b.txt"));
            assertThat(get(c, "/a.txt").text()).isEqualTo("bravo bravo\n");
        }
    }

    /** Head and body as one response, byte for byte, the first time (a miss) and from the cache. */
    @EachBackend
    void aSmallFileArrivesByteExactWithItsHeaders(ProactorFixture variant) throws Exception {
        byte[] edge = Files.readAllBytes(root.resolve("edge.bin"));
        byte[] large = Files.readAllBytes(root.resolve("large.bin"));
        try (ServerFixture f = new ServerFixture(root, variant); RawHttp c = new RawHttp(f.port())) {
            RawHttp.Response first = null;
            for (int i = 0; i < 2; i++) {
                // Pipelined: each answer must end exactly where the next begins.
                c.send("GET /b.txt HTTP/1.1\r\n" + HOST + "\r\nGET /edge.bin HTTP/1.1\r\n" + HOST
                        + "\r\nGET /large.bin HTTP/1.1\r\n" + HOST + "\r\nHEAD /b.txt HTTP/1.1\r\n" + HOST + "\r\n");
                RawHttp.Response b = c.read();
                assertThat(b.status()).isEqualTo(200);
                assertThat(b.text()).isEqualTo("bravo bravo\n");
                assertThat(b.header("content-length")).isEqualTo("12");
                assertThat(b.header("content-type")).isEqualTo("text/plain; charset=utf-8");
                assertThat(b.header("accept-ranges")).isEqualTo("bytes");
                assertThat(b.header("etag")).startsWith("\"c-");
                assertThat(b.header("last-modified")).isEqualTo(HttpDates.format(
                        Files.getLastModifiedTime(root.resolve("b.txt")).toInstant()));
                assertThat(b.header("date")).isNotNull();
                assertThat(b.header("connection")).isNull();
                assertThat(b.headers().keySet()).containsExactly("server", "date", "content-type", "content-length",
                        "last-modified", "etag", "accept-ranges");
                if (first == null) {
                    first = b;
                } else {
                    assertThat(b.header("etag")).isEqualTo(first.header("etag"));
                }
                assertThat(c.read().body()).isEqualTo(edge);
                assertThat(c.read().body()).isEqualTo(large);
                RawHttp.Response head = c.read(true);
                assertThat(head.header("content-length")).isEqualTo("12");
                assertThat(head.body()).isEmpty();
            }
            assertThat(f.server.cacheHits()).isEqualTo(5); // the second round: four, and the first round's HEAD
            assertThat(f.server.cachedDescriptors()).as("small bodies hold no descriptor").isEqualTo(1);
            // HTTP/1.0 and Connection: close on a hit still say so.
            RawHttp.Response r = c.send("GET /b.txt HTTP/1.1\r\n" + HOST + "Connection: close\r\n\r\n").read();
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(r.text()).isEqualTo("bravo bravo\n");
            assertThat(c.closedByServer()).isTrue();
        }
        try (ServerFixture f = new ServerFixture(root, variant); RawHttp c = new RawHttp(f.port())) {
            c.send("GET /b.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            for (int i = 0; i < 2; i++) {
                RawHttp.Response r = c.read();
                assertThat(r.header("connection")).isEqualTo("keep-alive");
                assertThat(r.text()).isEqualTo("bravo bravo\n");
            }
        }
    }

    @EachBackend
    void rangesAndConditionalsWorkOnCachedEntries(ProactorFixture variant) throws Exception {
        byte[] large = Files.readAllBytes(root.resolve("large.bin"));
        Files.setLastModifiedTime(root.resolve("b.txt"), FileTime.from(Instant.parse("2021-06-01T12:00:00Z")));
        try (ServerFixture f = new ServerFixture(root, variant); RawHttp c = new RawHttp(f.port())) {
            RawHttp.Response whole = get(c, "/b.txt");
            String etag = whole.header("etag");
            String lastModified = whole.header("last-modified");
            get(c, "/large.bin");
            long hitsBefore = f.server.cacheHits();

            RawHttp.Response part = c.send("GET /b.txt HTTP/1.1\r\n" + HOST + "Range: bytes=2-5\r\n\r\n").read();
            assertThat(part.status()).isEqualTo(206);
            assertThat(part.text()).isEqualTo("avo ");
            assertThat(part.header("content-range")).isEqualTo("bytes 2-5/12");
            RawHttp.Response suffix = c.send("GET /large.bin HTTP/1.1\r\n" + HOST + "Range: bytes=-100\r\n\r\n").read();
            assertThat(suffix.status()).isEqualTo(206);
            assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(large, LARGE - 100, LARGE));
            RawHttp.Response middle = c.send("GET /large.bin HTTP/1.1\r\n" + HOST + "Range: bytes=1000-1999\r\n"
                    + "If-Range: \"other\"\r\n\r\n").read();
            assertThat(middle.status()).as("If-Range naming another version: the whole file").isEqualTo(200);
            assertThat(middle.body()).isEqualTo(large);
            RawHttp.Response ifRange = c.send("GET /b.txt HTTP/1.1\r\n" + HOST + "Range: bytes=6-\r\nIf-Range: "
                    + etag + "\r\n\r\n").read();
            assertThat(ifRange.status()).isEqualTo(206);
            assertThat(ifRange.text()).isEqualTo("bravo\n");
            RawHttp.Response byDate = c.send("GET /b.txt HTTP/1.1\r\n" + HOST + "Range: bytes=0-0\r\nIf-Range: "
                    + lastModified + "\r\n\r\n").read();
            assertThat(byDate.status()).isEqualTo(206);
            assertThat(byDate.text()).isEqualTo("b");
            RawHttp.Response unsatisfiable = c.send("GET /b.txt HTTP/1.1\r\n" + HOST + "Range: bytes=99-\r\n\r\n").read();
            assertThat(unsatisfiable.status()).isEqualTo(416);
            assertThat(unsatisfiable.header("content-range")).isEqualTo("bytes */12");

            RawHttp.Response byTag = c.send("GET /b.txt HTTP/1.1\r\n" + HOST + "If-None-Match: " + etag + "\r\n\r\n")
                    .read();
            assertThat(byTag.status()).isEqualTo(304);
            assertThat(byTag.header("etag")).isEqualTo(etag);
            RawHttp.Response since = c.send("GET /b.txt HTTP/1.1\r\n" + HOST + "If-Modified-Since: " + lastModified
                    + "\r\n\r\n").read();
            assertThat(since.status()).isEqualTo(304);
            RawHttp.Response other = c.send("GET /b.txt HTTP/1.1\r\n" + HOST + "If-None-Match: \"other\"\r\n\r\n").read();
            assertThat(other.status()).isEqualTo(200);
            assertThat(other.text()).isEqualTo("bravo bravo\n");
            assertThat(f.server.cacheHits() - hitsBefore).as("all answered from the cache").isEqualTo(9);
        }
    }

    /** At most the configured descriptors stay open, counted by the kernel, and none after the stop. */
    @EachBackend
    void theBoundsHoldInDescriptorsAndNothingStaysOpenAfterTheStop(ProactorFixture variant) throws Exception {
        int files = 10;
        int bound = 3;
        for (int i = 0; i < files; i++) {
            TestFiles.writeRandom(root.resolve("f" + i + ".bin"), LARGE, 40 + i);
        }
        ServeOptions o = ServerFixture.options(root, variant).fileCacheEntries(6).fileCacheDescriptors(bound).build();
        ServerFixture f = new ServerFixture(o, variant);
        try (f; RawHttp c = new RawHttp(f.port())) {
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < files; i++) {
                    assertThat(get(c, "/f" + i + ".bin").body()).hasSize(LARGE);
                }
            }
            for (int i = 0; i < 8; i++) {
                assertThat(get(c, "/s" + i + ".txt").status()).isEqualTo(404);
            }
            // An evicted entry's close is asynchronous: wait for the kernel's count to come down to the bound.
            Waits.until(Duration.ofSeconds(30), () -> openUnder(root) == bound,
                    () -> "descriptors under the root: " + openUnder(root));
            assertThat(f.server.cachedDescriptors()).isEqualTo(bound);
            for (int i = 0; i < 8; i++) {
                Files.writeString(root.resolve("s" + i + ".txt"), "small " + i);
                assertThat(get(c, "/s" + i + ".txt").text()).isEqualTo("small " + i);
            }
            // Six entries at most, all small now: every descriptor was given back.
            Waits.until(Duration.ofSeconds(30), () -> openUnder(root) == 0,
                    () -> "descriptors under the root: " + openUnder(root));
            assertThat(f.server.cachedDescriptors()).isZero();
            assertThat(get(c, "/f9.bin").body()).hasSize(LARGE);
            assertThat(openUnder(root)).isEqualTo(1);
            f.stop();
            assertThat(openUnder(root)).as("the stop closed the cache").isZero();
        }
    }

    /**
     * A file is never closed under a transfer: an entry evicted while a stalled client's transfer
     * still reads it stays open until that transfer ends, and the client gets every byte.
     */
    @EachBackend
    void anEvictedEntryStaysOpenUntilItsTransferEnds(ProactorFixture variant) throws Exception {
        int size = 16 << 20; // far more than the sockets and the transfer's pipe hold
        TestFiles.writeRandom(root.resolve("huge.bin"), size, 50);
        byte[] huge = Files.readAllBytes(root.resolve("huge.bin"));
        ServeOptions o = ServerFixture.options(root, variant).fileCacheDescriptors(1).build();
        try (ServerFixture f = new ServerFixture(o, variant); Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", f.port()));
            slow.getOutputStream().write(("GET /huge.bin HTTP/1.1\r\n" + HOST + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = slow.getInputStream();
            byte[] first = in.readNBytes(4096); // the head and the start of the body: the transfer runs
            assertThat(new String(first, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
            try (RawHttp c = new RawHttp(f.port())) {
                assertThat(get(c, "/large.bin").body()).hasSize(LARGE); // evicts huge.bin's entry
            }
            assertThat(f.server.cachedDescriptors()).isEqualTo(1);
            byte[] rest = in.readAllBytes(); // to the close that follows the last byte
            byte[] all = new byte[first.length + rest.length];
            System.arraycopy(first, 0, all, 0, first.length);
            System.arraycopy(rest, 0, all, first.length, rest.length);
            String text = new String(all, 0, Math.min(all.length, 1024), StandardCharsets.ISO_8859_1);
            int bodyStart = text.indexOf("\r\n\r\n") + 4;
            assertThat(all.length - bodyStart).isEqualTo(size);
            assertThat(Arrays.equals(all, bodyStart, all.length, huge, 0, size)).isTrue();
        }
    }

    /** Descriptors of this process open on files under {@code dir}, as the kernel lists them. */
    private static int openUnder(Path dir) {
        try {
            String prefix = dir.toRealPath().toString() + "/";
            return (int) ServerFixture.ioDescriptors().stream().filter(d -> d.startsWith(prefix)).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
