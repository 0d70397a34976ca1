package dev.proactor.internal.core;

import dev.proactor.FileStat;
import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;
import java.time.Duration;
import java.util.function.Function;

/**
 * {@code statx} on an open file, mapped to the caller's result type.
 *
 * @param <R> the result type
 */
final class StatOp<R> extends OperationImpl<R> {
    private final Request.Stat request;
    private final Function<FileStat, R> map;

    StatOp(CoreProactor p, Resource f, Duration timeout, Function<FileStat, R> map) {
        super(p, OperationKind.STAT, f, timeout);
        this.request = new Request.Stat(f.fd);
        this.map = map;
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    void onResult(long result, Object attachment) {
        succeed(map.apply((FileStat) attachment));
    }
}
