package dev.proactor.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated socket test once per (server backend, client backend) pair of the concrete
 * backends, each run named after its pair ({@code [server=io_uring, client=portable]}). The test
 * receives a {@link BackendPair}: a server proactor on the one backend and a client proactor on the
 * other, each from a {@link ProactorFixture} of its own.
 *
 * <p>A pair is skipped, with the reason, when either backend is unavailable, when either one's
 * capability report does not claim every socket operation, or when a probe (listen, accept,
 * connect, close) fails with {@code EOPNOTSUPP}: a backend without sockets never passes a socket
 * test silently. After each run every proactor of both fixtures is closed before either fixture
 * checks its baselines, so one side's descriptors never count as the other's leak.
 */
@Documented
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(EachBackendPairExtension.class)
public @interface EachBackendPair {}
