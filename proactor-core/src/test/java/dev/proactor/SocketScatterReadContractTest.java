package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.internal.spi.Request;
import dev.proactor.test.BackendPair;
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
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Scatter reads on sockets ({@link AsyncSocket#read(ByteBuffer...)},
 * {@link AsyncSocket#readFully(ByteBuffer...)}) over every backend pair and on every backend (the
 * io_uring fallback variant included, where RECVMSG is masked): bytes fill the buffers in order,
 * each position advances by what its buffer received, short receives (real ones, cut by the fault
 * injector) are finished by readFully and reported exactly by read, the end of the stream is -1 or
 * an EndOfFileException that counts what arrived, and a cancelled scatter read loses no byte.
 */
class SocketScatterReadContractTest {

    /** Buffers of {@code sizes}, heap and direct alternating, an empty one allowed. */
    private static ByteBuffer[] buffers(int... sizes) {
        ByteBuffer[] out = new ByteBuffer[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            out[i] = i % 2 == 0 ? ByteBuffer.allocate(sizes[i]) : ByteBuffer.allocateDirect(sizes[i]);
        }
        return out;
    }

    /** What the buffers received: each one's bytes from 0 to its position, in order. */
    private static byte[] received(ByteBuffer... buffers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b : buffers) {
            byte[] bytes = new byte[b.position()];
            b.duplicate().flip().get(bytes);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Reads to end of stream. */
    private static byte[] readToEnd(AsyncSocket s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (true) {
            buf.clear();
            int n = Ops.result(s.read(buf));
            if (n < 0) {
                return out.toByteArray();
            }
            out.write(buf.array(), 0, n);
        }
    }

    @EachBackendPair
    void aScatterReadFillsEachBufferInOrderByteExact(BackendPair pair) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server());
        Sockets.Connection c = Sockets.connect(listener, pair.client());
        int[] sizes = {3, 0, 70_000, 1, 4096, 200_000, 17};
        int total = Arrays.stream(sizes).sum();
        byte[] data = random(total, 50);
        Operation<Long> write = c.client().writeAll(ByteBuffer.wrap(data));

        ByteBuffer[] dsts = buffers(sizes);
        assertThat(Ops.result(c.server().readFully(dsts))).isEqualTo(total);
        assertThat(Ops.result(write)).isEqualTo(total);
        assertThat(dsts).allSatisfy(b -> assertThat(b.hasRemaining()).isFalse());
        assertThat(Arrays.mismatch(received(dsts), data)).as("first differing byte").isEqualTo(-1);

        // One round: whatever arrived, laid out in buffer order; the positions add up to the result.
        byte[] more = random(10_000, 51);
        Ops.result(c.client().writeAll(ByteBuffer.wrap(more)));
        ByteBuffer[] once = buffers(6000, 6000);
        long n = Ops.result(c.server().read(once));
        assertThat(n).isBetween(1L, (long) more.length);
        assertThat(once[0].position() + once[1].position()).isEqualTo(n);
        assertThat(once[1].position() == 0 || once[0].position() == 6000).as("the first buffer fills first").isTrue();
        assertThat(received(once)).isEqualTo(Arrays.copyOf(more, (int) n));
        ByteBuffer rest = ByteBuffer.allocate(more.length - (int) n);
        Ops.result(c.server().readFully(rest));
        assertThat(rest.array()).isEqualTo(Arrays.copyOfRange(more, (int) n, more.length));
        c.close();
        Ops.result(listener.closeAsync());
    }

    /**
     * Short receives, real ones (the fault injector cuts a round's request before the kernel sees
     * it): readFully finishes the job byte-exact; a single read reports the short count and moves
     * each buffer's position by exactly what it received.
     */
    @EachBackend
    void shortReceivesAreFinishedByReadFullyAndReportedByRead(ProactorFixture fixture) throws Exception {
        FaultInjectingBackend.Control control = new FaultInjectingBackend.Control();
        Proactor p = fixture.open(fixture.config(), control::wrap);
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        int[] sizes = new int[40];
        SplittableRandom r = new SplittableRandom(52);
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = i % 7 == 3 ? 0 : 1 + r.nextInt(3000);
        }
        int total = Arrays.stream(sizes).sum();
        byte[] data = random(total, 53);
        ByteBuffer[] dsts = buffers(sizes);
        // Every round that could receive 2 bytes or more receives 1 to n-1 of its n.
        control.roundCap(RoundCap.random(Request.RecvV.class, 54, 1.0));
        Operation<Long> reading = c.server().readFully(dsts);
        Ops.result(c.client().writeAll(ByteBuffer.wrap(data)));
        assertThat(Ops.result(reading)).isEqualTo(total);
        control.roundCap(RoundCap.NONE);
        assertThat(control.shortsInjected()).as("short receives cut").isGreaterThanOrEqualTo(5);
        assertThat(Arrays.mismatch(received(dsts), data)).as("first differing byte").isEqualTo(-1);

        // One round cut to 7 bytes: the first buffer's 5, then 2 of the second's 10.
        byte[] twenty = random(20, 55);
        Ops.result(c.client().writeAll(ByteBuffer.wrap(twenty)));
        ByteBuffer[] three = buffers(5, 10, 5);
        long before = control.shortsInjected();
        control.roundCap(RoundCap.next(Request.RecvV.class, 7));
        assertThat(Ops.result(c.server().read(three))).isEqualTo(7L);
        assertThat(control.shortsInjected()).isEqualTo(before + 1);
        assertThat(three[0].position()).isEqualTo(5);
        assertThat(three[1].position()).isEqualTo(2);
        assertThat(three[2].position()).isZero();
        // The rest lands where the positions stand.
        assertThat(Ops.result(c.server().readFully(three))).isEqualTo(13L);
        assertThat(received(three)).isEqualTo(twenty);
        c.close();
        Ops.result(listener.closeAsync());
    }

    @EachBackend
    void endOfStreamIsMinusOneForReadAndEndOfFileForReadFully(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        byte[] twelve = random(12, 56);
        Ops.result(c.client().writeAll(ByteBuffer.wrap(twelve)));
        Ops.result(c.client().shutdownOutput());
        ByteBuffer[] dsts = buffers(10, 10);
        ProactorException e = Ops.failure(c.server().readFully(dsts));
        assertThat(e).isInstanceOf(EndOfFileException.class);
        assertThat(e.bytesDone()).isEqualTo(12);
        assertThat(dsts[0].position()).isEqualTo(10);
        assertThat(dsts[1].position()).isEqualTo(2);
        assertThat(received(dsts)).isEqualTo(twelve);
        assertThat(Ops.result(c.server().read(buffers(4, 4)))).isEqualTo(-1L);
        c.close();
        Ops.result(listener.closeAsync());
    }

    @EachBackend
    void badInputIsRefusedClearlyAndLeavesTheSocketUsable(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        AsyncSocket s = c.server();
        assertThatThrownBy(() -> s.read(new ByteBuffer[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 1 and 1024 buffers (IOV_MAX), got 0");
        ByteBuffer[] tooMany = new ByteBuffer[1025];
        Arrays.fill(tooMany, ByteBuffer.allocate(1));
        assertThatThrownBy(() -> s.readFully(tooMany)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 1025");
        assertThatThrownBy(() -> s.read(ByteBuffer.allocate(8), null)).isInstanceOf(NullPointerException.class)
                .hasMessage("dsts[1] is null");
        assertThatThrownBy(() -> s.readFully((ByteBuffer[]) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("dsts");
        ByteBuffer direct = ByteBuffer.allocateDirect(8);
        assertThatThrownBy(() -> s.read(direct, ByteBuffer.allocate(8).asReadOnlyBuffer()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
        assertThat(direct.position()).isZero();

        // The most buffers allowed: 1024, one byte each, in order.
        byte[] want = random(1024, 57);
        Ops.result(c.client().writeAll(ByteBuffer.wrap(want)));
        int[] ones = new int[1024];
        Arrays.fill(ones, 1);
        ByteBuffer[] max = buffers(ones);
        assertThat(Ops.result(s.readFully(max))).isEqualTo(1024L);
        assertThat(received(max)).isEqualTo(want);
        c.close();
        Ops.result(listener.closeAsync());
    }

    /**
     * A scatter readFully waiting for more than the peer sent, cancelled: it ends CANCELLED with the
     * bytes it had received, its buffers' positions say which, and the next read gets the bytes
     * after those; nothing is lost or read twice, whichever round the cancel met.
     */
    @EachBackendPair
    void aCancelledScatterReadLosesNoByte(BackendPair pair) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server());
        Sockets.Connection c = Sockets.connect(listener, pair.client());
        byte[] data = random(30, 58);
        Ops.result(c.client().writeAll(ByteBuffer.wrap(data, 0, 5)));
        ByteBuffer[] dsts = buffers(10, 10);
        Operation<Long> r = c.server().readFully(dsts);
        Waits.until(Duration.ofSeconds(5), () -> r.state() == OperationState.SUBMITTED,
                () -> "scatter read not handed to the backend: " + r.state());
        CancelResult result = r.cancel().toCompletableFuture().get();
        assertThat(result.kind()).isIn(CancelResult.Kind.CANCELLED, CancelResult.Kind.TOO_LATE);
        assertThat(r.state()).as("20 bytes asked, 5 sent").isEqualTo(OperationState.CANCELLED);
        long got = r.failureNow().bytesDone();
        assertThat(got).isBetween(0L, 5L);
        assertThat(dsts[0].position() + dsts[1].position()).as("positions moved by the bytes counted").isEqualTo(got);
        assertThat(received(dsts)).isEqualTo(Arrays.copyOf(data, (int) got));

        Ops.result(c.client().writeAll(ByteBuffer.wrap(data, 5, 25)));
        Ops.result(c.client().shutdownOutput());
        assertThat(readToEnd(c.server())).isEqualTo(Arrays.copyOfRange(data, (int) got, data.length));
        c.close();
        Ops.result(listener.closeAsync());
    }
}
