package dev.proactor.nio2;

import static dev.proactor.nio2.Nio2Fixture.WAIT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.CancelResult;
import dev.proactor.Operation;
import dev.proactor.OperationKind;
import dev.proactor.OperationState;
import dev.proactor.ProactorException;
import dev.proactor.ResultHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Future forms are settled where the proactor delivers their operation, on its dispatcher,
 * with no thread of the group involved ({@link HandlerPool#deliverDirect}); the channel takes the
 * next read or write as soon as a Future's {@code get} returns; a {@code get} on a pool's only
 * thread runs the pool's tasks meanwhile.
 */
class FutureDeliveryTest {

    /** Threads that run nothing until {@link #open}: a group on it has no thread to deliver on. */
    private static final class Gated implements ThreadFactory {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger made = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            return Thread.ofPlatform().name("nio2-gated-" + made.incrementAndGet()).daemon(true).unstarted(() -> {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                r.run();
            });
        }

        void open() {
            gate.countDown();
        }
    }

    /**
     * Each operation is initiated before its peer acts (accept before the connect, read before the
     * write or the close), so it ends after the channel marked it: none may need a group thread.
     * The peers live in an ordinary group of their own.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Side.class, names = {"PROACTOR_IO_URING", "PROACTOR_PORTABLE"})
    void futureFormsCompleteWhileEveryGroupThreadIsStuck(Side side) throws Exception {
        Gated gated = new Gated();
        AsynchronousChannelGroup stuck = side.provider().openAsynchronousChannelGroup(1, gated);
        try (Nio2Fixture peers = new Nio2Fixture(side)) {
            AsynchronousServerSocketChannel server = side.provider().openAsynchronousServerSocketChannel(stuck);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Future<AsynchronousSocketChannel> accept = server.accept();
            AsynchronousSocketChannel client = peers.socket();
            client.connect(server.getLocalAddress()).get(WAIT_SECONDS, TimeUnit.SECONDS);
            AsynchronousSocketChannel accepted = accept.get(WAIT_SECONDS, TimeUnit.SECONDS);

            for (int i = 0; i < 100; i++) {
                ByteBuffer dst = ByteBuffer.allocate(1);
                Future<Integer> read = accepted.read(dst);
                Nio2Fixture.writeFully(client, ByteBuffer.wrap(new byte[] {(byte) i}));
                assertThat(read.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(1);
                assertThat(dst.get(0)).isEqualTo((byte) i);
            }

            Future<Integer> cancelled = accepted.read(ByteBuffer.allocate(1));
            assertThat(cancelled.cancel(false)).isTrue();
            assertThatThrownBy(() -> accepted.read(ByteBuffer.allocate(1)))
                    .as("reading is forbidden after a cancelled read, as the JDK's provider forbids it")
                    .isInstanceOf(IllegalStateException.class);

            // The close waits for the listener's close, delivered on the dispatcher as well.
            Future<AsynchronousSocketChannel> pendingAccept = server.accept();
            server.close();
            assertThatThrownBy(() -> pendingAccept.get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(AsynchronousCloseException.class);
            accepted.close();
            assertThat(accepted.isOpen()).isFalse();
            assertThat(gated.made.get()).as("threads the group made, none of which ran").isLessThanOrEqualTo(1);
        } finally {
            gated.open();
            stuck.shutdownNow();
            assertThat(stuck.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** The direction is free once the Future completes: the next call never sees the last one pending. */
    @EachProvider
    void theNextReadAndWriteAreTakenAsSoonAsTheFutureCompletes(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel[] p = f.pair(f.listening());
            ByteBuffer one = ByteBuffer.allocate(1);
            for (int i = 0; i < 500; i++) {
                one.clear().put((byte) i).flip();
                assertThat(p[0].write(one).get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(1);
                one.clear();
                assertThat(p[1].read(one).get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(1);
                assertThat(one.get(0)).isEqualTo((byte) i);
            }
        }
    }

    /** A Future's get on the only thread of its pool runs the task that settles it. */
    @Test
    void getOnAOneThreadPoolsOwnThreadRunsThePoolsTasks() throws Exception {
        HandlerPool pool = HandlerPool.fixed(1, Thread.ofPlatform().daemon(true).factory());
        try {
            PendingIo<Integer, Void> io = PendingIo.future(pool, null);
            AtomicReference<Object> got = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            pool.execute(() -> {
                pool.execute(() -> io.complete(42));
                try {
                    got.set(io.get());
                } catch (InterruptedException | ExecutionException e) {
                    got.set(e);
                }
                done.countDown();
            });
            assertThat(done.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("get returned").isTrue();
            assertThat(got.get()).isEqualTo(42);
        } finally {
            pool.shutdown();
        }
    }

    /**
     * The shortcut's own rule: the dispatcher's hand-off of a marked operation runs it on the
     * handing thread, even after shutdown; an unmarked one, or one handed through {@code execute},
     * waits for a pool thread; one handed over before it was marked is delivered by the marker.
     */
    @Test
    void aMarkedOperationIsDeliveredByTheThreadThatHandsItOver() throws Exception {
        Gated gated = new Gated();
        HandlerPool pool = HandlerPool.fixed(1, gated);
        try {
            FakeOperation marked = new FakeOperation();
            pool.deliverDirect(marked);
            pool.enqueue(marked);
            assertThat(marked.ranOn.get()).isSameAs(Thread.currentThread());

            FakeOperation unmarked = new FakeOperation();
            pool.enqueue(unmarked);
            pool.flush();
            FakeOperation viaExecute = new FakeOperation();
            pool.deliverDirect(viaExecute);
            pool.execute(viaExecute);
            FakeOperation forgotten = new FakeOperation();
            pool.deliverDirect(forgotten);
            pool.forgetDirect(forgotten);
            pool.enqueue(forgotten);
            assertThat(unmarked.ranOn.get()).isNull();
            assertThat(viaExecute.ranOn.get()).isNull();
            assertThat(forgotten.ranOn.get()).isNull();

            FakeOperation handedFirst = new FakeOperation();
            pool.enqueue(handedFirst);
            pool.deliverDirect(handedFirst);
            assertThat(handedFirst.ranOn.get()).as("handed over before it was marked: the marker delivers it")
                    .isSameAs(Thread.currentThread());
            gated.open();
            for (FakeOperation op : new FakeOperation[] {unmarked, viaExecute, forgotten}) {
                assertThat(op.ran.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                assertThat(op.ranOn.get()).isNotSameAs(Thread.currentThread());
            }

            pool.shutdown();
            FakeOperation afterShutdown = new FakeOperation();
            pool.deliverDirect(afterShutdown);
            pool.enqueue(afterShutdown);
            assertThat(afterShutdown.ranOn.get()).isSameAs(Thread.currentThread());
        } finally {
            gated.open();
            pool.shutdown();
        }
    }

    /** An operation as the proactor hands it to its handler executor: the task is the operation. */
    private static final class FakeOperation implements Operation<Void>, Runnable {
        final AtomicReference<Thread> ranOn = new AtomicReference<>();
        final CountDownLatch ran = new CountDownLatch(1);

        @Override
        public void run() {
            ranOn.set(Thread.currentThread());
            ran.countDown();
        }

        @Override
        public long id() {
            return 0;
        }

        @Override
        public OperationKind kind() {
            return OperationKind.NOP;
        }

        @Override
        public OperationState state() {
            return ranOn.get() == null ? OperationState.SUBMITTED : OperationState.COMPLETED;
        }

        @Override
        public Void resultNow() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ProactorException failureNow() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Operation<Void> onComplete(ResultHandler<? super Void> handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.concurrent.CompletionStage<Void> stage() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Void await() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Void await(Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.concurrent.CompletionStage<CancelResult> cancel() {
            throw new UnsupportedOperationException();
        }
    }
}
