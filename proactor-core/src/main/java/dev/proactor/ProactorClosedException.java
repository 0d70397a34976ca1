package dev.proactor;

/**
 * The proactor or the resource was closed: the operation was refused, or it was still pending when
 * the close deadline passed.
 */
public final class ProactorClosedException extends ProactorException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; {@code what} says what was closed. */
    public ProactorClosedException(OperationKind kind, String resource, String what, long bytesDone) {
        super(kind, resource, bytesDone, describe(kind, resource, what, bytesDone), null);
    }

    /** Creates the exception for a proactor that stopped because of {@code cause} (its dispatcher failed). */
    public ProactorClosedException(OperationKind kind, String resource, String what, long bytesDone, Throwable cause) {
        super(kind, resource, bytesDone, describe(kind, resource, what, bytesDone), cause);
    }
}
