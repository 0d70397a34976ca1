package dev.proactor;

import java.io.IOException;

/**
 * Why an operation did not complete. Every failure names the operation kind, the resource it
 * worked on, the errno (when the kernel gave one) and how many bytes had been transferred before
 * it stopped, so that a caller can resume or report without guessing.
 */
public sealed class ProactorException extends IOException
        permits OperationFailedException,
                OperationCancelledException,
                OperationTimeoutException,
                ProactorClosedException,
                AdmissionRejectedException,
                EndOfFileException {

    private static final long serialVersionUID = 1L;

    /** The kind of the operation that failed. */
    private final OperationKind kind;
    /** The resource's description; empty, never null, when there is none. */
    private final String resource;
    /** Bytes transferred before the failure. */
    private final long bytesDone;

    ProactorException(OperationKind kind, String resource, long bytesDone, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.resource = resource == null ? "" : resource;
        this.bytesDone = bytesDone;
    }

    /** The kind of the operation that failed. */
    public OperationKind kind() {
        return kind;
    }

    /** The file path, socket address or other description of the resource; empty when none. */
    public String resource() {
        return resource;
    }

    /** Bytes transferred before the failure (for composite operations, the total so far). */
    public long bytesDone() {
        return bytesDone;
    }

    static String describe(OperationKind kind, String resource, String what, long bytesDone) {
        StringBuilder b = new StringBuilder(kind.name().toLowerCase(java.util.Locale.ROOT));
        if (resource != null && !resource.isEmpty()) {
            b.append(' ').append(resource);
        }
        b.append(": ").append(what);
        if (bytesDone > 0) {
            b.append(" after ").append(bytesDone).append(" bytes");
        }
        return b.toString();
    }
}
