package dev.proactor.internal.uring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.internal.spi.NativeAccounting;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pool of kernel-argument memory that submissions take and give back when reaped. */
class ScratchTest {

    @Test
    void aGivenBackBlockIsTakenAgainZeroedWithoutNewMemory() {
        Scratch.Pool pool = new Scratch.Pool();
        try {
            Scratch s = pool.take(88);
            MemorySegment first = s.allocate(56, 8);
            first.fill((byte) 0x5a);
            long held = pool.bytes();
            s.close();
            for (int i = 0; i < 1_000; i++) {
                Scratch again = pool.take(88);
                MemorySegment m = again.allocate(56, 8);
                assertThat(m.address()).isEqualTo(first.address());
                for (long b = 0; b < m.byteSize(); b++) {
                    assertThat(m.get(JAVA_BYTE, b)).as("byte %d of reuse %d", b, i).isZero();
                }
                m.fill((byte) 0x5a);
                again.close();
            }
            assertThat(pool.bytes()).isEqualTo(held);
        } finally {
            pool.close();
        }
    }

    @Test
    void allocationsAreAlignedAndDisjoint() {
        Scratch.Pool pool = new Scratch.Pool();
        try {
            Scratch s = pool.take(4 + 16 + 128);
            MemorySegment len = s.allocate(4, 4);
            MemorySegment ts = s.allocate(16, 8);
            MemorySegment sa = s.allocate(128, 8);
            assertThat(ts.address() % 8).isZero();
            assertThat(sa.address() % 8).isZero();
            assertThat(ts.address()).isGreaterThanOrEqualTo(len.address() + 4);
            assertThat(sa.address()).isGreaterThanOrEqualTo(ts.address() + 16);
            ts.set(JAVA_LONG, 0, -1L);
            assertThat(len.get(JAVA_BYTE, 0)).isZero();
            assertThat(sa.get(JAVA_BYTE, 0)).isZero();
            s.close();
        } finally {
            pool.close();
        }
    }

    @Test
    void moreThanABlockHoldsIsRefusedRatherThanOverrun() {
        Scratch.Pool pool = new Scratch.Pool();
        try {
            Scratch s = pool.take(8);
            assertThatThrownBy(() -> s.allocate(64, 8))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot hold 64");
            s.close();
        } finally {
            pool.close();
        }
    }

    @Test
    void anOutsizedRequestGetsMemoryOfItsOwnFreedOnClose() {
        Scratch.Pool pool = new Scratch.Pool();
        long before = NativeAccounting.outstandingBytes();
        try {
            Scratch big = pool.take(10_000);
            assertThat(pool.bytes()).isGreaterThanOrEqualTo(10_000);
            MemorySegment m = big.allocate(10_000, 1);
            assertThat(m.byteSize()).isEqualTo(10_000);
            big.close();
            assertThat(pool.bytes()).isZero();
        } finally {
            pool.close();
        }
        assertThat(NativeAccounting.outstandingBytes()).isEqualTo(before);
    }

    @Test
    void manyInFlightAtOnceEachGetTheirOwnBlock() {
        Scratch.Pool pool = new Scratch.Pool();
        try {
            List<MemorySegment> segments = new ArrayList<>();
            List<Scratch> out = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Scratch s = pool.take(16);
                MemorySegment m = s.allocate(16, 8);
                m.set(JAVA_LONG, 0, i);
                segments.add(m);
                out.add(s);
            }
            for (int i = 0; i < 100; i++) {
                assertThat(segments.get(i).get(JAVA_LONG, 0)).isEqualTo(i);
            }
            out.forEach(Scratch::close);
        } finally {
            pool.close();
        }
    }

    @Test
    void closingWithABlockStillOutKeepsTheMemoryAndCountsIt() {
        Scratch.Pool pool = new Scratch.Pool();
        long before = NativeAccounting.outstandingBytes();
        Scratch held = pool.take(16);
        MemorySegment m = held.allocate(16, 8);
        pool.close();
        // The kernel may still write here: the memory stays mapped and counted.
        m.set(JAVA_LONG, 0, 42L);
        assertThat(m.get(JAVA_LONG, 0)).isEqualTo(42L);
        assertThat(pool.bytes()).isPositive();
        assertThat(NativeAccounting.outstandingBytes() - before).isEqualTo(pool.bytes());
        assertThatThrownBy(() -> pool.take(16)).isInstanceOf(IllegalStateException.class);
    }
}
