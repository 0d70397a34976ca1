package dev.proactor.test;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.BackendChoice;
import dev.proactor.Operation;
import dev.proactor.OperationFailedException;
import dev.proactor.OperationKind;
import dev.proactor.Proactor;
import dev.proactor.internal.select.Backends;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
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
 * Provides one invocation of an {@link EachBackendPair} test per (server, client) pair of
 * {@link EachBackendExtension#BACKENDS}, server-major. Each invocation skips with the reason when a
 * backend is unavailable or cannot do sockets, opens the pair's fixtures before the test and closes
 * and checks them after it.
 */
public final class EachBackendPairExtension implements TestTemplateInvocationContextProvider {

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(EachBackendPair.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        List<TestTemplateInvocationContext> pairs = new ArrayList<>();
        for (BackendChoice server : EachBackendExtension.BACKENDS) {
            for (BackendChoice client : EachBackendExtension.BACKENDS) {
                pairs.add(new Invocation(server, client, null));
            }
        }
        // Both sides on io_uring with every maskable opcode masked: the socket fallbacks against
        // each other (against the others they add little the pairs above do not cover).
        pairs.add(new Invocation(BackendChoice.IO_URING, BackendChoice.IO_URING, EachBackendExtension.FALLBACK_MASK));
        return pairs.stream();
    }

    /**
     * Why {@code p}'s backend cannot run socket tests, judged by its capability report: the entry
     * for {@link OperationKind#ACCEPT} must say how the backend performs it (it starts with
     * {@code io_uring}, {@code portable}, or {@code fallback} for an io_uring backend whose probe lacks
     * IORING_OP_ACCEPT), not why it cannot. The other socket kinds may be
     * described otherwise (a listen is socket(2), bind and listen on the dispatcher); the probe in
     * {@link PerPair#beforeEach} catches those that answer {@code EOPNOTSUPP}.
     */
    public static Optional<String> socketsUnsupported(Proactor p) {
        String how = p.capabilities().operations().get(OperationKind.ACCEPT);
        if (how != null && (how.startsWith("io_uring") || how.startsWith("portable") || how.startsWith("fallback"))) {
            return Optional.empty();
        }
        return Optional.of("backend " + p.backendName() + " does not support sockets: ACCEPT '" + how + "'");
    }

    private record Invocation(BackendChoice server, BackendChoice client, String uringMask)
            implements TestTemplateInvocationContext {
        @Override
        public String getDisplayName(int invocationIndex) {
            return "[" + BackendPair.name(ProactorFixture.variantName(server, uringMask),
                    ProactorFixture.variantName(client, uringMask)) + "]";
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new PerPair(server, client, uringMask));
        }
    }

    /** The extensions of one invocation. */
    static final class PerPair implements ExecutionCondition, BeforeEachCallback, AfterEachCallback, ParameterResolver {

        private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PerPair.class);
        private final BackendChoice server;
        private final BackendChoice client;
        /** Opcodes masked out of both sides' io_uring probe, or null. */
        private final String uringMask;

        PerPair(BackendChoice server, BackendChoice client, String uringMask) {
            this.server = server;
            this.client = client;
            this.uringMask = uringMask;
        }

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            for (BackendChoice b : List.of(server, client)) {
                Optional<String> why = Backends.available(b);
                if (why.isPresent()) {
                    return ConditionEvaluationResult.disabled(
                            "backend " + EachBackendExtension.shortName(b) + " unavailable: " + why.get());
                }
            }
            return ConditionEvaluationResult.enabled(BackendPair.name(ProactorFixture.variantName(server, uringMask),
                    ProactorFixture.variantName(client, uringMask)) + " available");
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            warmJdkSockets();
            String label = context.getRequiredTestMethod().getName();
            BackendPair pair = new BackendPair(ProactorFixture.start(server, label + " (server side)", uringMask),
                    ProactorFixture.start(client, label + " (client side)", uringMask));
            context.getStore(NS).put(BackendPair.class, pair);
            // Aborting here skips the test; afterEach still runs and closes what the probe opened.
            String prefix = "[" + pair + "] ";
            for (Proactor p : List.of(pair.server(), pair.client())) {
                socketsUnsupported(p).ifPresent(why -> Assumptions.abort(prefix + why));
            }
            probe(pair.server(), pair.client()).ifPresent(why -> Assumptions.abort(prefix + why));
        }

        @Override
        public void afterEach(ExtensionContext context) {
            BackendPair pair = context.getStore(NS).remove(BackendPair.class, BackendPair.class);
            if (pair != null) {
                ProactorFixture.closeAndVerify(List.of(pair.serverFixture(), pair.clientFixture()));
            }
        }

        @Override
        public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
            return pc.getParameter().getType() == BackendPair.class;
        }

        @Override
        public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
            BackendPair pair = ec.getStore(NS).get(BackendPair.class, BackendPair.class);
            if (pair == null) {
                throw new IllegalStateException("no backend pair: beforeEach did not run");
            }
            return pair;
        }
    }

    private static volatile boolean warm;

    /**
     * Opens and closes a plain {@link java.net.ServerSocket} once per JVM, before any baseline: the
     * JDK's socket implementation opens a descriptor of its own the first time it is used (the
     * pre-close socket pair of {@code sun.nio.ch.UnixDispatcher}) and keeps it, which would
     * otherwise count as the first socket test's leak.
     */
    public static void warmJdkSockets() {
        if (warm) {
            return;
        }
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            warm = s.isBound();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot open a plain loopback server socket", e);
        }
    }

    /**
     * Listens on the server, connects from the client, sends a byte, shuts down and closes: empty when that worked, the
     * reason to skip when an operation failed with {@code EOPNOTSUPP}. Any other failure fails the
     * run, since the capability reports claimed socket support.
     */
    static Optional<String> probe(Proactor server, Proactor client) {
        Operation<?> step = null;
        try {
            Operation<AsyncServerSocket> listen = server.listen(Sockets.loopback());
            step = listen;
            AsyncServerSocket listener = Ops.result(listen);
            Operation<AsyncSocket> accept = listener.accept();
            Operation<AsyncSocket> connect = client.connect(listener.localAddress());
            step = connect;
            AsyncSocket c = Ops.result(connect);
            step = accept;
            AsyncSocket s = Ops.result(accept);
            step = c.write(java.nio.ByteBuffer.wrap(new byte[] {42}));
            Ops.result(step);
            step = s.read(java.nio.ByteBuffer.allocate(1));
            Ops.result(step);
            step = c.shutdownOutput();
            Ops.result(step);
            step = c.closeAsync();
            Ops.result(step);
            step = s.closeAsync();
            Ops.result(step);
            step = listener.closeAsync();
            Ops.result(step);
            return Optional.empty();
        } catch (AssertionError e) {
            if (e.getCause() instanceof OperationFailedException f && "EOPNOTSUPP".equals(f.errnoName())) {
                return Optional.of("capability reports claim sockets, but the probe's " + step.kind()
                        + " failed with EOPNOTSUPP: " + f.getMessage());
            }
            throw e;
        }
    }
}
