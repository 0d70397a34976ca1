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
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The reusable gather send of native segments ({@link AsyncSocket#reusableWriteAll(MemorySegment[],
 * ResultHandler)}) over every backend pair and on every backend (the io_uring fallback variant
 * included): each run sends the segments its array held when it began, whole, in order and
 * byte-exact, short sends (real ones, cut by the fault injector) are finished within the run and
 * the next run starts from its own first byte, and bad segments are refused at creation and at
 * restart without a run starting.
 */
class SocketReusableGatherWriteContractTest {

    private static MemorySegment filled(Arena arena, int size, SplittableRandom random) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return arena.allocate(Math.max(1, size)).asSlice(0, size).copyFrom(MemorySegment.ofArray(bytes));
    }

    private static byte[] concat(MemorySegment... segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (MemorySegment s : segments) {
            out.writeBytes(s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
        return out.toByteArray();
    }

    private static byte[] read(AsyncSocket s, int n) {
        ByteBuffer got = ByteBuffer.allocate(n);
        assertThat(Ops.result(s.readFully(got))).isEqualTo(n);
        return got.array();
    }

    /** Each run's outcome, from its handler: the result or the failure. */
    private static final class Outcomes implements ResultHandler<Long> {
        final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();

        @Override
        public void completed(Long n, ProactorException failure) {
            queue.add(failure != null ? failure : n);
        }

        Object next() throws InterruptedException {
            Object o = queue.poll(60, TimeUnit.SECONDS);
            assertThat(o).as("a run's outcome").isNotNull();
            return o;
        }
    }

    @EachBackendPair
    void eachRunSendsTheSegmentsItsArrayHeldWhenItBegan(BackendPair pair) throws Exception {
        AsyncServerSocket listener = Sockets.listen(pair.server());
        Sockets.Connection c = Sockets.connect(listener, pair.client());
        SplittableRandom random = new SplittableRandom(51);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment head = filled(arena, 180, random);
            MemorySegment body = filled(arena, 4096, random);
            MemorySegment other = filled(arena, 13, random);
            MemorySegment empty = filled(arena, 0, random);
            MemorySegment[] srcs = {head, body};
            Outcomes outcomes = new Outcomes();
            ReusableOperation<Long> op = c.client().reusableWriteAll(srcs, outcomes);
            assertThat(outcomes.next()).isEqualTo(4276L);
            assertThat(read(c.server(), 4276)).isEqualTo(concat(head, body));

            MemorySegment[][] runs = {
                {head, other}, {head, empty}, {body.asSlice(100, 900), head}, {empty, empty}, {other, body}
            };
            Set<Long> ids = new HashSet<>();
            ids.add(op.id());
            for (MemorySegment[] run : runs) {
                srcs[0] = run[0];
                srcs[1] = run[1];
                byte[] want = concat(run);
                assertThat(op.restart()).isSameAs(op);
                assertThat(outcomes.next()).isEqualTo((long) want.length);
                if (want.length > 0) {
                    assertThat(read(c.server(), want.length)).isEqualTo(want);
                }
                assertThat(ids.add(op.id())).as("a new id every run").isTrue();
            }
            op.await();
            assertThat(c.client().pendingWriteBytes()).isZero();
        } finally {
            c.close();
            Ops.result(listener.closeAsync());
        }
    }

    /**
     * Every round that could send 2 bytes or more sends 1 to n-1 of its n: each run goes on from
     * where its rounds stopped, across segment boundaries, and ends with its total; the next run
     * starts from its own first segment's first byte, not from where the last one's rounds were.
     */
    @EachBackend
    void shortSendsAreFinishedWithinEachRun(ProactorFixture fixture) throws Exception {
        FaultInjectingBackend.Control control = new FaultInjectingBackend.Control();
        Proactor p = fixture.open(fixture.config(), control::wrap);
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        SplittableRandom random = new SplittableRandom(52);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] srcs = new MemorySegment[6];
            for (int i = 0; i < srcs.length; i++) {
                srcs[i] = filled(arena, i == 2 ? 0 : 1 + random.nextInt(20_000), random);
            }
            control.roundCap(RoundCap.random(Request.SendV.class, 53, 1.0));
            Outcomes outcomes = new Outcomes();
            ReusableOperation<Long> op = null;
            for (int run = 0; run < 4; run++) {
                if (run > 0) {
                    // Another mix each run: the segments rotate by one.
                    MemorySegment first = srcs[0];
                    System.arraycopy(srcs, 1, srcs, 0, srcs.length - 1);
                    srcs[srcs.length - 1] = first;
                }
                byte[] want = concat(srcs);
                ByteBuffer in = ByteBuffer.allocate(want.length);
                Operation<Long> reading = c.server().readFully(in);
                if (op == null) {
                    op = c.client().reusableWriteAll(srcs, outcomes);
                } else {
                    op.restart();
                }
                assertThat(outcomes.next()).isEqualTo((long) want.length);
                assertThat(Ops.result(reading)).isEqualTo(want.length);
                assertThat(Arrays.mismatch(in.array(), want)).as("first differing byte, run %d", run).isEqualTo(-1);
            }
            control.roundCap(RoundCap.NONE);
            assertThat(control.shortsInjected()).as("short sends cut").isGreaterThanOrEqualTo(8);
            op.await();
        } finally {
            c.close();
            Ops.result(listener.closeAsync());
        }
    }

    @EachBackend
    void badSegmentsAreRefusedAtCreationAndAtRestart(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open();
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        AsyncSocket s = c.client();
        Outcomes outcomes = new Outcomes();
        try (Arena arena = Arena.ofShared(); Arena confined = Arena.ofConfined()) {
            MemorySegment ok = filled(arena, 8, new SplittableRandom(54));
            assertThatThrownBy(() -> s.reusableWriteAll(new MemorySegment[0], outcomes))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("between 1 and 1024 segments (IOV_MAX), got 0");
            MemorySegment[] tooMany = new MemorySegment[1025];
            Arrays.fill(tooMany, ok);
            assertThatThrownBy(() -> s.reusableWriteAll(tooMany, outcomes))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 1025");
            assertThatThrownBy(() -> s.reusableWriteAll(new MemorySegment[] {ok, null}, outcomes))
                    .isInstanceOf(NullPointerException.class).hasMessage("srcs[1] is null");
            assertThatThrownBy(() -> s.reusableWriteAll(new MemorySegment[] {MemorySegment.ofArray(new byte[4])},
                    outcomes)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be native");
            assertThatThrownBy(() -> s.reusableWriteAll(new MemorySegment[] {confined.allocate(4)}, outcomes))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("confined");
            assertThatThrownBy(() -> s.reusableWriteAll((MemorySegment[]) null, outcomes)).isInstanceOf(NullPointerException.class)
                    .hasMessage("srcs");
            assertThat(s.pendingWriteBytes()).isZero();
            assertThat(outcomes.queue).as("no run began").isEmpty();

            MemorySegment[] srcs = {ok};
            ReusableOperation<Long> op = s.reusableWriteAll(srcs, outcomes);
            assertThat(outcomes.next()).isEqualTo(8L);
            op.await();
            srcs[0] = MemorySegment.ofArray(new byte[4]);
            assertThatThrownBy(op::restart).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be native");
            srcs[0] = null;
            assertThatThrownBy(op::restart).isInstanceOf(NullPointerException.class).hasMessage("srcs[0] is null");
            assertThat(outcomes.queue).as("no run began").isEmpty();
            srcs[0] = ok;
            op.restart();
            assertThat(outcomes.next()).isEqualTo(8L);
            assertThat(read(c.server(), 16)).isEqualTo(concat(ok, ok));
            op.await();
        } finally {
            c.close();
            Ops.result(listener.closeAsync());
        }
    }
}
