package dev.proactor;

/** The operation was cancelled before it could complete; its buffers are back with the caller. */
public final class OperationCancelledException extends ProactorException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; {@code why} says who cancelled (the caller, a close). */
    public OperationCancelledException(OperationKind kind, String resource, String why, long bytesDone) {
        super(kind, resource, bytesDone, describe(kind, resource, "cancelled (" + why + ")", bytesDone), null);
    }
}
