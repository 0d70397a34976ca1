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
        return file.path();
    }

    @Override
    public boolean isOpen() {
        return file.open;
    }

    @Override
    public Operation<Integer> read(long position, ByteBuffer dst) {
        return once(at(position), false, CallerBuffer.of(dst, true, file));
    }

    @Override
    public Operation<Integer> read(long position, MemorySegment dst) {
        return once(at(position), false, CallerBuffer.of(dst, true));
    }

    @Override
    public Operation<Integer> read(long position, BufferLease dst, int length) {
        return once(at(position), false, CallerBuffer.lent(p(), dst, length, true));
    }

    @Override
    public Operation<Long> read(long position, ByteBuffer... dsts) {
        return vectored(at(position), false, false, dsts);
    }

    @Override
    public Operation<Integer> write(long position, ByteBuffer src) {
        return once(at(position), true, CallerBuffer.of(src, false, file));
    }

    @Override
    public Operation<Integer> write(long position, MemorySegment src) {
        return once(at(position), true, CallerBuffer.of(src, false));
    }

    @Override
    public Operation<Integer> write(long position, BufferLease src, int length) {
        return once(at(position), true, CallerBuffer.lent(p(), src, length, false));
    }

    @Override
    public Operation<Long> write(long position, ByteBuffer... srcs) {
        return vectored(at(position), true, false, srcs);
    }

    @Override
    public Operation<Long> readFully(long position, ByteBuffer dst) {
        return fully(at(position), false, CallerBuffer.of(dst, true, file));
    }

    @Override
    public Operation<Long> readFully(long position, MemorySegment dst) {
        return fully(at(position), false, CallerBuffer.of(dst, true));
    }

    @Override
    public Operation<Long> readFully(long position, BufferLease dst, int length) {
        return fully(at(position), false, CallerBuffer.lent(p(), dst, length, true));
    }

    @Override
    public Operation<Long> readFully(long position, ByteBuffer... dsts) {
        return vectored(at(position), false, true, dsts);
    }

    @Override
    public Operation<Long> writeAll(long position, ByteBuffer src) {
        return fully(at(position), true, CallerBuffer.of(src, false, file));
    }

    @Override
    public Operation<Long> writeAll(long position, MemorySegment src) {
        return fully(at(position), true, CallerBuffer.of(src, false));
    }

    @Override
    public Operation<Long> writeAll(long position, BufferLease src, int length) {
        return fully(at(position), true, CallerBuffer.lent(p(), src, length, false));
    }

    @Override
    public Operation<Long> writeAll(long position, ByteBuffer... srcs) {
        return vectored(at(position), true, true, srcs);
    }

    /** One round at {@code position} of a write ({@code outbound}) or read of {@code b}. */
    private Operation<Integer> once(long position, boolean outbound, CallerBuffer b) {
        return p().initiate(new BufferOp.Once(p(), file, timeout, outbound, position, b));
    }

    /** As many rounds as it takes to write ({@code outbound}) or fill all of {@code b}. */
    private Operation<Long> fully(long position, boolean outbound, CallerBuffer b) {
        return p().initiate(new BufferOp.Fully(p(), file, timeout, outbound, position, b));
    }

    /** A vectored write ({@code outbound}) or read of {@code bs}, one round or {@code all}. */
    private Operation<Long> vectored(long position, boolean outbound, boolean all, ByteBuffer[] bs) {
        Objects.requireNonNull(bs, outbound ? "srcs" : "dsts");
        return p().initiate(all ? new VectoredOp.Fully(p(), file, timeout, outbound, position, bs)
                : new VectoredOp.Once(p(), file, timeout, outbound, position, bs));
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

    /**
     * {@code position}, checked. Called as the first argument, so that it runs before the buffer
     * argument is lent or bounced: a refused call holds nothing.
     */
    private static long at(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        return position;
    }

    @Override
    public AsyncFile withTimeout(Duration t) {
        return new FileHandle(file, Timeouts.positive(t));
    }

    @Override
    public String toString() {
        return "AsyncFile[" + file.path() + ", fd " + file.fd + (file.open ? "" : ", closed") + "]";
    }
}
