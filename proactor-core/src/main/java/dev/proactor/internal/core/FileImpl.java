package dev.proactor.internal.core;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * The shared state of one open file: its descriptor, its per-resource admission permits, and the
 * operations pending on it. {@link #open} is read by any thread; the rest is confined to the
 * dispatcher.
 */
final class FileImpl {
    final CoreProactor proactor;
    final int fd;
    private final Path path;
    /** Null when the per-resource limit is effectively unlimited. */
    final Semaphore permits;

    /** False once close() was initiated: later operations are refused at initiation. */
    volatile boolean open = true;

    /** The one close of this file, guarded by this object's monitor. */
    CloseOp closeOperation;

    // ---- dispatcher-confined ----
    final Set<OperationImpl<?>> pending = new HashSet<>();
    /** The close waiting for {@link #pending} to empty, or null. */
    CloseOp closing;
    boolean closed;

    FileImpl(CoreProactor proactor, Path path, int fd, int perResourceLimit) {
        this.proactor = proactor;
        this.path = path;
        this.fd = fd;
        this.permits = perResourceLimit >= (1 << 24) ? null : new Semaphore(perResourceLimit);
    }

    Path path() {
        return path;
    }
}
