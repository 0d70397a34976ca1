package dev.proactor.internal.core;

import dev.proactor.AsyncFile;
import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.SocketOptions;
import java.net.SocketAddress;
import dev.proactor.BufferPool;
import dev.proactor.CapabilityReport;
import dev.proactor.CloseReport;
import dev.proactor.MetricsSnapshot;
import dev.proactor.Operation;
import dev.proactor.OperationInfo;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.ResolveOption;
import dev.proactor.ResultHandler;
import dev.proactor.ReusableOperation;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** The caller's view of a {@link CoreProactor}, with the timeout it attaches to what it initiates. */
final class ProactorHandle implements Proactor {
    private final CoreProactor core;
    private final Duration timeout;

    ProactorHandle(CoreProactor core, Duration timeout) {
        this.core = core;
        this.timeout = timeout;
    }

    @Override
    public ProactorConfig config() {
        return core.config();
    }

    @Override
    public String backendName() {
        return core.backendName();
    }

    @Override
    public CapabilityReport capabilities() {
        return core.capabilities();
    }

    @Override
    public Operation<Void> nop() {
        return core.nop(timeout);
    }

    @Override
    public ReusableOperation<Void> reusableNop(ResultHandler<? super Void> handler) {
        return core.reusableNop(Objects.requireNonNull(handler, "handler"), timeout);
    }

    @Override
    public Operation<Void> timer(Duration delay) {
        return core.timer(Objects.requireNonNull(delay, "delay"), timeout);
    }

    @Override
    public Operation<AsyncFile> openFile(Path path, OpenOption... options) {
        return core.openFile(Objects.requireNonNull(path, "path"), new java.util.HashSet<>(java.util.Arrays.asList(options)),
                0644, timeout);
    }

    @Override
    public Operation<AsyncFile> openFile(Path path, Set<? extends OpenOption> options, int mode) {
        return core.openFile(Objects.requireNonNull(path, "path"), Objects.requireNonNull(options, "options"), mode, timeout);
    }

    @Override
    public Operation<AsyncFile> openFileAt(AsyncFile directory, Path path, Set<ResolveOption> resolve,
            Set<? extends OpenOption> options, int mode) {
        return core.openFileAt(Objects.requireNonNull(directory, "directory"), Objects.requireNonNull(path, "path"),
                Objects.requireNonNull(resolve, "resolve"), Objects.requireNonNull(options, "options"), mode, timeout);
    }

    @Override
    public Proactor withTimeout(Duration t) {
        return new ProactorHandle(core, Timeouts.positive(t));
    }

    @Override
    public Operation<AsyncServerSocket> listen(SocketAddress local, SocketOptions options) {
        return core.initiate(new ListenOp(core, Objects.requireNonNull(local, "local"),
                Objects.requireNonNull(options, "options"), timeout));
    }

    @Override
    public Operation<AsyncSocket> connect(SocketAddress remote, SocketOptions options) {
        return core.initiate(new ConnectOp(core, Objects.requireNonNull(remote, "remote"),
                Objects.requireNonNull(options, "options"), timeout));
    }

    @Override
    public BufferPool buffers() {
        return core.buffers();
    }

    @Override
    public MetricsSnapshot metrics() {
        return core.metrics();
    }

    @Override
    public List<OperationInfo> operations() {
        return core.operations();
    }

    @Override
    public CloseReport close(Duration deadline) {
        return core.close(Objects.requireNonNull(deadline, "deadline"));
    }

    @Override
    public void close() {
        core.close(core.config().closeTimeout());
    }

    @Override
    public java.util.concurrent.CompletionStage<CloseReport> closeAsync(Duration deadline) {
        return core.closeAsync(Objects.requireNonNull(deadline, "deadline"));
    }

    @Override
    public boolean isClosed() {
        return core.isClosed();
    }

    @Override
    public java.util.Optional<Throwable> failure() {
        return core.failure();
    }

    @Override
    public String toString() {
        return "Proactor[" + core.config().name() + ", " + core.backendName() + "]";
    }
}
