package dev.proactor.nio2;

import dev.proactor.AsyncFile;
import dev.proactor.BackendChoice;
import dev.proactor.Operation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.spi.FileSystemProvider;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * An {@link AsynchronousFileChannel} whose reads and writes are {@link AsyncFile} operations of a
 * shared proactor ({@link FileProactors}), so on Linux they go through io_uring instead of blocking
 * {@code pread}/{@code pwrite} calls on a thread pool. Every method is safe to call from any thread.
 *
 * <p>Two descriptors of the same file back the channel, opened together and closed together: the
 * {@link AsyncFile} for reads and writes, and a {@link FileChannel} for what {@code AsyncFile} does
 * not offer ({@code lock}, {@code tryLock}, {@code truncate}) and for {@code size} and {@code force}.
 * The {@code FileChannel} is opened first with the caller's options, so creation, truncation, file
 * attributes and every open failure are exactly the platform's; the {@code AsyncFile} then opens
 * the same path for reading and/or writing. Locks go through the {@code FileChannel} because that
 * enters them in the JDK's process-wide lock table, so {@link java.nio.channels.OverlappingFileLockException}
 * holds between this channel and every other channel of the JVM, the JDK's own included. The price
 * is the one {@link FileLock} warns of: POSIX record locks belong to the process and the kernel drops
 * them all when any descriptor of the file closes, so closing this channel (or any other channel
 * of this JVM on the same file) releases, in the kernel's view, every lock the JVM holds on it.
 * The JDK's own channels behave the same; as its javadoc advises, take all locks of a file through
 * one channel.
 *
 * <p>Handlers run on the executor the channel was opened with, or, for the default ({@code null}),
 * on the shared proactor's handler threads (daemon threads, more of them while all are blocked, so
 * a handler may block).
 * Closing the channel fails its pending reads and writes with {@link AsynchronousCloseException},
 * and later ones with {@link ClosedChannelException}.
 */
public final class ProactorFileChannel extends AsynchronousFileChannel {

    private final AsyncFile file;
    private final FileChannel fc;
    private final ExecutorService executor;
    private final boolean reading;
    private final boolean writing;
    private final String backendName;
    private volatile boolean open = true;

    private ProactorFileChannel(AsyncFile file, FileChannel fc, ExecutorService executor, boolean reading, boolean writing,
            String backendName) {
        this.file = file;
        this.backendName = backendName;
        this.fc = fc;
        this.executor = executor;
        this.reading = reading;
        this.writing = writing;
    }

    /**
     * Opens a channel as {@link AsynchronousFileChannel#open(Path, Set, ExecutorService, FileAttribute[])}
     * does, on the proactor of the backend {@link FileProactors#configuredBackend()} names.
     *
     * @param platform the provider that opens the lock/size descriptor: the platform's
     * @throws UnsupportedOperationException for {@code APPEND} or an option this channel does not know
     */
    public static ProactorFileChannel open(FileSystemProvider platform, Path path, Set<? extends OpenOption> options,
            ExecutorService executor, FileAttribute<?>... attrs) throws IOException {
        return open(platform, path, options, executor, FileProactors.configuredBackend(), attrs);
    }

