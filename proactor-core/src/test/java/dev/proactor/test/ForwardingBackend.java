package dev.proactor.test;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.Completions;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/**
 * A backend that hands every call to a real one: the base of test decorators, which override only
 * what they change. Same threading rule as {@link Backend}.
 */
public abstract class ForwardingBackend implements Backend {
    protected final Backend delegate;

    protected ForwardingBackend(Backend delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Map<OperationKind, String> operationSupport() {
        return delegate.operationSupport();
    }

    @Override
    public boolean supports(OperationKind kind) {
        return delegate.supports(kind);
    }

    @Override
    public List<String> setupFlags() {
        return delegate.setupFlags();
    }

    @Override
    public void start(Completions completions) {
        delegate.start(completions);
    }

    @Override
    public boolean registerBuffers(MemorySegment[] buffers) {
        return delegate.registerBuffers(buffers);
    }

    @Override
    public boolean submit(dev.proactor.internal.spi.Submission s) {
        return delegate.submit(s);
    }

    @Override
    public boolean cancel(dev.proactor.internal.spi.Submission s) {
        return delegate.cancel(s);
    }

    @Override
    public int runOnce(long waitNanos) {
        return delegate.runOnce(waitNanos);
    }

    @Override
    public void wakeup() {
        delegate.wakeup();
    }

    @Override
    public boolean completionsPending() {
        return delegate.completionsPending();
    }

    @Override
    public boolean seesCompletions() {
        return delegate.seesCompletions();
    }

    @Override
    public void descriptorClosing(int fd) {
        delegate.descriptorClosing(fd);
    }

    @Override
    public void resetConnection(int fd) {
        delegate.resetConnection(fd);
    }

    @Override
    public boolean supportsMultishot(OperationKind kind) {
        return delegate.supportsMultishot(kind);
    }

    @Override
    public void recycle(int bufferId) {
        delegate.recycle(bufferId);
    }

    @Override
    public int providedBuffersLent() {
        return delegate.providedBuffersLent();
    }

    @Override
    public int providedBufferCount() {
        return delegate.providedBufferCount();
    }

    @Override
    public long droppedCompletions() {
        return delegate.droppedCompletions();
    }

    @Override
    public int pending() {
        return delegate.pending();
    }

    @Override
    public long kernelCalls() {
        return delegate.kernelCalls();
    }

    @Override
    public long nativeBytes() {
        return delegate.nativeBytes();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
