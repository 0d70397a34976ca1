package dev.proactor.internal.core;

import dev.proactor.AsyncFile;
import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Opens a file. If a cancellation was requested and the kernel opened the file anyway, the
 * descriptor is closed here and the outcome is CANCELLED: the caller asked not to have the file, and
 * handing it over would leave a descriptor nobody means to close.
 */
final class OpenOp extends OperationImpl<AsyncFile> {
    private final Request.Open request;

    OpenOp(CoreProactor p, Path path, Set<OpenOption> options, int mode, Duration timeout) {
        super(p, OperationKind.OPEN, null, timeout);
        this.request = new Request.Open(path, options, mode);
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    String resource() {
        return request.path().toString();
    }

    @Override
    void onResult(long fd, Object attachment) {
        if (cancelRequested) {
            proactor.closeOrphan((int) fd, request.path().toString());
            settleCancelled();
            return;
        }
        Resource f = proactor.adoptFile(request.path(), (int) fd);
        succeed(new FileHandle(f, null));
    }
}
