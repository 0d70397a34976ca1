package dev.proactor.test;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Backend;

/**
 * A backend that offers no multishot request, as an old kernel (or the portable backend for
 * accepts) does: streams then run on re-armed single-shot requests. The test hook for that path.
 */
public final class SingleShotStreams extends ForwardingBackend {
    public SingleShotStreams(Backend delegate) {
        super(delegate);
    }

    @Override
    public boolean supportsMultishot(OperationKind kind) {
        return false;
    }
}
