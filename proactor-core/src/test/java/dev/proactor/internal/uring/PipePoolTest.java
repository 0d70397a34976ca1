package dev.proactor.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The transfer pipes' pool: while many rounds are in flight, a released pipe is kept for the next
 * round instead of being closed and made again; when the rounds end it shrinks back to its floor,
 * and closing it closes every idle pipe.
 */
@EnabledOnOs(OS.LINUX) // pipe2(2)
class PipePoolTest {

    private static long descriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void pipesAreReusedWhileManyRoundsAreInFlightAndTrimmedWhenTheyEnd() throws IOException {
        long before = descriptors();
        PipePool pool = new PipePool();
        List<PipePool.Pipe> lent = new ArrayList<>();
        for (int i = 0; i < 64; i++) { // 64 transfers at once, a round each
            PipePool.Pipe p = pool.acquire();
            assertThat(p).isNotNull();
            lent.add(p);
        }
        assertThat(new HashSet<>(lent)).hasSize(64);
        assertThat(pool.open()).isEqualTo(64);
        assertThat(descriptors()).isEqualTo(before + 128);

        // A batch of completions ends 40 rounds while 24 are still in flight, before the 40
        // transfers' next rounds start: their pipes stay open for those rounds (a pool capped at 8
        // idle closed 32 of them, one capped at the pipes lent now 16, and both made them again).
        List<PipePool.Pipe> released = new ArrayList<>(lent.subList(0, 40));
        released.forEach(pool::release);
        lent.subList(0, 40).clear();
        assertThat(pool.lent()).isEqualTo(24);
        assertThat(pool.open()).isEqualTo(64);
        List<PipePool.Pipe> again = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            again.add(pool.acquire());
        }
        assertThat(again).containsExactlyInAnyOrderElementsOf(released); // no new pipe made
        assertThat(pool.open()).isEqualTo(64);
        lent.addAll(again);

        // Every round ends: the pool keeps its floor and closes the rest.
        lent.forEach(pool::release);
        assertThat(pool.lent()).isZero();
        assertThat(pool.open()).isEqualTo(PipePool.MAX_IDLE);
        assertThat(descriptors()).isEqualTo(before + 2L * PipePool.MAX_IDLE);

        pool.close();
        assertThat(pool.open()).isZero();
        assertThat(descriptors()).isEqualTo(before);
    }

    @Test
    void aDiscardedPipeIsClosedAndNoLongerLent() throws IOException {
        long before = descriptors();
        PipePool pool = new PipePool();
        PipePool.Pipe p = pool.acquire();
        pool.discard(p); // it may hold bytes: never reused
        assertThat(pool.lent()).isZero();
        assertThat(pool.open()).isZero();
        PipePool.Pipe fresh = pool.acquire();
        assertThat(fresh).isNotNull().isNotSameAs(p);
        assertThat(pool.open()).isEqualTo(1);
        pool.discard(fresh);
        pool.close();
        assertThat(descriptors()).isEqualTo(before);
    }
}
