package dev.proactor;

/**
 * A {@code readFully} reached the end of the file before the buffer was full; {@link #bytesDone()}
 * says how much was read, and those bytes are in the buffer.
 */
public final class EndOfFileException extends ProactorException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for a read that stopped at {@code position}. */
    public EndOfFileException(OperationKind kind, String resource, long position, long bytesDone) {
        super(kind, resource, bytesDone,
                describe(kind, resource, "end of file at position " + position, bytesDone), null);
    }
}
