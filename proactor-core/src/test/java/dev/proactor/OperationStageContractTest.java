package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link Operation#stage()} is a read-only view of the outcome: nothing a caller does to it, or to
 * the copy {@code toCompletableFuture()} gives, ends the operation early or changes what another
 * caller sees, and it completes only once the operation is terminal and its buffer handed back.
 * The operation is a read of a FIFO, which waits until the test writes to the FIFO.
 */
class OperationStageContractTest {

    private static final byte[] DATA = "hello".getBytes(StandardCharsets.US_ASCII);

    @EachBackend
    void completingCancellingOrTimingOutTheStageCannotChangeTheOperation(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Path fifo = fixture.fifo("stage.fifo");
        AsyncFile pipe = open(p, fifo);
        ByteBuffer dst = ByteBuffer.allocate(16);
        Operation<Integer> read = pipe.read(0, dst);
        CompletionStage<Integer> stage = read.stage();

        // Copies and dependents belong to their caller: changing them changes only them.
        CompletableFuture<Integer> completed = stage.toCompletableFuture();
        assertThat(completed.complete(-1)).isTrue();
        CompletableFuture<Integer> cancelled = read.stage().toCompletableFuture();
        assertThat(cancelled.cancel(true)).isTrue();
        CompletableFuture<Integer> timedOut = stage.toCompletableFuture().orTimeout(1, TimeUnit.MILLISECONDS);
        CompletableFuture<Integer> defaulted = stage.toCompletableFuture().completeOnTimeout(-2, 1, TimeUnit.MILLISECONDS);
        CompletableFuture<Integer> dependent = stage.thenApply(n -> n).toCompletableFuture();
        assertThat(dependent.complete(-3)).isTrue();
        assertThatThrownBy(() -> timedOut.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(defaulted.get(30, TimeUnit.SECONDS)).isEqualTo(-2);

        CompletionStage<Integer> second = read.stage();
        assertThat(read.isDone()).as("the operation, after its stage's copies ended").isFalse();
        assertThat(read.state()).isIn(OperationState.QUEUED, OperationState.SUBMITTED);
        assertThat(second.toCompletableFuture().isDone()).as("a second caller's stage").isFalse();
        assertThat(stage.toCompletableFuture().isDone()).as("the first caller's stage").isFalse();

        // The view itself: every way of completing it is refused, and cancel does nothing.
        @SuppressWarnings("unchecked")
        CompletableFuture<Integer> view = (CompletableFuture<Integer>) stage;
        assertThatThrownBy(() -> view.complete(-1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> view.completeExceptionally(new IllegalStateException("meddling")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> view.obtrudeValue(-1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> view.obtrudeException(new IllegalStateException("meddling")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> view.orTimeout(1, TimeUnit.MILLISECONDS))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> view.completeOnTimeout(-1, 1, TimeUnit.MILLISECONDS))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> view.completeAsync(() -> -1)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(view.cancel(true)).as("cancel on the view").isFalse();
        assertThat(view.isCancelled()).isFalse();
        assertThat(view.isDone()).as("the first caller's stage").isFalse();
        assertThat(read.isDone()).as("the operation, after its stage was meddled with").isFalse();

        feed(fifo);
        assertThat(Ops.result(read)).isEqualTo(DATA.length);
        assertThat(second.toCompletableFuture().get(30, TimeUnit.SECONDS)).as("the second caller's stage")
                .isEqualTo(DATA.length);
        assertThat(view.get(30, TimeUnit.SECONDS)).as("the first caller's stage").isEqualTo(DATA.length);
        assertThat(dst.flip()).isEqualTo(ByteBuffer.wrap(DATA));
        assertThat(completed.join()).as("the copy completed by its caller keeps its own value").isEqualTo(-1);
        assertThat(cancelled.isCancelled()).isTrue();
        Ops.result(pipe.closeAsync());
    }

    @EachBackend
    void theStageCompletesOnlyOnceTheOperationIsTerminal(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Path fifo = fixture.fifo("terminal.fifo");
        AsyncFile pipe = open(p, fifo);
        ByteBuffer dst = ByteBuffer.allocate(16);
        Operation<Integer> read = pipe.read(0, dst);
        // Cancelled, to see a failure through the stage: a timer, as every backend can cancel it.
        Operation<Void> doomed = p.timer(Duration.ofHours(1));

        // What each callback saw: the operation's state, and the buffer's position (moved on delivery).
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch ran = new CountDownLatch(5);
        read.stage().whenComplete((n, e) -> {
            seen.add("whenComplete " + read.state() + " position " + dst.position());
            ran.countDown();
        });
        read.stage().thenApply(n -> {
            seen.add("thenApply " + read.state() + " position " + dst.position());
            ran.countDown();
            return n;
        });
        read.stage().toCompletableFuture().whenComplete((n, e) -> {
            seen.add("copy " + read.state() + " position " + dst.position());
            ran.countDown();
        });
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        doomed.stage().whenComplete((n, e) -> {
            seen.add("doomed " + doomed.state());
            failures.add(e);
            ran.countDown();
        });
        doomed.stage().toCompletableFuture().whenComplete((n, e) -> {
            seen.add("doomed copy " + doomed.state());
            failures.add(e);
            ran.countDown();
        });
        assertThat(seen).as("callbacks before the operations ended").isEmpty();

        feed(fifo);
        assertThat(Ops.result(read)).isEqualTo(DATA.length);
        CancelResult cancel = doomed.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(cancel.kind()).isEqualTo(CancelResult.Kind.CANCELLED);
        assertThat(ran.await(30, TimeUnit.SECONDS)).as("callbacks ran: " + seen).isTrue();
        String done = OperationState.COMPLETED + " position " + DATA.length;
        assertThat(seen).containsExactlyInAnyOrder("whenComplete " + done, "thenApply " + done, "copy " + done,
                "doomed " + OperationState.CANCELLED, "doomed copy " + OperationState.CANCELLED);
        // The view and its copy both pass the operation's own failure, not a wrapper of it.
        assertThat(failures).hasSize(2).allSatisfy(e -> assertThat(e).isSameAs(doomed.failureNow()));

        // A callback added after the end runs at once, and sees the end too.
        List<OperationState> late = new CopyOnWriteArrayList<>();
        read.stage().whenComplete((n, e) -> late.add(read.state()));
        assertThat(late).containsExactly(OperationState.COMPLETED);
        Ops.result(pipe.closeAsync());
    }

    /** Opens {@code fifo} READ+WRITE: the open does not wait for a writer, and a read waits for data. */
    private static AsyncFile open(Proactor p, Path fifo) {
        return Ops.result(p.openFile(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    /** Writes {@link #DATA} into {@code fifo}, which a pending read then takes. */
    private static void feed(Path fifo) throws java.io.IOException {
        try (OutputStream out = new FileOutputStream(fifo.toFile())) {
            out.write(DATA);
        }
    }
}
