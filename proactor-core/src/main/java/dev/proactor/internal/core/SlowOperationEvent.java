package dev.proactor.internal.core;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * An operation that took longer than the proactor's slow-operation threshold, committed by the
 * dispatcher when the operation ends. Free when JFR is not recording.
 */
@Name("dev.proactor.SlowOperation")
@Label("Slow Proactor Operation")
@Category({"Proactor", "I/O"})
@Description("An asynchronous operation slower than the configured threshold")
@StackTrace(false)
final class SlowOperationEvent extends jdk.jfr.Event {
    static final SlowOperationEvent PROBE = new SlowOperationEvent();

    @Label("Proactor")
    String proactor;

    @Label("Operation Id")
    long operationId;

    @Label("Kind")
    String kind;

    @Label("Resource")
    String resource;

    @Label("Outcome")
    String outcome;

    @Label("Latency")
    @Timespan(Timespan.NANOSECONDS)
    long latency;

    @Label("Bytes")
    @DataAmount
    long bytes;

    @Label("Attempts")
    int attempts;
}
