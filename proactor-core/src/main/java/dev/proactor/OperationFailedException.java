package dev.proactor;

/** The kernel (or the portable backend) reported an error for the operation. */
public final class OperationFailedException extends ProactorException {
    private static final long serialVersionUID = 1L;

    /** The positive errno number. */
    private final int errno;
    /** The errno number's symbolic name. */
    private final String errnoName;
    /** The system's text for the error. */
    private final String description;

    /**
     * Creates the exception for an operation of {@code kind} on {@code resource} that the kernel (or
     * the portable backend, which maps its exceptions to the same numbers) failed after
     * {@code bytesDone} bytes.
     *
     * @param errno the positive errno number
     * @param errnoName its symbolic name, such as {@code ENOENT}
     * @param description the system's text for the error
     */
    public OperationFailedException(
            OperationKind kind, String resource, int errno, String errnoName, String description, long bytesDone) {
        super(kind, resource, bytesDone,
                describe(kind, resource, errnoName + " (" + errno + "): " + description, bytesDone), null);
        this.errno = errno;
        this.errnoName = errnoName;
        this.description = description;
    }

    /** The system's text for the error, such as {@code No such file or directory}. */
    public String description() {
        return description;
    }

    /** The positive errno number. */
    public int errno() {
        return errno;
    }

    /** The symbolic errno name, such as {@code ECONNRESET}. */
    public String errnoName() {
        return errnoName;
    }
}
