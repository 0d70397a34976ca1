package dev.proactor.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.BackendChoice;
import dev.proactor.BufferLease;
import dev.proactor.MetricsSnapshot;
import dev.proactor.Operation;
import dev.proactor.OperationKind;
import dev.proactor.OperationState;
import dev.proactor.ProactorException;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.internal.core.CoreProactor;
import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import dev.proactor.internal.uring.ffi.IoUringConstants;
import dev.proactor.test.ForwardingBackend;
import dev.proactor.test.ForwardingCompletions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends of at least {@link ProactorConfig#zeroCopySendThreshold()} bytes go out as
 * IORING_OP_SEND_ZC: byte-exact, settled by the first CQE and released only by the notification, so
 * a lent buffer comes back only then; Unix-domain sockets refuse zero-copy and get plain sends;
 * threshold 0 (the default) turns it off; a stalled peer holds a zero-copy write until it reads or
 * the socket is closed. Which opcode ran is read from the backend's own counters.
 */
class UringZeroCopySendTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    private static final int CHUNK = 256 * KIB;

    @TempDir
    Path dir;

    private final AtomicReference<UringBackend> backend = new AtomicReference<>();
    private Proactor p;

    @BeforeAll
    static void uringWithSendZc() {
        assumeTrue(UringSupport.isAvailable(), () -> UringSupport.unavailabilityCause().orElse(""));
        assumeTrue(UringSupport.probe().map(pr -> pr.supports(IoUringConstants.IORING_OP_SEND_ZC)).orElse(false),
                "the kernel's probe lacks IORING_OP_SEND_ZC");
    }

    @AfterEach
    void close() {
        if (p != null) {
            p.close();
        }
    }

    /** A proactor on a real UringBackend, optionally wrapped, that the test can read counters from. */
    private Proactor open(ProactorConfig.Builder b, java.util.function.UnaryOperator<Backend> wrap) {
        ProactorConfig c = b.backend(BackendChoice.IO_URING).build();
        p = CoreProactor.open(c, cfg -> {
            UringBackend u = new UringBackend(cfg);
            backend.set(u);
            return wrap.apply(u);
        });
        return p;
    }

    /** Zero-copy is off by default; these tests ask for it at the threshold its javadoc suggests. */
    private static ProactorConfig.Builder zeroCopy() {
        return ProactorConfig.builder().zeroCopySendThreshold(16 * KIB);
    }

    private Proactor open(ProactorConfig.Builder b) {
        return open(b, x -> x);
    }

    private record Pair(AsyncSocket client, AsyncSocket server) {}

    private static Pair connect(Proactor p, SocketAddress where) throws Exception {
        AsyncServerSocket listener = p.listen(where).await(WAIT);
        Operation<AsyncSocket> accepting = listener.accept();
        AsyncSocket client = p.connect(listener.localAddress()).await(WAIT);
        AsyncSocket server = accepting.await(WAIT);
        listener.closeAsync().await(WAIT);
        return new Pair(client, server);
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private static MemorySegment pattern(Arena arena, long size, long seed) {
        MemorySegment s = arena.allocate(size, 8);
        long x = seed;
        for (long i = 0; i < size; i += 8) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, x);
        }
        return s;
    }

    /** Sends {@code src} in {@code chunk}-byte writeAlls, all initiated at once, while the peer reads it whole. */
    private static void transfer(Pair pair, MemorySegment src, int chunk, Duration timeout) throws Exception {
        ByteBuffer dst = ByteBuffer.allocateDirect((int) src.byteSize());
        Operation<Long> reading = pair.server().readFully(dst);
        AsyncSocket out = timeout == null ? pair.client() : pair.client().withTimeout(timeout);
        List<Operation<Long>> writes = new ArrayList<>();
        for (long off = 0; off < src.byteSize(); off += chunk) {
            writes.add(out.writeAll(src.asSlice(off, Math.min(chunk, src.byteSize() - off))));
        }
        assertThat(reading.await(WAIT)).isEqualTo(src.byteSize());
        for (Operation<Long> w : writes) {
            assertThat(w.await(WAIT)).isPositive();
        }
        assertThat(MemorySegment.ofBuffer(dst.clear()).mismatch(src)).as("first differing byte").isEqualTo(-1);
    }

    private void assertClean() {
        MetricsSnapshot.Ledger l = p.metrics().ledger();
        assertThat(l.outstanding()).as("ledger %s", l).isZero();
        assertThat(l.duplicates()).as("ledger %s", l).isZero();
        assertThat(l.strays()).as("ledger %s", l).isZero();
    }

    @Test
    void sixtyFourMebibytesInQuarterMebibyteWritesOverLoopbackTcpArriveByteExactZeroCopy() throws Exception {
        open(zeroCopy());
        Pair pair = connect(p, loopback());
        try (Arena arena = Arena.ofShared()) {
            MemorySegment src = pattern(arena, 64L * MIB, 1);
            transfer(pair, src, CHUNK, null);
        }
        UringBackend u = backend.get();
        // Every write is at least one SEND_ZC round; short sends add rounds (zero-copy too while >= 16 KiB).
        assertThat(u.zeroCopy().sends()).isGreaterThanOrEqualTo(64 * MIB / CHUNK);
        assertThat(u.zeroCopy().notifications()).isEqualTo(u.zeroCopy().sends());
        assertThat(u.zeroCopy().refusals()).isZero();
        System.out.printf("loopback TCP: %d SEND_ZC, %d notifications, %d reported copied (usage reported: %s)%n",
                u.zeroCopy().sends(), u.zeroCopy().notifications(), u.zeroCopy().copied(), u.zeroCopy().reportsUsage());
        pair.client().closeAsync().await(WAIT);
        pair.server().closeAsync().await(WAIT);
        assertClean();
        assertThat(p.metrics().kinds().get(OperationKind.SEND).failed()).isZero();
        assertThat(u.pending()).isZero();
        assertNoRequestMemory(u);
    }

    @Test
    void aZeroCopySendUnderADeadlineCountsItsLinkTimeoutToo() throws Exception {
        open(zeroCopy());
        Pair pair = connect(p, loopback());
        try (Arena arena = Arena.ofShared()) {
            transfer(pair, pattern(arena, 8L * MIB, 2), CHUNK, Duration.ofSeconds(30));
        }
        UringBackend u = backend.get();
        assertThat(u.zeroCopy().sends()).isGreaterThanOrEqualTo(8 * MIB / CHUNK);
        pair.client().closeAsync().await(WAIT);
        pair.server().closeAsync().await(WAIT);
        assertClean();
        assertThat(u.pending()).isZero();
        assertNoRequestMemory(u);
    }

    /**
     * A peer that does not read never acknowledges the data, so the kernel keeps the buffer and the
     * notification never comes; aborting the socket must still end the send (by resetting the
     * connection) instead of waiting for it for ever.
     */
    @Test
    void abortingASocketWhoseZeroCopySendThePeerNeverAcknowledgesEndsTheSend() throws Exception {
        stalledZeroCopySendEndedBy(AsyncSocket::abort, OperationState.COMPLETED);
    }

    /**
     * The ordinary close waits for the send to drain, bounded by the view's timeout; past it the send
     * is cancelled, the connection reset, and the close ends TIMED_OUT with the descriptor closed.
     */
    @Test
    void aGracefulCloseOfASocketWhoseZeroCopySendThePeerNeverAcknowledgesEndsByItsBound() throws Exception {
        stalledZeroCopySendEndedBy(s -> s.withTimeout(Duration.ofMillis(200)).closeAsync(), OperationState.TIMED_OUT);
    }

    private void stalledZeroCopySendEndedBy(Function<AsyncSocket, Operation<Void>> closer, OperationState closeOutcome)
            throws Exception {
        open(zeroCopy());
        Pair pair = connect(p, loopback());
        try (Arena arena = Arena.ofShared()) {
            // Far more than the socket buffers hold: the send cannot complete while the peer is idle.
            MemorySegment big = arena.allocate(64L * MIB);
            Operation<Long> writing = pair.client().writeAll(big);
            // Data has flowed, so the first SEND_ZC has queued its share.
            assertThat(pair.server().read(ByteBuffer.allocate(1)).await(WAIT)).isEqualTo(1);
            Operation<Void> closing = closer.apply(pair.client());
            assertThatThrownBy(() -> writing.await(WAIT)).isInstanceOf(ProactorException.class)
                    .isNotInstanceOf(java.util.concurrent.TimeoutException.class);
            assertThat(writing.state()).isIn(OperationState.CANCELLED, OperationState.FAILED);
            try {
                closing.await(WAIT);
            } catch (ProactorException expected) {
                // TIMED_OUT for the bounded graceful close; the state says which.
            }
            assertThat(closing.state()).isEqualTo(closeOutcome);
            assertThat(pair.client().isOpen()).isFalse();
            pair.server().closeAsync().await(WAIT);
            // The operation ended only after the kernel let go of the segment: freeing it is safe.
        }
        assertClean();
        assertThat(backend.get().pending()).isZero();
        assertNoRequestMemory(backend.get());
    }

    /**
     * Why zero-copy is off by default: a zero-copy write ends only once the peer acknowledged the
     * data, so a write bigger than the peer's receive window waits for the peer to read, where a
     * copying write would have ended as soon as the send buffer took it.
     */
    @Test
    void aZeroCopyWriteBiggerThanThePeersWindowEndsOnlyOnceThePeerReads() throws Exception {
        open(zeroCopy());
        Pair pair = connect(p, loopback());
        try (Arena arena = Arena.ofShared()) {
            MemorySegment src = pattern(arena, 64L * MIB, 6);
            Operation<Long> writing = pair.client().writeAll(src);
            assertThatThrownBy(() -> writing.await(Duration.ofMillis(300)))
                    .isInstanceOf(java.util.concurrent.TimeoutException.class);
            ByteBuffer dst = ByteBuffer.allocateDirect((int) src.byteSize());
            assertThat(pair.server().readFully(dst).await(WAIT)).isEqualTo(src.byteSize());
            assertThat(writing.await(WAIT)).isEqualTo(src.byteSize());
            assertThat(MemorySegment.ofBuffer(dst.clear()).mismatch(src)).isEqualTo(-1);
        }
        pair.client().closeAsync().await(WAIT);
        pair.server().closeAsync().await(WAIT);
        assertClean();
    }

    @Test
    void aLeaseLentToAZeroCopySendComesBackOnlyAfterTheNotification() throws Exception {
        // Records, on the dispatcher, what a lease and the backend look like when a send is settled
        // and when it is released.
        ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
        AtomicReference<BufferLease> lent = new AtomicReference<>();
        open(zeroCopy().bufferSize(CHUNK).bufferCount(2), real -> new ForwardingBackend(real) {
            @Override
            public void start(Completions completions) {
                delegate.start(new ForwardingCompletions(completions) {
                    @Override
                    public void complete(Submission s, long result, Object attachment) {
                        if (s.request() instanceof Request.Send) {
                            events.add("settled, notifications " + backend.get().zeroCopy().notifications()
                                    + ", release " + tryRelease(lent.get()));
                        }
                        core.complete(s, result, attachment);
                    }

                    @Override
                    public void released(Submission s) {
                        if (s.request() instanceof Request.Send) {
                            events.add("released, notifications " + backend.get().zeroCopy().notifications());
                        }
                        core.released(s);
                    }
                });
            }
        });
        Pair pair = connect(p, loopback());
        BufferLease lease = p.buffers().lease(WAIT);
        lent.set(lease);
        MemorySegment data = lease.segment();
        for (long i = 0; i < CHUNK; i++) {
            data.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
        }
        ByteBuffer dst = ByteBuffer.allocate(CHUNK);
        Operation<Long> reading = pair.server().readFully(dst);
        Operation<Long> writing = pair.client().writeAll(lease, CHUNK);
        assertThat(reading.await(WAIT)).isEqualTo(CHUNK);
        assertThat(writing.await(WAIT)).isEqualTo(CHUNK);
        assertThat(MemorySegment.ofArray(dst.array()).mismatch(data.asSlice(0, CHUNK))).isEqualTo(-1);

        // Round by round: settled with n notifications seen, released once the round's own came in.
        List<String> seen = List.copyOf(events);
        assertThat(seen).isNotEmpty().hasSizeLessThanOrEqualTo(2 * 8);
        for (int i = 0; i < seen.size(); i += 2) {
            int n = i / 2;
            assertThat(seen.get(i)).isEqualTo("settled, notifications " + n + ", release refused");
            assertThat(seen.get(i + 1)).isEqualTo("released, notifications " + (n + 1));
        }
        assertThat(backend.get().zeroCopy().sends()).isEqualTo(seen.size() / 2);
        // The operation has ended: the lease is the caller's again.
        lease.release();
        assertThat(lease.isReleased()).isTrue();
        pair.client().closeAsync().await(WAIT);
        pair.server().closeAsync().await(WAIT);
        assertClean();
    }

    private static String tryRelease(BufferLease lease) {
        try {
            lease.release();
            return "accepted";
        } catch (IllegalStateException e) {
            return "refused";
        }
    }

    @Test
    void aUnixDomainSocketRefusesZeroCopyOnceAndThenSendsPlain() throws Exception {
        open(zeroCopy());
        Pair pair = connect(p, UnixDomainSocketAddress.of(dir.resolve("zc.sock")));
        try (Arena arena = Arena.ofShared()) {
            transfer(pair, pattern(arena, 4L * MIB, 3), CHUNK, null);
        }
        UringBackend u = backend.get();
        assertThat(u.zeroCopy().refusals()).isEqualTo(1);
        // The refused attempt is the only SEND_ZC: the descriptor is remembered.
        assertThat(u.zeroCopy().sends()).isEqualTo(1);
        assertThat(p.metrics().kinds().get(OperationKind.SEND).failed()).isZero();
        pair.client().closeAsync().await(WAIT);
        pair.server().closeAsync().await(WAIT);
        assertClean();
        assertThat(u.pending()).isZero();
    }

    @Test
    void thresholdZeroTurnsZeroCopyOffAndSmallSendsStayPlain() throws Exception {
        open(ProactorConfig.builder().zeroCopySendThreshold(0));
        String how = p.capabilities().operations().get(OperationKind.SEND);
        assertThat(how).contains("zero-copy off");
        Pair pair = connect(p, loopback());
        try (Arena arena = Arena.ofShared()) {
            transfer(pair, pattern(arena, 4L * MIB, 4), CHUNK, null);
        }
        assertThat(backend.get().zeroCopy().sends()).isZero();
        pair.client().closeAsync().await(WAIT);
        pair.server().closeAsync().await(WAIT);
        assertClean();
    }

    @Test
    void sendsBelowTheThresholdAreCopied() throws Exception {
        open(ProactorConfig.builder().zeroCopySendThreshold(64 * KIB));
        assertThat(p.capabilities().operations().get(OperationKind.SEND))
                .contains("SEND_ZC for 65536 bytes and above");
        Pair pair = connect(p, loopback());
        try (Arena arena = Arena.ofShared()) {
            transfer(pair, pattern(arena, MIB, 5), 32 * KIB, null);
        }
        assertThat(backend.get().zeroCopy().sends()).isZero();
        pair.client().closeAsync().await(WAIT);
        pair.server().closeAsync().await(WAIT);
        assertClean();
    }

    @Test
    void theThresholdIsValidated() throws Exception {
        assertThat(ProactorConfig.defaults().zeroCopySendThreshold()).as("off unless asked for").isZero();
        assertThatThrownBy(() -> ProactorConfig.builder().zeroCopySendThreshold(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zeroCopySendThreshold");
        assertThat(ProactorConfig.builder().zeroCopySendThreshold(0).build().zeroCopySendThreshold()).isZero();
    }

    /** Every request's kernel memory went back: what the backend holds is its idle scratch pool. */
    private static void assertNoRequestMemory(UringBackend u) {
        assertThat(u.scratch().outstanding()).as("scratch blocks still out").isZero();
        assertThat(u.nativeBytes()).isEqualTo(u.scratch().bytes());
    }
}
