package dev.proactor;

/** Which backend performs the operations. */
public enum BackendChoice {
    /** io_uring when the kernel offers it and the probe passes, else the portable backend. */
    AUTO,
    /** io_uring, or fail to open with the reason it is unavailable. */
    IO_URING,
    /** The portable backend on JDK NIO, available everywhere. */
    PORTABLE
}
