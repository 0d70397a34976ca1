package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.internal.spi.Request;
import dev.proactor.test.BackendPair;
import dev.proactor.test.CancelRaces;
import dev.proactor.test.EachBackend;
import dev.proactor.test.EachBackendPair;
import dev.proactor.test.FaultInjectingBackend;
import dev.proactor.test.FaultInjectingBackend.RoundCap;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Gather writes on sockets ({@link AsyncSocket#write(ByteBuffer...)},
 * {@link AsyncSocket#writeAll(ByteBuffer...)}) over every backend pair and on every backend (the
 * io_uring fallback variant included, where SENDMSG is masked): the bytes arrive in buffer order
 * and in the socket's send order, positions advance by what each buffer gave, short sends (real
 * ones, cut by the fault injector) are finished or reported exactly, bad input is refused clearly,
 * and a cancelled gather write sends nothing the peer does not get counted.
 */
class SocketGatherWriteContractTest {

    private static final SocketOptions SMALL_BUFFERS = SocketOptions.defaults().withBufferSizes(4096, 4096);

    /** A listener and one connection to it; {@link #close()} closes all three. */
    private record Wire(AsyncServerSocket listener, Sockets.Connection c) {
        static Wire open(Proactor server, Proactor client, SocketOptions options) {
            AsyncServerSocket listener = Sockets.listen(server, options);
            return new Wire(listener, Sockets.connect(listener, client, options));
        }

        AsyncSocket client() {
            return c.client();
        }

        AsyncSocket server() {
            return c.server();
        }

        void close() {
            c.close();
            Ops.result(listener.closeAsync());
        }
    }

    /** The concatenation of the buffers' remaining bytes, read without moving them. */
    private static byte[] remaining(ByteBuffer... buffers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b : buffers) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    private static ByteBuffer filled(int size, boolean direct, SplittableRandom random) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return direct ? ByteBuffer.allocateDirect(size).put(bytes).flip() : ByteBuffer.wrap(bytes);
    }

    /** Reads exactly {@code n} bytes from {@code s}. */
    private static byte[] read(AsyncSocket s, int n) {
        ByteBuffer got = ByteBuffer.allocate(n);
        assertThat(Ops.result(s.readFully(got))).isEqualTo(n);
        return got.array();
    }

    /** Reads to end of stream in reads of at most {@code chunk} bytes. */
    private static byte[] readToEnd(AsyncSocket s, int chunk, SplittableRandom pace) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
        while (true) {
            buf.clear();
            int n = Ops.result(s.read(buf));
            if (n < 0) {
                return out.toByteArray();
            }
            byte[] b = new byte[n];
            buf.flip().get(b);
            out.writeBytes(b);
            if (pace != null) {
                // A slow reader: the sender meets a full send buffer again and again.
                LockSupport.parkNanos(pace.nextLong(20_000));
            }
        }
    }

    @EachBackendPair
    void aGatherWriteOfMixedBuffersArrivesByteExactAndInOrder(BackendPair pair) throws Exception {
        Wire c = Wire.open(pair.server(), pair.client(), SocketOptions.defaults());
        SplittableRandom random = new SplittableRandom(41);
        ByteBuffer heap = filled(1500, false, random);
        ByteBuffer sliced = ByteBuffer.wrap(new byte[900], 100, 700).slice();
        random.nextBytes(sliced.array());
        ByteBuffer empty = ByteBuffer.allocate(0);
        ByteBuffer direct = filled(2048, true, random).position(48);
        ByteBuffer readOnly = filled(333, false, random).asReadOnlyBuffer();
        ByteBuffer emptyDirect = ByteBuffer.allocateDirect(16).position(16);
        ByteBuffer[] srcs = {heap, sliced, empty, direct, emptyDirect, readOnly};
        byte[] want = remaining(srcs);

        assertThat(Ops.result(c.client().write(srcs))).as("one send of a few KiB takes it all").isEqualTo(want.length);
        assertThat(read(c.server(), want.length)).isEqualTo(want);
        assertThat(heap.position()).isEqualTo(1500);
        assertThat(sliced.position()).isEqualTo(700);
        assertThat(empty.position()).isZero();
        assertThat(direct.position()).isEqualTo(2048);
        assertThat(emptyDirect.position()).isEqualTo(16);
        assertThat(readOnly.position()).isEqualTo(333);
        assertThat(c.client().pendingWriteBytes()).isZero();

        // The same through writeAll, and a single buffer.
        ByteBuffer one = filled(77, true, random);
        byte[] oneBytes = remaining(one);
        assertThat(Ops.result(c.client().writeAll(one))).isEqualTo(77L);
        assertThat(one.hasRemaining()).isFalse();
        assertThat(read(c.server(), 77)).isEqualTo(oneBytes);
        c.close();
    }

    /**
     * A plain write, a gather writeAll of several MiB across many buffers (heap and direct, some
     * empty, some beyond the bounce cache's largest size), then a plain write, all initiated at
     * once on small socket buffers while the peer reads slowly in small reads: each ends with its
     * total, and the peer receives the three in initiation order, byte-exact.
     */
    @EachBackendPair
    void writeAllOfManyBuffersKeepsTheSendOrderWithPlainWrites(BackendPair pair) throws Exception {
        Wire c = Wire.open(pair.server(), pair.client(), SMALL_BUFFERS);
        SplittableRandom random = new SplittableRandom(42);
        List<ByteBuffer> list = new ArrayList<>();
        long total = 0;
        for (int i = 0; total < (3 << 20); i++) {
            int size = i % 37 == 5 ? 0 : i % 50 == 7 ? 100_000 + random.nextInt(50_000) : 1 + random.nextInt(40_000);
            ByteBuffer b = filled(size, i % 3 == 0, random);
            list.add(b);
            total += size;
        }
        ByteBuffer[] srcs = list.toArray(ByteBuffer[]::new);
        byte[] head = remaining(filled(1000, false, random));
        byte[] tail = remaining(filled(3000, true, random));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(head);
        expected.writeBytes(remaining(srcs));
        expected.writeBytes(tail);

        Operation<Long> first = c.client().writeAll(ByteBuffer.wrap(head));
        Operation<Long> gather = c.client().writeAll(srcs);
        Operation<Long> last = c.client().writeAll(ByteBuffer.wrap(tail));
        // Nothing is read yet and the socket buffers are small: the gather write and the write
        // behind it are pending, counted against the write budget.
        assertThat(c.client().pendingWriteBytes()).isGreaterThanOrEqualTo(total + tail.length);

        byte[][] got = new byte[1][];
        Thread reader = Thread.ofPlatform().name("gather-reader").start(
                () -> got[0] = readToEnd(c.server(), 1500, new SplittableRandom(43)));
        assertThat(Ops.result(first)).isEqualTo(head.length);
        assertThat(Ops.result(gather)).isEqualTo(total);
        assertThat(Ops.result(last)).isEqualTo(tail.length);
        assertThat(list).allSatisfy(b -> assertThat(b.hasRemaining()).isFalse());
        Ops.result(c.client().shutdownOutput());
        reader.join(Duration.ofSeconds(60));
        assertThat(reader.isAlive()).as("reader still reading").isFalse();
        byte[] want = expected.toByteArray();
        assertThat(got[0]).hasSize(want.length);
        assertThat(Arrays.mismatch(got[0], want)).as("first differing byte").isEqualTo(-1);
        assertThat(c.client().pendingWriteBytes()).isZero();
        c.close();
    }

    /**
     * Short sends, real ones (the fault injector cuts a round's request before the kernel sees
     * it): writeAll finishes the job byte-exact; a single write reports the short count and moves
     * each buffer's position by exactly what it gave.
     */
    @EachBackend
    void shortSendsAreFinishedByWriteAllAndReportedByWrite(ProactorFixture fixture) throws Exception {
        FaultInjectingBackend.Control control = new FaultInjectingBackend.Control();
        Proactor p = fixture.open(fixture.config(), control::wrap);
        Wire c = Wire.open(p, p, SocketOptions.defaults());
        SplittableRandom random = new SplittableRandom(44);

        ByteBuffer[] srcs = new ByteBuffer[64];
        for (int i = 0; i < srcs.length; i++) {
            srcs[i] = filled(i % 9 == 4 ? 0 : 1 + random.nextInt(20_000), i % 2 == 0, random);
        }
        byte[] want = remaining(srcs);
        // Every round that could send 2 bytes or more sends 1 to n-1 of its n: a dozen rounds or so.
        control.roundCap(RoundCap.random(Request.SendV.class, 45, 1.0));
        ByteBuffer in = ByteBuffer.allocate(want.length);
        Operation<Long> reading = c.server().readFully(in);
        assertThat(Ops.result(c.client().writeAll(srcs))).isEqualTo(want.length);
        assertThat(Ops.result(reading)).isEqualTo(want.length);
        control.roundCap(RoundCap.NONE);
        assertThat(control.shortsInjected()).as("short sends cut").isGreaterThanOrEqualTo(5);
        assertThat(Arrays.mismatch(in.array(), want)).as("first differing byte").isEqualTo(-1);
        assertThat(srcs).allSatisfy(b -> assertThat(b.hasRemaining()).isFalse());

        // One round cut to 7 bytes: the first buffer's 5, then 2 of the second's 10.
        ByteBuffer b1 = filled(5, false, random);
        ByteBuffer b2 = filled(10, true, random);
        ByteBuffer b3 = filled(4, false, random);
        byte[] first7 = Arrays.copyOf(remaining(b1, b2, b3), 7);
        long shortsBefore = control.shortsInjected();
        control.roundCap(RoundCap.next(Request.SendV.class, 7));
        assertThat(Ops.result(c.client().write(b1, b2, b3))).isEqualTo(7L);
        assertThat(control.shortsInjected()).isEqualTo(shortsBefore + 1);
        assertThat(b1.position()).isEqualTo(5);
        assertThat(b2.position()).isEqualTo(2);
        assertThat(b3.position()).isZero();
        assertThat(read(c.server(), 7)).isEqualTo(first7);
        // The rest goes out from where the positions stand.
        byte[] rest = remaining(b1, b2, b3);
        assertThat(rest).hasSize(12);
        assertThat(Ops.result(c.client().writeAll(b1, b2, b3))).isEqualTo(12L);
        assertThat(read(c.server(), 12)).isEqualTo(rest);
        c.close();
    }

    @EachBackend
    void badInputIsRefusedClearlyAndLeavesTheSocketUsable(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        Wire c = Wire.open(p, p, SocketOptions.defaults());
        AsyncSocket s = c.client();
        assertThatThrownBy(() -> s.write(new ByteBuffer[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 1 and 1024 buffers (IOV_MAX), got 0");
        ByteBuffer[] tooMany = new ByteBuffer[1025];
        Arrays.fill(tooMany, ByteBuffer.allocate(1));
        assertThatThrownBy(() -> s.writeAll(tooMany)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 1 and 1024 buffers (IOV_MAX), got 1025");
        ByteBuffer untouched = ByteBuffer.allocate(8);
        assertThatThrownBy(() -> s.write(untouched, null, ByteBuffer.allocateDirect(8)))
                .isInstanceOf(NullPointerException.class).hasMessage("srcs[1] is null");
        assertThatThrownBy(() -> s.writeAll((ByteBuffer[]) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("srcs");
        assertThat(untouched.position()).isZero();
        assertThat(s.pendingWriteBytes()).isZero();

        // The most buffers allowed: 1024, one byte each, in one send.
        ByteBuffer[] max = new ByteBuffer[1024];
        byte[] want = new byte[max.length];
        for (int i = 0; i < max.length; i++) {
            want[i] = (byte) (i * 7);
            max[i] = i % 2 == 0 ? ByteBuffer.wrap(new byte[] {want[i]})
                    : ByteBuffer.allocateDirect(1).put(want[i]).flip();
        }
        assertThat(Ops.result(s.write(max))).isEqualTo(1024L);
        assertThat(read(c.server(), 1024)).isEqualTo(want);
        c.close();
    }

    /**
     * A gather writeAll the peer does not read stays pending; cancelled, it ends CANCELLED with the
     * bytes it had sent, the positions say which, and the peer receives exactly those.
     */
    @EachBackendPair
    void aCancelledGatherWriteSendsExactlyWhatItCounted(BackendPair pair) throws Exception {
        Wire c = Wire.open(pair.server(), pair.client(), SMALL_BUFFERS);
        SplittableRandom random = new SplittableRandom(47);
        ByteBuffer[] srcs = new ByteBuffer[16];
        for (int i = 0; i < srcs.length; i++) {
            srcs[i] = filled(256 << 10, i % 2 == 1, random);
        }
        byte[] all = remaining(srcs);
        Operation<Long> w = c.client().writeAll(srcs);
        Waits.until(Duration.ofSeconds(5), () -> w.state() == OperationState.SUBMITTED,
                () -> "gather write not handed to the backend: " + w.state());
        CancelResult r = w.cancel().toCompletableFuture().get();
        assertThat(r.kind()).isIn(CancelResult.Kind.CANCELLED, CancelResult.Kind.TOO_LATE);
        assertThat(w.state()).as("4 MiB cannot all be sent to a peer that does not read")
                .isEqualTo(OperationState.CANCELLED);
        long sent = w.failureNow().bytesDone();
        assertThat(sent).isLessThan(all.length);
        long positions = Arrays.stream(srcs).mapToLong(ByteBuffer::position).sum();
        assertThat(positions).as("positions moved by the bytes sent").isEqualTo(sent);
        assertThat(c.client().pendingWriteBytes()).isZero();

        Ops.result(c.client().shutdownOutput());
        byte[] got = readToEnd(c.server(), 64 << 10, null);
        assertThat(got.length).as("bytes the peer received vs bytes the cancelled write counted").isEqualTo(sent);
        assertThat(Arrays.mismatch(got, Arrays.copyOf(all, (int) sent))).isEqualTo(-1);
        c.close();
    }

    /**
     * Single gather writes raced against their cancels: each ends once, its cancel's answer agrees,
     * and the peer receives exactly the completed writes' bytes, in initiation order.
     */
    @EachBackendPair
    void gatherWritesRacedAgainstCancelsSendExactlyTheCompletedBytes(BackendPair pair) throws Exception {
        int races = 384;
        Wire c = Wire.open(pair.server(), pair.client(), SMALL_BUFFERS);
        Map<Long, byte[]> sentBy = new ConcurrentHashMap<>();
        AtomicInteger recorded = new AtomicInteger();
        byte[][] received = new byte[1][];
        Thread reader = Thread.ofPlatform().name("gather-race-reader").start(
                () -> received[0] = readToEnd(c.server(), 1024, new SplittableRandom(48)));
        CancelRaces.Tally t = CancelRaces.run(races, new SplittableRandom(49), i -> {
            SplittableRandom content = new SplittableRandom(1000 + i);
            ByteBuffer[] srcs = {filled(200, i % 2 == 0, content), ByteBuffer.allocate(0),
                filled(312, i % 2 == 1, content)};
            byte[] bytes = remaining(srcs);
            Operation<Long> write = c.client().write(srcs);
            write.onComplete((n, failure) -> {
                if (failure == null) {
                    sentBy.put(write.id(), Arrays.copyOf(bytes, n.intValue()));
                }
                recorded.incrementAndGet();
            });
            return write;
        }, 100_000, window -> { });
        Waits.until(Duration.ofSeconds(10), () -> recorded.get() == races,
                () -> recorded.get() + " of " + races + " handlers recorded their bytes");
        Ops.result(c.client().shutdownOutput());
        reader.join(Duration.ofSeconds(30));
        assertThat(reader.isAlive()).as("reader still reading").isFalse();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        sentBy.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> expected.writeBytes(e.getValue()));
        byte[] want = expected.toByteArray();
        assertThat(received[0].length).as("bytes received vs completed writes' bytes (%s)", t).isEqualTo(want.length);
        assertThat(Arrays.mismatch(received[0], want)).as("a cancelled gather write sent data, or writes reordered")
                .isEqualTo(-1);
        c.close();
        t.assertBothSides();
    }
}
