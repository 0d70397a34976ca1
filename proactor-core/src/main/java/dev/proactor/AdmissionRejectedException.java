package dev.proactor;

/**
 * The in-flight limit refused the operation under the configured {@link AdmissionPolicy}: at once,
 * after waiting out its deadline, or because the admission queue was full.
 */
public final class AdmissionRejectedException extends ProactorException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; {@code why} names the limit and the policy. */
    public AdmissionRejectedException(OperationKind kind, String resource, String why) {
        super(kind, resource, 0, describe(kind, resource, "not admitted: " + why, 0), null);
    }
}