    /** As {@link #open(FileSystemProvider, Path, Set, ExecutorService, FileAttribute[])}, on the given backend. */
    public static ProactorFileChannel open(FileSystemProvider platform, Path path, Set<? extends OpenOption> options,
            ExecutorService executor, BackendChoice backend, FileAttribute<?>... attrs) throws IOException {
        path = ProactorPath.unwrap(path);
        boolean reading = false;
        boolean writing = false;
        boolean deleteOnClose = false;
        Set<OpenOption> channelOptions = new HashSet<>();
        Set<OpenOption> fileOptions = new HashSet<>();
        for (OpenOption option : options) {
            Objects.requireNonNull(option, "option");
            if (option == StandardOpenOption.APPEND) {
                throw new UnsupportedOperationException("APPEND not allowed");
            } else if (option == StandardOpenOption.READ) {
                reading = true;
            } else if (option == StandardOpenOption.WRITE) {
                writing = true;
            } else if (option == StandardOpenOption.DELETE_ON_CLOSE) {
                // Unlinked below once both descriptors are open, as the JDK unlinks right after its open.
                deleteOnClose = true;
                continue;
            } else if (option == StandardOpenOption.SYNC || option == StandardOpenOption.DSYNC
                    || option == LinkOption.NOFOLLOW_LINKS) {
                fileOptions.add(option);
            } else if (!(option instanceof StandardOpenOption)) {
                throw new UnsupportedOperationException(option + " not supported");
            }
            channelOptions.add(option);
        }
        if (!reading && !writing) {
            reading = true;
            channelOptions.add(StandardOpenOption.READ);
        }
        if (reading) {
            fileOptions.add(StandardOpenOption.READ);
        }
        if (writing) {
            fileOptions.add(StandardOpenOption.WRITE);
        }
        FileChannel fc = platform.newFileChannel(path, channelOptions, attrs);
        // No CREATE here: the FileChannel above made the file, with the caller's attributes.
        AsyncFile file;
        dev.proactor.Proactor proactor;
        try {
            proactor = FileProactors.get(backend);
            file = proactor.openFile(path, fileOptions, 0644).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fc.close();
            throw new java.nio.channels.ClosedByInterruptException();
        } catch (IOException | RuntimeException e) {
            fc.close();
            throw e;
        }
        if (deleteOnClose) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // As the JDK's channel: the unlink is best effort and a failure does not fail the open.
            }
        }
        return new ProactorFileChannel(file, fc, executor, reading, writing, proactor.backendName());
    }

    /** The backend running this channel's reads and writes, such as {@code io_uring} or {@code portable}. */
    public String backendName() {
        return backendName;
    }

    @Override
    public long size() throws IOException {
        return fc.size();
    }

    @Override
    public AsynchronousFileChannel truncate(long size) throws IOException {
        fc.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        fc.force(metaData);
    }

    @Override
    public <A> void lock(long position, long size, boolean shared, A attachment,
            CompletionHandler<FileLock, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        lockFuture(position, size, shared).whenComplete((lock, failure) ->
                deliver(handler, attachment, lock, failure));
    }

    @Override
    public Future<FileLock> lock(long position, long size, boolean shared) {
        return lockFuture(position, size, shared);
    }

    /**
     * Tries the lock at once, which enters it in the JVM's lock table (so an overlap throws here, as
     * the spec asks); only when another process holds the range does a handler thread block in
     * {@link FileChannel#lock}, which closing the channel ends with {@link AsynchronousCloseException}.
     */
    private CompletableFuture<FileLock> lockFuture(long position, long size, boolean shared) {
        checkLockArguments(position, size, shared);
        if (!open) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        try {
            FileLock taken = fc.tryLock(position, size, shared);
            if (taken != null) {
                return CompletableFuture.completedFuture(new ProactorFileLock(this, taken));
            }
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<FileLock> result = new CompletableFuture<>();
        FileProactors.lockWaits().execute(() -> {
            try {
                result.complete(new ProactorFileLock(this, fc.lock(position, size, shared)));
            } catch (ClosedChannelException e) {
                // The lock was pending when the channel closed, even if this thread had not yet
                // entered FileChannel.lock: the spec's answer for a pending operation is this one.
                AsynchronousCloseException closed = new AsynchronousCloseException();
                closed.initCause(e);
                result.completeExceptionally(closed);
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        checkLockArguments(position, size, shared);
        FileLock taken = fc.tryLock(position, size, shared);
        return taken == null ? null : new ProactorFileLock(this, taken);
    }

    private void checkLockArguments(long position, long size, boolean shared) {
        if (position < 0 || size < 0 || position + size < 0) {
            throw new IllegalArgumentException("Negative position or size");
        }
        if (shared && !reading) {
            throw new NonReadableChannelException();
        }
        if (!shared && !writing) {
            throw new NonWritableChannelException();
        }
    }

    @Override
    public <A> void read(ByteBuffer dst, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        readFuture(dst, position).whenComplete((n, failure) -> deliver(handler, attachment, n, failure));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The Future is settled on the proactor's dispatcher as the read ends, with no handler
     * thread involved; its {@code get} on one of the shared handler threads runs their other
     * deliveries while it waits ({@link HelpingWait}).
     */
    @Override
    public Future<Integer> read(ByteBuffer dst, long position) {
        checkRead(dst, position);
        if (!open) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        return dst.hasRemaining() ? settleFuture(file.read(position, dst)) : CompletableFuture.completedFuture(0);
    }

    private CompletableFuture<Integer> readFuture(ByteBuffer dst, long position) {
        checkRead(dst, position);
        if (!open) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        return dst.hasRemaining() ? settle(file.read(position, dst)) : CompletableFuture.completedFuture(0);
    }

    private void checkRead(ByteBuffer dst, long position) {
        Objects.requireNonNull(dst, "dst");
        if (position < 0) {
            throw new IllegalArgumentException("Negative position");
        }
        if (!reading) {
            throw new NonReadableChannelException();
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
    }

    @Override
    public <A> void write(ByteBuffer src, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        writeFuture(src, position).whenComplete((n, failure) -> deliver(handler, attachment, n, failure));
    }

    /** {@inheritDoc} <p>Settled as {@link #read(ByteBuffer, long)}'s Future is. */
    @Override
    public Future<Integer> write(ByteBuffer src, long position) {
        checkWrite(src, position);
        if (!open) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        return src.hasRemaining() ? settleFuture(file.write(position, src)) : CompletableFuture.completedFuture(0);
    }

    private CompletableFuture<Integer> writeFuture(ByteBuffer src, long position) {
        checkWrite(src, position);
        if (!open) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        return src.hasRemaining() ? settle(file.write(position, src)) : CompletableFuture.completedFuture(0);
    }

    private void checkWrite(ByteBuffer src, long position) {
        Objects.requireNonNull(src, "src");
        if (position < 0) {
            throw new IllegalArgumentException("Negative position");
        }
        if (!writing) {
            throw new NonWritableChannelException();
        }
    }

    /**
     * Turns an operation into the future the spec hands out. A failure after {@link #close()} began
     * is the close's doing (the proactor cancels what was pending) and becomes
     * {@link AsynchronousCloseException}; a result that arrived first is kept. Cancelling the future
     * asks the proactor to stop the operation; bytes already moved stay moved, as with the JDK.
     */
    private CompletableFuture<Integer> settle(Operation<Integer> op) {
        // For a handler form: its handler runs where the CompletableFuture completes, a handler thread.
        CompletableFuture<Integer> result = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean cancelled = super.cancel(mayInterruptIfRunning);
                if (cancelled) {
                    op.cancel();
                }
                return cancelled;
            }
        };
        op.onComplete((n, failure) -> {
            if (failure == null) {
                result.complete(n);
            } else {
                result.completeExceptionally(nioFailure(failure));
            }
        });
        return result;
    }

    /**
     * {@link #settle}'s rules for a Future form, whose Future is a {@link PendingIo}: settled on the
     * dispatcher as the operation ends ({@link HandlerPool#deliverDirect}), and not a
     * {@code CompletionStage}, so no caller's code can be attached to run there.
     */
    private Future<Integer> settleFuture(Operation<Integer> op) {
        PendingIo<Integer, Void> io = PendingIo.future(FileProactors.handlerThreads(), null);
        io.start(op, (n, failure) -> {
            if (failure == null) {
                io.complete(n);
            } else {
                io.fail(nioFailure(failure));
            }
        });
        return io;
    }

    /** A failure after {@link #close()} began is the close's doing: {@link AsynchronousCloseException}. */
    private Throwable nioFailure(Throwable failure) {
        if (open) {
            return failure;
        }
        AsynchronousCloseException closed = new AsynchronousCloseException();
        closed.initCause(failure);
        return closed;
    }

    /** Runs the handler on the channel's executor, or on the calling handler thread for the default. */
    private <V, A> void deliver(CompletionHandler<V, ? super A> handler, A attachment, V value, Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                ? c.getCause() : failure;
        Runnable call = () -> {
            if (cause == null) {
                handler.completed(value, attachment);
            } else {
                handler.failed(cause, attachment);
            }
        };
        if (executor == null) {
            call.run();
        } else {
            try {
                executor.execute(call);
            } catch (RejectedExecutionException e) {
                // The executor was shut down: as with the JDK's channels, the handler cannot run.
            }
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /**
     * Closes both descriptors: pending reads and writes fail with {@link AsynchronousCloseException},
     * a pending {@code lock} likewise, and every lock of this channel is released. Waits until the
     * proactor has closed its descriptor, so nothing the kernel may still write into outlives it
     * (on a proactor handler thread it only initiates that close; see {@link AsyncFile#close()}).
     */
    @Override
    public void close() throws IOException {
        if (!open) {
            return;
        }
        open = false;
        try {
            fc.close();
        } finally {
            file.close();
        }
    }

    /** A lock of this channel, held through the companion {@link FileChannel}'s lock. */
    private static final class ProactorFileLock extends FileLock {
        private final FileLock inner;

        ProactorFileLock(ProactorFileChannel channel, FileLock inner) {
            super(channel, inner.position(), inner.size(), inner.isShared());
            this.inner = inner;
        }

        @Override
        public boolean isValid() {
            return inner.isValid() && acquiredBy().isOpen();
        }

        @Override
        public void release() throws IOException {
            inner.release();
        }
    }
}
