package dev.proactor.internal.core;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;
import java.time.Duration;

/**
 * A one-shot timer. Its expiry is fixed at initiation on the monotonic clock, so the time spent
 * queued before submission does not delay it, and timers started in order fire in order.
 */
final class TimerOp extends OperationImpl<Void> {
    private final Request.Timer request;

    TimerOp(CoreProactor p, Duration delay, Duration timeout) {
        super(p, OperationKind.TIMER, null, timeout);
        this.request = new Request.Timer(startNanos + Math.max(0, delay.toNanos()));
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
