/**
 * The blocking-call pool both backends share: platform daemon threads that make the system calls
 * a backend cannot wait for on its selector or its ring (file calls on the portable backend, the
 * calls whose opcode the kernel lacks on io_uring).
 *
 * <p>{@link dev.proactor.internal.blocking.BlockingPool} owns the threads and the bounded queue;
 * {@link dev.proactor.internal.blocking.BlockingTask} is one call with its
 * {@link dev.proactor.internal.blocking.BlockingTask.State}, the one field the dispatcher (which
 * withdraws a task) and a pool thread (which starts it) race on, changed only by compare-and-set.
 * A task that started runs to its end; only a queued one can be withdrawn.
 *
 * <p>Layering: this package depends on the JDK only ({@code LayeringTest} would allow it the
 * backend SPI, nothing more); the backends (internal.uring, internal.nio) may depend on it, the core
 * and the backend SPI do not.
 */
package dev.proactor.internal.blocking;
