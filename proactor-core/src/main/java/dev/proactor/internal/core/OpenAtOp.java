package dev.proactor.internal.core;

import dev.proactor.AsyncFile;
import dev.proactor.OperationKind;
import dev.proactor.ResolveOption;
import dev.proactor.internal.spi.Request;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Opens a file relative to an open directory, under resolution rules. The operation belongs to the
 * directory, so closing the directory ends it before the descriptor number can be reused. As with
 * {@link OpenOp}, a file the kernel opened after a cancellation was requested is closed here.
 */
final class OpenAtOp extends OperationImpl<AsyncFile> {
    private final Request.OpenAt request;
    /** The opened file's path as the caller sees it: the directory's path resolved against {@code path}. */
    private final Path shown;

    OpenAtOp(CoreProactor p, Resource directory, Path path, Set<OpenOption> options, int mode,
            Set<ResolveOption> resolve, Duration timeout) {
        super(p, OperationKind.OPEN, directory, timeout);
        this.request = new Request.OpenAt(directory.fd, path, options, mode, resolve);
        this.shown = directory.path().resolve(path);
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    String resource() {
        return shown.toString();
    }

    @Override
    void onResult(long fd, Object attachment) {
        if (cancelRequested) {
            proactor.closeOrphan((int) fd, shown.toString());
            settleCancelled();
            return;
        }
        succeed(new FileHandle(proactor.adoptFile(shown, (int) fd), null));
    }
}
