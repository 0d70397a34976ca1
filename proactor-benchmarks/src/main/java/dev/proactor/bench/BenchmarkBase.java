package dev.proactor.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JMH settings every Proactor benchmark shares; benchmarks extend it, and JMH reads the
 * annotations from the superclass. A subclass may override one of them (a throughput benchmark
 * states its own {@link BenchmarkMode} and {@link OutputTimeUnit}); the command line overrides
 * them all, so a quick run is {@code -f 1 -wi 2 -i 3 -w 1s -r 1s}.
 *
 * <p>The settings: one fork with a fixed 1 GiB heap and native access enabled (the proactor calls
 * {@code io_uring_enter} through the FFM API); 3 warm-up iterations of 2 s, then 5 measured
 * iterations of 2 s; average time per operation in nanoseconds. One fork is enough for the ratios
 * this project reports, because every contender is measured in the same run on the same machine;
 * the run script repeats the whole suite in rounds (A B A B ...) instead of adding forks.
 *
 * <p>Bytes allocated per operation: add {@code -prof gc} and read {@code gc.alloc.rate.norm}
 * (B/op). The run script does that for the no-op round trip.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
public abstract class BenchmarkBase {

    /** For subclasses. */
    protected BenchmarkBase() {}
}
