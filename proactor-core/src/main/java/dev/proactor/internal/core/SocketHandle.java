package dev.proactor.internal.core;

import dev.proactor.AsyncFile;
import dev.proactor.AsyncSocket;
import dev.proactor.BufferLease;
import dev.proactor.Operation;
import dev.proactor.ProactorException;
import dev.proactor.ResultHandler;
import dev.proactor.ReusableOperation;
import dev.proactor.OperationStream;
import dev.proactor.StreamHandler;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.SocketOption;
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
        return socket.remote();
    }

    @Override
    public boolean isOpen() {
        return socket.open;
    }

    @Override
    public Operation<Integer> read(ByteBuffer dst) {
        return once(false, CallerBuffer.of(dst, true, socket));
    }

    @Override
    public Operation<Integer> read(MemorySegment dst) {
        return once(false, CallerBuffer.of(dst, true));
    }

    @Override
    public Operation<Integer> read(BufferLease dst, int length) {
        return once(false, CallerBuffer.lent(p(), dst, length, true));
    }

    @Override
    public Operation<Long> read(ByteBuffer... dsts) {
        return vectored(false, false, dsts);
    }

    @Override
    public Operation<Integer> write(ByteBuffer src) {
        return once(true, CallerBuffer.of(src, false, socket));
    }

    @Override
    public Operation<Integer> write(MemorySegment src) {
        return once(true, CallerBuffer.of(src, false));
    }

    @Override
    public Operation<Integer> write(BufferLease src, int length) {
        return once(true, CallerBuffer.lent(p(), src, length, false));
    }

    @Override
    public Operation<Long> write(ByteBuffer... srcs) {
        return vectored(true, false, srcs);
    }

    @Override
    public Operation<Long> readFully(ByteBuffer dst) {
        return fully(false, CallerBuffer.of(dst, true, socket));
    }

    @Override
    public Operation<Long> readFully(MemorySegment dst) {
        return fully(false, CallerBuffer.of(dst, true));
    }

    @Override
    public Operation<Long> readFully(BufferLease dst, int length) {
        return fully(false, CallerBuffer.lent(p(), dst, length, true));
    }

    @Override
    public Operation<Long> readFully(ByteBuffer... dsts) {
        return vectored(false, true, dsts);
    }

    @Override
    public Operation<Long> writeAll(ByteBuffer src) {
        return fully(true, CallerBuffer.of(src, false, socket));
    }

    @Override
    public Operation<Long> writeAll(MemorySegment src) {
        return fully(true, CallerBuffer.of(src, false));
    }

    @Override
    public Operation<Long> writeAll(BufferLease src, int length) {
        return fully(true, CallerBuffer.lent(p(), src, length, false));
    }

    @Override
    public Operation<Long> writeAll(ByteBuffer... srcs) {
        return vectored(true, true, srcs);
    }

    @Override
    public ReusableOperation<Integer> reusableRead(ByteBuffer dst, ResultHandler<? super Integer> handler) {
        Objects.requireNonNull(handler, "handler");
        return p().initiate(new BufferOp.ReusableOnce(p(), socket, timeout, CallerBuffer.of(dst, true, socket), handler));
    }

    @Override
    public ReusableOperation<Long> reusableWriteAll(ByteBuffer src, ResultHandler<? super Long> handler) {
        Objects.requireNonNull(handler, "handler");
        return p().initiate(new BufferOp.ReusableFully(p(), socket, timeout, CallerBuffer.of(src, false, socket), handler));
    }

    @Override
    public ReusableOperation<Long> reusableWriteAll(MemorySegment[] srcs, ResultHandler<? super Long> handler) {
        Objects.requireNonNull(srcs, "srcs");
        Objects.requireNonNull(handler, "handler");
        return p().initiate(new GatherSendOp(p(), socket, timeout, srcs, handler));
    }

    /** One round of a send ({@code outbound}) or receive of {@code b}. */
    private Operation<Integer> once(boolean outbound, CallerBuffer b) {
        return p().initiate(new BufferOp.Once(p(), socket, timeout, outbound, IoOp.STREAM, b));
    }

    /** As many rounds as it takes to send ({@code outbound}) or fill all of {@code b}. */
    private Operation<Long> fully(boolean outbound, CallerBuffer b) {
        return p().initiate(new BufferOp.Fully(p(), socket, timeout, outbound, IoOp.STREAM, b));
    }

    /** A gather send ({@code outbound}) or scatter receive of {@code bs}, one round or {@code all}. */
    private Operation<Long> vectored(boolean outbound, boolean all, ByteBuffer[] bs) {
        Objects.requireNonNull(bs, outbound ? "srcs" : "dsts");
        return p().initiate(all ? new VectoredOp.Fully(p(), socket, timeout, outbound, IoOp.STREAM, bs)
                : new VectoredOp.Once(p(), socket, timeout, outbound, IoOp.STREAM, bs));
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
        return socket.pendingWrites();
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
    public <T> Operation<T> setOption(SocketOption<T> name, T value) {
        return p().initiate(new SocketOptionOp<>(p(), socket, timeout, name, true, value));
    }

    @Override
    public <T> Operation<T> option(SocketOption<T> name) {
        return p().initiate(new SocketOptionOp<>(p(), socket, timeout, name, false, null));
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
