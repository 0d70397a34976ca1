package dev.proactor;

/**
 * What an operation does. Metrics, the operation table, exceptions and JFR events are keyed by it.
 */
public enum OperationKind {
    /** Does nothing in the kernel; measures the round trip. */
    NOP,
    /** Opens a file. */
    OPEN,
    /** Reads at a position into one buffer. */
    READ,
    /** Writes at a position from one buffer. */
    WRITE,
    /** Reads at a position into several buffers. */
    READV,
    /** Writes at a position from several buffers. */
    WRITEV,
    /** Flushes data and metadata ({@code fsync}) or data only ({@code fdatasync}). */
    FSYNC,
    /** Reads size and times ({@code statx}). */
    STAT,
    /** Closes a file or socket. */
    CLOSE,
    /** A one-shot timer. */
    TIMER,
    /** Creates a listening socket (socket, options, bind, listen). */
    LISTEN,
    /** Accepts a connection. */
    ACCEPT,
    /** Connects a socket. */
    CONNECT,
    /** Receives from a socket. */
    RECV,
    /** Sends on a socket. */
    SEND,
    /** Shuts down one or both directions of a socket. */
    SHUTDOWN,
    /** Moves file bytes to a socket without copying through the Java heap. */
    TRANSFER,
    /** Sets or reads an option of a live socket ({@code setsockopt}, {@code getsockopt}). */
    SOCKET_OPTION
}
