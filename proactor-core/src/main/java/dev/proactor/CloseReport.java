package dev.proactor;

import java.time.Duration;
import java.util.List;

/**
 * What {@link Proactor#close(Duration)} found and did.
 *
 * @param took how long the close took
 * @param finishedDuringDrain operations that ended by themselves while the close waited: from the
 *     moment {@code close} was called (when new operations began to be refused) to its deadline
 * @param cancelled operations the close cancelled after the deadline
 * @param abandoned operations the kernel had not released when the close gave up on them; they
 *     failed with {@link ProactorClosedException} and their memory was kept, not freed, because the
 *     kernel might still write to it
 * @param filesClosed files the proactor opened that were still open and that it closed
 * @param leasesReclaimed buffer leases still held by the application that the close took back
 * @param quarantinedBytes native bytes kept for {@code abandoned} operations
 */
public record CloseReport(
        Duration took,
        int finishedDuringDrain,
        int cancelled,
        List<OperationInfo> abandoned,
        int filesClosed,
        int leasesReclaimed,
        long quarantinedBytes) {

    /** Copies the list. */
    public CloseReport {
        abandoned = List.copyOf(abandoned);
    }

    /** Whether every operation ended with the kernel's final word and nothing had to be kept. */
    public boolean clean() {
        return abandoned.isEmpty() && quarantinedBytes == 0;
    }
}
