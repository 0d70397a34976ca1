package dev.proactor.test;

import dev.proactor.Operation;
import dev.proactor.ProactorException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Waiting for operations in tests: always with a deadline, so a hang fails instead of stalling. */
public final class Ops {
    private Ops() {}

    /** How long a test waits for one operation that should end promptly. */
    public static final Duration WAIT = Duration.ofSeconds(10);

    /** The operation's result; fails the test if it failed or did not end within {@link #WAIT}. */
    public static <T> T result(Operation<T> op) {
        try {
            return op.await(WAIT);
        } catch (ProactorException e) {
            throw new AssertionError("operation " + op.id() + " (" + op.kind() + ") failed: " + e, e);
        } catch (TimeoutException e) {
            throw new AssertionError("operation " + op.id() + " (" + op.kind() + ") did not end within " + WAIT
                    + "; state " + op.state(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The operation's failure; fails the test if it completed or did not end within {@link #WAIT}. */
    public static ProactorException failure(Operation<?> op) {
        try {
            Object r = op.await(WAIT);
            throw new AssertionError("operation " + op.id() + " (" + op.kind() + ") completed with " + r
                    + " but was expected to fail");
        } catch (ProactorException e) {
            return e;
        } catch (TimeoutException e) {
            throw new AssertionError("operation " + op.id() + " (" + op.kind() + ") did not end within " + WAIT
                    + "; state " + op.state(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
