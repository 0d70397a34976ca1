package dev.proactor.internal.core;

import dev.proactor.AsyncFile;
import dev.proactor.BufferLease;
import dev.proactor.FileStat;
import dev.proactor.Operation;
import dev.proactor.ProactorException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The caller's view of an open file: the file's shared state plus the timeout this view attaches to
 * every operation it initiates. Views share everything else, so closing any of them closes the file.
 */
final class FileHandle implements AsyncFile {
    private final Resource file;
    private final Duration timeout;

    /** The file's shared state, for operations of other resources that read from it. */
    Resource resource() {
        return file;
    }

    FileHandle(Resource file, Duration timeout) {
        this.file = file;
        this.timeout = timeout;
    }

    private CoreProactor p() {
        return file.proactor;
    }

    @Override
    public Path path() {
        return file.path;
    }

    @Override
    public boolean isOpen() {
        return file.open;
    }

    @Override
    public Operation<Integer> read(long position, ByteBuffer dst) {
        checkPosition(position);
        CallerBuffer b = CallerBuffer.of(Objects.requireNonNull(dst, "dst"), true, p().bounces());
        return p().initiate(new BufferOp.Once(p(), file, timeout, false, position, b));
    }

    @Override
    public Operation<Integer> read(long position, MemorySegment dst) {
        checkPosition(position);
        CallerBuffer s = CallerBuffer.of(Objects.requireNonNull(dst, "dst"), true);
        return p().initiate(new BufferOp.Once(p(), file, timeout, false, position, s));
    }

    @Override
    public Operation<Integer> read(long position, BufferLease dst, int length) {
        checkPosition(position);
        CallerBuffer lent = CallerBuffer.lent(p(), dst, length, true);
        return p().initiate(new BufferOp.Once(p(), file, timeout, false, position, lent));
    }

    @Override
    public Operation<Integer> write(long position, ByteBuffer src) {
        checkPosition(position);
        CallerBuffer b = CallerBuffer.of(Objects.requireNonNull(src, "src"), false, p().bounces());
        return p().initiate(new BufferOp.Once(p(), file, timeout, true, position, b));
    }

    @Override
    public Operation<Integer> write(long position, MemorySegment src) {
        checkPosition(position);
        CallerBuffer s = CallerBuffer.of(Objects.requireNonNull(src, "src"), false);
        return p().initiate(new BufferOp.Once(p(), file, timeout, true, position, s));
    }

    @Override
    public Operation<Integer> write(long position, BufferLease src, int length) {
        checkPosition(position);
        CallerBuffer lent = CallerBuffer.lent(p(), src, length, false);
        return p().initiate(new BufferOp.Once(p(), file, timeout, true, position, lent));
    }

    @Override
    public Operation<Long> readFully(long position, ByteBuffer dst) {
        checkPosition(position);
        CallerBuffer b = CallerBuffer.of(Objects.requireNonNull(dst, "dst"), true, p().bounces());
        return p().initiate(new BufferOp.Fully(p(), file, timeout, false, position, b));
    }

    @Override
    public Operation<Long> readFully(long position, MemorySegment dst) {
        checkPosition(position);
        CallerBuffer s = CallerBuffer.of(Objects.requireNonNull(dst, "dst"), true);
        return p().initiate(new BufferOp.Fully(p(), file, timeout, false, position, s));
    }

    @Override
    public Operation<Long> writeAll(long position, ByteBuffer src) {
        checkPosition(position);
        CallerBuffer b = CallerBuffer.of(Objects.requireNonNull(src, "src"), false, p().bounces());
        return p().initiate(new BufferOp.Fully(p(), file, timeout, true, position, b));
    }

    @Override
    public Operation<Long> writeAll(long position, MemorySegment src) {
        checkPosition(position);
        CallerBuffer s = CallerBuffer.of(Objects.requireNonNull(src, "src"), false);
        return p().initiate(new BufferOp.Fully(p(), file, timeout, true, position, s));
    }

    @Override
    public Operation<Long> readFully(long position, BufferLease dst, int length) {
        checkPosition(position);
        CallerBuffer lent = CallerBuffer.lent(p(), dst, length, true);
        return p().initiate(new BufferOp.Fully(p(), file, timeout, false, position, lent));
    }

    @Override
    public Operation<Long> writeAll(long position, BufferLease src, int length) {
        checkPosition(position);
        CallerBuffer lent = CallerBuffer.lent(p(), src, length, false);
        return p().initiate(new BufferOp.Fully(p(), file, timeout, true, position, lent));
    }

    @Override
    public Operation<Long> read(long position, ByteBuffer... dsts) {
        checkPosition(position);
        ByteBuffer[] bs = Objects.requireNonNull(dsts, "dsts");
        return p().initiate(new VectoredOp.Once(p(), file, timeout, false, position, bs));
    }

    @Override
    public Operation<Long> write(long position, ByteBuffer... srcs) {
        checkPosition(position);
        ByteBuffer[] bs = Objects.requireNonNull(srcs, "srcs");
        return p().initiate(new VectoredOp.Once(p(), file, timeout, true, position, bs));
    }

    @Override
    public Operation<Long> readFully(long position, ByteBuffer... dsts) {
        checkPosition(position);
        ByteBuffer[] bs = Objects.requireNonNull(dsts, "dsts");
        return p().initiate(new VectoredOp.Fully(p(), file, timeout, false, position, bs));
    }

    @Override
    public Operation<Long> writeAll(long position, ByteBuffer... srcs) {
        checkPosition(position);
        ByteBuffer[] bs = Objects.requireNonNull(srcs, "srcs");
        return p().initiate(new VectoredOp.Fully(p(), file, timeout, true, position, bs));
    }

    @Override
    public Operation<Void> fsync() {
        return p().initiate(new FsyncOp(p(), file, timeout, false));
    }

    @Override
    public Operation<Void> fdatasync() {
        return p().initiate(new FsyncOp(p(), file, timeout, true));
    }

    @Override
    public Operation<FileStat> stat() {
        return p().initiate(new StatOp<>(p(), file, timeout, s -> s));
    }

    @Override
    public Operation<Long> size() {
        return p().initiate(new StatOp<>(p(), file, timeout, FileStat::size));
    }

    @Override
    public void close() throws ProactorException {
        p().closeAndWait(closeAsync());
    }

    @Override
    public Operation<Void> closeAsync() {
        return p().closeResource(file);
    }

    /** Checked before any buffer is lent or bounced, so that a refused call holds nothing. */
    private static void checkPosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
    }

    @Override
    public AsyncFile withTimeout(Duration t) {
        return new FileHandle(file, Timeouts.positive(t));
    }

    @Override
    public String toString() {
        return "AsyncFile[" + file.path + ", fd " + file.fd + (file.open ? "" : ", closed") + "]";
    }
}
