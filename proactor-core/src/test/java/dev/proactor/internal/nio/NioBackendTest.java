package dev.proactor.internal.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.internal.spi.Errno;
import dev.proactor.FileStat;
import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend driven directly, the test thread acting as its dispatcher: the SPI contract (settle
 * then release, exactly once, only inside runOnce), back-pressure, and what deadlines, cancellation
 * and close do to file requests that are queued or running. Requests that must stay running use a
 * FIFO opened read-write, whose reads block until the test writes to it.
 */
class NioBackendTest {
    private static final Set<OpenOption> RW = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
    private static final int THREADS = 2;
    private static final int QUEUE = 4;

    @TempDir
    Path dir;

    private String name;
    private NioBackend backend;
    private final Sink sink = new Sink();
    private final List<Sub> submitted = new ArrayList<>();
    /** Submissions the test leaves to close on purpose: they are abandoned unsettled. */
    private final Set<Sub> abandoned = new HashSet<>();
    private long tokens = 1;
    private Arena arena;

    @BeforeEach
    void start(TestInfo info) {
        name = "niobackend-" + info.getTestMethod().orElseThrow().getName();
        backend = new NioBackend(name, THREADS, QUEUE);
        backend.start(sink);
        arena = Arena.ofShared();
    }

    @AfterEach
    void closeAndCheck() {
        backend.close();
        assertThat(NioProactorTest.threadsNamed(name + "-")).as("file threads after close").isEmpty();
        for (Sub s : submitted) {
            if (abandoned.contains(s)) {
                continue;
            }
            List<String> kinds = sink.kindsFor(s);
            assertThat(kinds).as("events of %s", s.request).hasSize(2);
            assertThat(kinds.get(0)).as("settled first").isNotEqualTo("released");
            assertThat(kinds.get(1)).as("then released").isEqualTo("released");
        }
        assertThat(backend.pending()).isEqualTo(abandoned.size());
        assertThat(backend.nativeBytes()).isZero();
        arena.close();
    }

    // ------------------------------------------------------------------ tests

    @Test
    void nopSettlesInTheNextTurnNeverInsideSubmit() {
        Sub nop = submit(new Request.Nop());
        assertThat(sink.events).as("nothing settled inside submit").isEmpty();
        assertThat(backend.pending()).isEqualTo(1);
        assertThat(backend.runOnce(-1)).isEqualTo(1);
        assertThat(sink.outcome(nop).kind()).isEqualTo("complete");
        assertThat(sink.outcome(nop).result()).isZero();
        assertThat(backend.pending()).isZero();
    }

    @Test
    void timerFiresAtItsDeadlineNotBefore() {
        long deadline = System.nanoTime() + Duration.ofMillis(20).toNanos();
        Sub t = submit(new Request.Timer(deadline));
        Sub later = submit(new Request.Timer(deadline + Duration.ofHours(1).toNanos()));
        runUntil(() -> sink.settled(t));
        assertThat(sink.outcome(t).kind()).isEqualTo("complete");
        assertThat(sink.outcome(t).atNanos() - deadline).isGreaterThanOrEqualTo(0);
        assertThat(sink.settled(later)).isFalse();
        assertThat(backend.cancel(later)).isTrue();
        assertThat(sink.settled(later)).as("cancelled in the next turn, not inside cancel").isFalse();
        backend.runOnce(0);
        assertThat(sink.outcome(later).kind()).isEqualTo("cancelled");
    }

    @Test
    void timerWithAnEarlierDeadlineTimesOut() {
        long now = System.nanoTime();
        Sub t = submit(new Request.Timer(now + Duration.ofHours(1).toNanos()), now + Duration.ofMillis(10).toNanos());
        runUntil(() -> sink.settled(t));
        assertThat(sink.outcome(t).kind()).isEqualTo("timedOut");
    }

