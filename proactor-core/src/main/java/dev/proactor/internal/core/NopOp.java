package dev.proactor.internal.core;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;
import java.time.Duration;

/** A no-op round trip through the kernel. */
final class NopOp extends OperationImpl<Void> {
    private static final Request.Nop NOP = new Request.Nop();

    NopOp(CoreProactor p, Duration timeout) {
        super(p, OperationKind.NOP, null, timeout);
    }

    @Override
    public Request request() {
        return NOP;
    }

    @Override
    void onResult(long result, Object attachment) {
        succeed(null);
    }
}
