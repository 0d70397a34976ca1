package dev.proactor;

import java.time.Duration;

/**
 * One row of the operation table.
 *
 * @param id the operation's id
 * @param kind what it does
 * @param resource the file or socket it works on; empty when none
 * @param state where it is in its life
 * @param age time since it was initiated
 * @param attempts kernel submissions so far (more than one after retries or partial transfers)
 */
public record OperationInfo(long id, OperationKind kind, String resource, OperationState state, Duration age,
        int attempts) {}
