package dev.proactor.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.spi.NativeAccounting;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BounceCacheTest {

    @Test
    void sizesRoundUpToPowersOfTwoAndSegmentsAreReused() {
        BounceCache cache = new BounceCache();
        MemorySegment a = cache.take(1);
        assertThat(a.byteSize()).isEqualTo(64);
        assertThat(cache.take(65).byteSize()).isEqualTo(128);
        assertThat(cache.take(4096).byteSize()).isEqualTo(4096);
        assertThat(cache.take(4097).byteSize()).isEqualTo(8192);
        assertThat(cache.take(1 << BounceCache.MAX_SHIFT).byteSize()).isEqualTo(1 << BounceCache.MAX_SHIFT);
        assertThat(cache.take((1 << BounceCache.MAX_SHIFT) + 1)).as("over the largest size").isNull();
        cache.give(a);
        assertThat(cache.take(40)).as("the 64-byte segment given back").isSameAs(a);
    }

    @Test
    void allocatesNoMoreThanItsCap() {
        BounceCache cache = new BounceCache();
        List<MemorySegment> out = new ArrayList<>();
        MemorySegment s;
        while ((s = cache.take(1 << BounceCache.MAX_SHIFT)) != null) {
            out.add(s);
        }
        assertThat((long) out.size() << BounceCache.MAX_SHIFT).isEqualTo(BounceCache.MAX_BYTES);
        MemorySegment last = out.removeLast();
        cache.give(last);
        assertThat(cache.take(1 << BounceCache.MAX_SHIFT)).as("a segment given back is taken again").isSameAs(last);
        out.add(last);
        out.forEach(cache::give);
        assertThat(cache.close()).isZero();
    }

    @Test
    void closeFreesAtOnceOrWhenTheLastSegmentComesBack() {
        long before = NativeAccounting.outstandingBytes();
        BounceCache idle = new BounceCache();
        idle.give(idle.take(100));
        assertThat(idle.close()).isZero();
        assertThat(idle.bytes()).isZero();

        BounceCache busy = new BounceCache();
        MemorySegment held = busy.take(1000);
        busy.give(busy.take(10));
        assertThat(busy.close()).as("kept while a segment is out").isEqualTo(1024 + 64);
        assertThat(busy.take(10)).as("a closed cache lends nothing").isNull();
        busy.give(held);
        assertThat(busy.bytes()).isZero();
        assertThat(NativeAccounting.outstandingBytes()).isEqualTo(before);
    }

    @Test
    void heapBuffersBounceThroughTheCacheAndDirectOnesDoNot() {
        BounceCache cache = new BounceCache();
        ByteBuffer heap = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}).position(1);
        Bounce out = Bounce.of(heap, false, cache);
        assertThat(out.segment.byteSize()).isEqualTo(4);
        assertThat(out.segment.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsExactly(2, 3, 4, 5);
        out.free();
        out.free();  // idempotent: the segment goes back once

        ByteBuffer into = ByteBuffer.allocate(8).position(2);
        Bounce in = Bounce.of(into, true, cache);
        in.segment.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 9);
        in.copyBack(1);
        in.free();
        assertThat(into.get(2)).isEqualTo((byte) 9);

        Bounce direct = Bounce.of(ByteBuffer.allocateDirect(16), true, cache);
        direct.free();
        assertThat(cache.close()).isZero();
    }
}
