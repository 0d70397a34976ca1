package dev.proactor.internal.core;

import dev.proactor.OperationKind;
import dev.proactor.ResultHandler;
import dev.proactor.ReusableOperation;
import dev.proactor.internal.spi.Request;
import java.time.Duration;

/** A no-op round trip through the kernel. */
sealed class NopOp extends OperationImpl<Void> {
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

    /** A nop initiated again for each run ({@code Proactor.reusableNop}): no memory of its own to wait for. */
    static final class Reusable extends NopOp implements ReusableOperation<Void> {
        private final Reuse reuse;

        Reusable(CoreProactor p, Duration timeout, ResultHandler<? super Void> handler) {
            super(p, timeout);
            reuse = new Reuse(handler);
        }

        @Override
        Reuse reuse() {
            return reuse;
        }

        @Override
        public ReusableOperation<Void> restart() {
            rerun();
            return this;
        }
    }
}
