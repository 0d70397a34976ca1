package dev.proactor.internal.core;

import dev.proactor.AsyncFile;
import dev.proactor.AsyncSocket;
import dev.proactor.BufferLease;
import dev.proactor.Operation;
import dev.proactor.ProactorException;
import dev.proactor.OperationStream;
import dev.proactor.StreamHandler;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/** The caller's view of a connected socket, with the timeout it attaches to what it initiates. */
final class SocketHandle implements AsyncSocket {
    private final Resource socket;
    private final Duration timeout;

    SocketHandle(Resource socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    private CoreProactor p() {
        return socket.proactor;
    }

    @Override
    public SocketAddress localAddress() {
        return socket.local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return socket.remote;
    }

    @Override
    public boolean isOpen() {
        return socket.open;
    }

    @Override
    public Operation<Integer> read(ByteBuffer dst) {
        CallerBuffer b = CallerBuffer.of(Objects.requireNonNull(dst, "dst"), true, p().bounces());
        return p().initiate(new BufferOp.Once(p(), socket, timeout, false, IoOp.STREAM, b));
    }

    @Override
    public Operation<Integer> read(MemorySegment dst) {
        CallerBuffer s = CallerBuffer.of(Objects.requireNonNull(dst, "dst"), true);
        return p().initiate(new BufferOp.Once(p(), socket, timeout, false, IoOp.STREAM, s));
    }

    @Override
    public Operation<Integer> write(ByteBuffer src) {
        CallerBuffer b = CallerBuffer.of(Objects.requireNonNull(src, "src"), false, p().bounces());
        return p().initiate(new BufferOp.Once(p(), socket, timeout, true, IoOp.STREAM, b));
    }

    @Override
    public Operation<Integer> write(MemorySegment src) {
        CallerBuffer s = CallerBuffer.of(Objects.requireNonNull(src, "src"), false);
        return p().initiate(new BufferOp.Once(p(), socket, timeout, true, IoOp.STREAM, s));
    }

    @Override
    public Operation<Integer> read(BufferLease dst, int length) {
        CallerBuffer lent = CallerBuffer.lent(p(), dst, length, true);
        return p().initiate(new BufferOp.Once(p(), socket, timeout, false, IoOp.STREAM, lent));
    }

    @Override
    public Operation<Integer> write(BufferLease src, int length) {
        CallerBuffer lent = CallerBuffer.lent(p(), src, length, false);
        return p().initiate(new BufferOp.Once(p(), socket, timeout, true, IoOp.STREAM, lent));
    }

    @Override
    public Operation<Long> read(ByteBuffer... dsts) {
        ByteBuffer[] bs = Objects.requireNonNull(dsts, "dsts");
        return p().initiate(new VectoredOp.Once(p(), socket, timeout, false, IoOp.STREAM, bs));
    }

    @Override
    public Operation<Long> write(ByteBuffer... srcs) {
        ByteBuffer[] bs = Objects.requireNonNull(srcs, "srcs");
        return p().initiate(new VectoredOp.Once(p(), socket, timeout, true, IoOp.STREAM, bs));
    }

    @Override
    public Operation<Long> readFully(ByteBuffer... dsts) {
        ByteBuffer[] bs = Objects.requireNonNull(dsts, "dsts");
        return p().initiate(new VectoredOp.Fully(p(), socket, timeout, false, IoOp.STREAM, bs));
    }

    @Override
    public Operation<Long> writeAll(ByteBuffer... srcs) {
        ByteBuffer[] bs = Objects.requireNonNull(srcs, "srcs");
        return p().initiate(new VectoredOp.Fully(p(), socket, timeout, true, IoOp.STREAM, bs));
    }

    @Override
    public Operation<Long> readFully(ByteBuffer dst) {
        CallerBuffer b = CallerBuffer.of(Objects.requireNonNull(dst, "dst"), true, p().bounces());
        return p().initiate(new BufferOp.Fully(p(), socket, timeout, false, IoOp.STREAM, b));
    }

    @Override
    public Operation<Long> readFully(MemorySegment dst) {
        CallerBuffer s = CallerBuffer.of(Objects.requireNonNull(dst, "dst"), true);
        return p().initiate(new BufferOp.Fully(p(), socket, timeout, false, IoOp.STREAM, s));
    }

    @Override
    public Operation<Long> readFully(BufferLease dst, int length) {
        CallerBuffer lent = CallerBuffer.lent(p(), dst, length, true);
        return p().initiate(new BufferOp.Fully(p(), socket, timeout, false, IoOp.STREAM, lent));
    }

    @Override
    public Operation<Long> writeAll(ByteBuffer src) {
        CallerBuffer b = CallerBuffer.of(Objects.requireNonNull(src, "src"), false, p().bounces());
        return p().initiate(new BufferOp.Fully(p(), socket, timeout, true, IoOp.STREAM, b));
    }

    @Override
    public Operation<Long> writeAll(MemorySegment src) {
        CallerBuffer s = CallerBuffer.of(Objects.requireNonNull(src, "src"), false);
        return p().initiate(new BufferOp.Fully(p(), socket, timeout, true, IoOp.STREAM, s));
    }

    @Override
    public Operation<Long> writeAll(BufferLease src, int length) {
        CallerBuffer lent = CallerBuffer.lent(p(), src, length, false);
        return p().initiate(new BufferOp.Fully(p(), socket, timeout, true, IoOp.STREAM, lent));
    }

    @Override
    public Operation<Long> transferFrom(AsyncFile file, long position, long count) {
        if (!(Objects.requireNonNull(file, "file") instanceof FileHandle fh) || fh.resource().proactor != p()) {
            throw new IllegalArgumentException("the file belongs to another proactor: " + file);
        }
        TransferOp op = new TransferOp(p(), socket, timeout, fh.resource(), position, count);
        op.writeBytes = count;
        return p().initiate(op);
    }

    @Override
    public OperationStream receiveEach(StreamHandler<? super BufferLease> handler) {
        return p().initiate(new ReceiveEachOp(p(), socket, handler));
    }

    @Override
    public long pendingWriteBytes() {
        return socket.pendingWrites.get();
    }

    @Override
    public AsyncSocket writeBudget(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("write budget must be at least 1 byte: " + bytes);
        }
        socket.writeBudget = bytes;
        return this;
    }

    @Override
    public Operation<Void> shutdownOutput() {
        return p().initiate(new ShutdownOp(p(), socket, timeout, false, true));
    }

    @Override
    public Operation<Void> shutdownInput() {
        return p().initiate(new ShutdownOp(p(), socket, timeout, true, false));
    }

    @Override
    public void close() throws ProactorException {
        p().closeAndWait(closeAsync());
    }

    @Override
    public Operation<Void> closeAsync() {
        return p().closeResource(socket, timeout != null ? timeout : socket.closeLinger, false);
    }

    @Override
    public Operation<Void> abort() {
        return p().closeResource(socket, null, true);
    }

    @Override
    public AsyncSocket withTimeout(Duration t) {
        return new SocketHandle(socket, Timeouts.positive(t));
    }

    @Override
    public String toString() {
        return "AsyncSocket[" + socket.describe() + ", fd " + socket.fd + (socket.open ? "" : ", closed") + "]";
    }
}
