/**
 * Proactor: completion-based asynchronous I/O. Exports the API packages only; the dispatcher core,
 * the backends and their native glue stay internal.
 */
module dev.proactor {
    requires jdk.jfr;

    exports dev.proactor;
}
