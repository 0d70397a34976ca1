/**
 * Proactor: completion-based asynchronous I/O. Exports the API packages only; the dispatcher core,
 * the backends and their native glue stay internal. Native access must be enabled for this module
 * ({@code --enable-native-access=dev.proactor}) or, on the class path, for ALL-UNNAMED.
 */
module dev.proactor {
    requires jdk.jfr;

    exports dev.proactor;
}