    @Test
    void fileRequestsOnHandles() throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "0123456789");
        int fd = openHandle(f, RW);
        assertThat(fd).isPositive();

        MemorySegment buf = arena.allocate(4);
        Sub read = submitAndSettle(new Request.Read(fd, 3, buf, -1));
        assertThat(sink.outcome(read).result()).isEqualTo(4);
        assertThat(new String(buf.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("3456");

        Sub eof = submitAndSettle(new Request.Read(fd, 10, buf, -1));
        assertThat(sink.outcome(eof).kind()).isEqualTo("complete");
        assertThat(sink.outcome(eof).result()).as("end of file is 0, as on io_uring").isZero();

        MemorySegment ab = arena.allocateFrom("AB").asSlice(0, 2);
        Sub write = submitAndSettle(new Request.Write(fd, 10, ab, -1));
        assertThat(sink.outcome(write).result()).isEqualTo(2);
        Sub writev = submitAndSettle(new Request.WriteV(fd, 0, new MemorySegment[] {ab, ab}));
        assertThat(sink.outcome(writev).result()).isEqualTo(4);
        Sub fsync = submitAndSettle(new Request.Fsync(fd, true));
        assertThat(sink.outcome(fsync).kind()).isEqualTo("complete");
        assertThat(Files.readString(f)).isEqualTo("ABAB456789AB");

        Sub stat = submitAndSettle(new Request.Stat(fd));
        FileStat st = (FileStat) sink.outcome(stat).attachment();
        assertThat(st.size()).isEqualTo(12);
        assertThat(st.blocks()).as("st_blocks is unknown on the portable backend").isEqualTo(NioStat.UNKNOWN_BLOCKS);

        Sub close = submitAndSettle(new Request.Close(fd));
        assertThat(sink.outcome(close).kind()).isEqualTo("complete");
        assertThat(backend.openChannels()).isZero();

        Sub stale = submitAndSettle(new Request.Read(fd, 0, buf, -1));
        assertThat(sink.outcome(stale).kind()).isEqualTo("fail");
        assertThat(sink.outcome(stale).result()).isEqualTo(Errno.EBADF);
        int again = openHandle(f, RW);
        assertThat(again).as("a reused slot gets a new handle").isNotEqualTo(fd);
        Sub staleClose = submitAndSettle(new Request.Close(fd));
        assertThat(sink.outcome(staleClose).result()).isEqualTo(Errno.EBADF);
        submitAndSettle(new Request.Close(again));
    }

    @Test
    void segmentConfinedToAnotherThreadFailsWithEfault() throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "0123456789");
        int fd = openHandle(f, RW);
        try (Arena confined = Arena.ofConfined()) {
            Sub read = submitAndSettle(new Request.Read(fd, 0, confined.allocate(4), -1));
            assertThat(sink.outcome(read).kind()).isEqualTo("fail");
            assertThat(sink.outcome(read).result()).isEqualTo(Errno.EFAULT);
        }
        submitAndSettle(new Request.Close(fd));
    }

    @Test
    void fullQueuePushesBackAndQueuedRequestsCanBeCancelledOrTimedOut() throws Exception {
        // A read-only open of a FIFO waits in open(2) for a writer, on the bounded file threads
        // (reads of a FIFO have threads of their own and would never fill them).
        Path fifo = fifo("pipe");
        Sub r1 = submit(openReadOnly(fifo));
        Sub r2 = submit(openReadOnly(fifo));
        awaitStarted(r1);
        awaitStarted(r2);

        long deadline = System.nanoTime() + Duration.ofMillis(30).toNanos();
        Sub q1 = submit(openReadOnly(fifo), deadline);
        Sub q2 = submit(openReadOnly(fifo));
        Sub q3 = submit(openReadOnly(fifo));
        Sub q4 = submit(openReadOnly(fifo));
        Sub refused = new Sub(openReadOnly(fifo), 0);
        refused.token(tokens++);
        assertThat(backend.submit(refused)).as("queue of %d full: back-pressure", QUEUE).isFalse();
        assertThat(refused.backendState).isNull();

        q2.cancel = true;
        assertThat(backend.cancel(q2)).isTrue();
        r1.cancel = true;
        assertThat(backend.cancel(r1)).as("a running request cannot be withdrawn; cancel is still accepted").isTrue();
        backend.runOnce(0);
        assertThat(sink.outcome(q2).kind()).isEqualTo("cancelled");
        assertThat(sink.settled(r1)).isFalse();

        runUntil(() -> sink.settled(q1));
        assertThat(sink.outcome(q1).kind()).isEqualTo("timedOut");
        assertThat(sink.outcome(q1).atNanos() - deadline).isGreaterThanOrEqualTo(0);

        // Room again: the refused one is accepted now.
        Sub q5 = submit(openReadOnly(fifo));
        List<Sub> blocked = List.of(r1, r2, q3, q4, q5);
        try (FileChannel writer = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
            runUntil(() -> blocked.stream().allMatch(sink::settled));
        }
        for (Sub s : blocked) {
            assertThat(sink.outcome(s).kind()).as("%s", s.request).isEqualTo("complete");
            submitAndSettle(new Request.Close((int) sink.outcome(s).result()));
        }
    }

    @Test
    void runningRequestPastItsDeadlineSettlesWithItsRealResult() throws Exception {
        Path fifo = fifo("pipe");
        int fd = openHandle(fifo, RW);
        long deadline = System.nanoTime() + Duration.ofMillis(20).toNanos();
        Sub r = submit(read(fd), deadline);
        awaitStarted(r);
        while (System.nanoTime() - deadline < 0) {
            backend.runOnce(Duration.ofMillis(5).toNanos());
        }
        backend.runOnce(0);
        assertThat(sink.settled(r)).as("a running read is not timed out").isFalse();
        try (FileChannel writer = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
            writer.write(ByteBuffer.wrap(new byte[] {42, 43}));
        }
        runUntil(() -> sink.settled(r));
        assertThat(sink.outcome(r).kind()).isEqualTo("complete");
        assertThat(sink.outcome(r).result()).isEqualTo(2);
        submitAndSettle(new Request.Close(fd));
    }

    @Test
    void closeUnblocksRunningRequestsAndLeavesNoThreadOrDescriptor() throws Exception {
        Path fifo = fifo("pipe");
        int fd = openHandle(fifo, RW);
        Sub r1 = submit(read(fd));
        Sub r2 = submit(read(fd));
        Sub queued = submit(read(fd));
        awaitStarted(r1);
        awaitStarted(r2);
        abandoned.addAll(List.of(r1, r2, queued));
        assertThat(descriptorsUnder(dir)).isEqualTo(1);

        backend.close();
        assertThat(backend.closedAtClose()).as("the FIFO's channel was left open").isEqualTo(1);
        assertThat(NioProactorTest.threadsNamed(name + "-")).isEmpty();
        assertThat(descriptorsUnder(dir)).isZero();
        for (Sub s : abandoned) {
            assertThat(sink.kindsFor(s)).as("close settles nothing: the core gave up first").isEmpty();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Request.Open openReadOnly(Path path) {
        return new Request.Open(path, Set.of(StandardOpenOption.READ), 0);
    }

    private Request.Read read(int fd) {
        return new Request.Read(fd, 0, arena.allocate(16), -1);
    }

    private int openHandle(Path path, Set<OpenOption> options) {
        Sub open = submitAndSettle(new Request.Open(path, options, 0644));
        assertThat(sink.outcome(open).kind()).as("open %s", path).isEqualTo("complete");
        return (int) sink.outcome(open).result();
    }

    private Sub submit(Request r) {
        return submit(r, 0);
    }

    private Sub submit(Request r, long deadlineNanos) {
        Sub s = new Sub(r, deadlineNanos);
        s.token(tokens++);
        assertThat(backend.submit(s)).as("submit %s", r).isTrue();
        submitted.add(s);
        return s;
    }

    private Sub submitAndSettle(Request r) {
        Sub s = submit(r);
        runUntil(() -> sink.isReleased(s));
        return s;
    }

    /** Turns the loop until {@code done}; the wait is the selector's, woken by results and timers. */
    private void runUntil(BooleanSupplier done) {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("condition not reached in 10 s; events: " + sink.events);
            }
            backend.runOnce(Duration.ofMillis(100).toNanos());
        }
    }

    /** Waits until a file thread has taken {@code s}: from then on it can no longer be withdrawn. */
    private static void awaitStarted(Sub s) {
        NioOp op = (NioOp) s.backendState;
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!op.started()) {
            if (System.nanoTime() - end > 0) {
                fail("file thread never took " + s.request);
            }
            Thread.onSpinWait();
        }
    }

    /** A FIFO in the test's directory; fails, saying why, when it cannot be made. */
    private Path fifo(String fileName) {
        return dev.proactor.test.Fifo.create(dir.resolve(fileName));
    }

    /** Open descriptors of this process on files under {@code dir} (Linux: /proc/self/fd). */
    static long descriptorsUnder(Path dir) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "no /proc/self/fd to count descriptors in");
        Path real = dir.toRealPath();
        long n = 0;
        try (var list = Files.list(fds)) {
            for (Path fd : (Iterable<Path>) list::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).startsWith(real)) {
                        n++;
                    }
                } catch (IOException gone) {
                    // Closed while listing (the listing's own descriptor, for one).
                }
            }
        }
        return n;
    }

    static final class Sub extends Submission {
        final Request request;
        final long deadline;
        boolean cancel;

        Sub(Request request, long deadline) {
            this.request = request;
            this.deadline = deadline;
        }

        @Override
        public Request request() {
            return request;
        }

        @Override
        public long deadlineNanos() {
            return deadline;
        }

        @Override
        public boolean cancelRequested() {
            return cancel;
        }
    }

    /** Records every call, with the time it came; fails the test on a call off the dispatcher thread. */
    static final class Sink implements Completions {
        record Event(String kind, Submission s, long result, Object attachment, long atNanos) {}

        final List<Event> events = new ArrayList<>();
        private final Thread dispatcher = Thread.currentThread();

        private void add(String kind, Submission s, long result, Object attachment) {
            assertThat(Thread.currentThread()).as("Completions called off the dispatcher").isSameAs(dispatcher);
            events.add(new Event(kind, s, result, attachment, System.nanoTime()));
        }

        Event outcome(Submission s) {
            return events.stream().filter(e -> e.s() == s && !e.kind().equals("released")).findFirst()
                    .orElseThrow(() -> new AssertionError("no outcome for " + s));
        }

        boolean settled(Submission s) {
            return events.stream().anyMatch(e -> e.s() == s && !e.kind().equals("released"));
        }

        boolean isReleased(Submission s) {
            return events.stream().anyMatch(e -> e.s() == s && e.kind().equals("released"));
        }

        List<String> kindsFor(Submission s) {
            return events.stream().filter(e -> e.s() == s).map(Event::kind).toList();
        }

        @Override
        public Submission lookup(long token) {
            return null;
        }

        @Override
        public void complete(Submission s, long result, Object attachment) {
            add("complete", s, result, attachment);
        }

        @Override
        public void fail(Submission s, int errno) {
            add("fail", s, errno, null);
        }

        @Override
        public void timedOut(Submission s) {
            add("timedOut", s, 0, null);
        }

        @Override
        public void cancelled(Submission s) {
            add("cancelled", s, 0, null);
        }

        @Override
        public void released(Submission s) {
            add("released", s, 0, null);
        }

        @Override
        public void stray(long userData, int result) {
            throw new AssertionError("the portable backend has no strays");
        }

        @Override
        public void overflowed(long n) {
            throw new AssertionError("the portable backend cannot overflow");
        }
    }
}
