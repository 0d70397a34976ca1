package dev.proactor.internal.core;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;
import java.time.Duration;

/** {@code fsync} or {@code fdatasync}. */
final class FsyncOp extends OperationImpl<Void> {
    private final Request.Fsync request;

    FsyncOp(CoreProactor p, Resource f, Duration timeout, boolean dataOnly) {
        super(p, OperationKind.FSYNC, f, timeout);
        this.request = new Request.Fsync(f.fd, dataOnly);
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    void onResult(long result, Object attachment) {
        succeed(null);
    }
}
