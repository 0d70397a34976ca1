package dev.proactor.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test once per concrete backend ({@code IO_URING}, {@code PORTABLE}), each run
 * named after its backend. The test receives a {@link ProactorFixture} (or a default
 * {@link dev.proactor.Proactor}, or the {@link dev.proactor.BackendChoice}) as a parameter.
 *
 * <p>A backend that {@code Backends.available} reports unavailable is skipped with its reason, never
 * passed. After each run the fixture closes every proactor it opened and fails the run, naming the
 * leak, unless the exactly-once ledger is clean and leases, threads, file descriptors and native
 * bytes are back where they were before the run.
 */
@Documented
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(EachBackendExtension.class)
public @interface EachBackend {}
