package dev.proactor.test;

import dev.proactor.BackendChoice;
import dev.proactor.Proactor;
import dev.proactor.internal.select.Backends;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * Provides one invocation of an {@link EachBackend} test per concrete backend. Each invocation
 * carries its own extensions: a condition that skips it with the backend's unavailability reason,
 * the fixture's set-up (baselines) and tear-down (close everything, check for leaks), and the
 * parameter resolver that hands the fixture to the test.
 */
public final class EachBackendExtension implements TestTemplateInvocationContextProvider {

    /** The backends every behaviour test runs on, in this order. */
    public static final List<BackendChoice> BACKENDS = List.of(BackendChoice.IO_URING, BackendChoice.PORTABLE);

    /**
     * The opcode mask of the third run, {@code io_uring-fallback}: io_uring with every opcode that has
     * a fallback masked out of its probe, so that each operation takes its fallback path.
     */
    public static final String FALLBACK_MASK = "ALL";

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(EachBackend.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        return Stream.concat(BACKENDS.stream().map(b -> new Invocation(b, null)),
                Stream.of(new Invocation(BackendChoice.IO_URING, FALLBACK_MASK)));
    }

    /** Short, lower-case name of a backend for display and thread names. */
    public static String shortName(BackendChoice choice) {
        return switch (choice) {
            case IO_URING -> "io_uring";
            case PORTABLE -> "portable";
            case AUTO -> "auto";
        };
    }

    private record Invocation(BackendChoice backend, String uringMask) implements TestTemplateInvocationContext {
        @Override
        public String getDisplayName(int invocationIndex) {
            return "[" + ProactorFixture.variantName(backend, uringMask) + "]";
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new PerBackend(backend, uringMask));
        }
    }

    /** The extensions of one invocation. */
    static final class PerBackend
            implements ExecutionCondition, BeforeEachCallback, AfterEachCallback, ParameterResolver {

        private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PerBackend.class);
        private final BackendChoice backend;
        private final String uringMask;

        PerBackend(BackendChoice backend, String uringMask) {
            this.backend = backend;
            this.uringMask = uringMask;
        }

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<String> why = Backends.available(backend);
            return why.map(reason -> ConditionEvaluationResult.disabled(
                            "backend " + shortName(backend) + " unavailable: " + reason))
                    .orElseGet(() -> ConditionEvaluationResult.enabled("backend " + shortName(backend) + " available"));
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            String label = context.getRequiredTestMethod().getName();
            // Socket tests under one backend too: the JDK's one-time socket descriptor is no leak.
            EachBackendPairExtension.warmJdkSockets();
            context.getStore(NS).put(ProactorFixture.class, ProactorFixture.start(backend, label, uringMask));
        }

        @Override
        public void afterEach(ExtensionContext context) {
            ProactorFixture fixture = context.getStore(NS).remove(ProactorFixture.class, ProactorFixture.class);
            if (fixture != null) {
                fixture.closeAndVerify();
            }
        }

        @Override
        public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
            Class<?> type = pc.getParameter().getType();
            return type == ProactorFixture.class || type == Proactor.class || type == BackendChoice.class;
        }

        @Override
        public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
            Class<?> type = pc.getParameter().getType();
            if (type == BackendChoice.class) {
                return backend;
            }
            ProactorFixture fixture = ec.getStore(NS).get(ProactorFixture.class, ProactorFixture.class);
            if (fixture == null) {
                throw new IllegalStateException("no fixture: beforeEach did not run");
            }
            return type == Proactor.class ? fixture.proactor() : fixture;
        }
    }
}
