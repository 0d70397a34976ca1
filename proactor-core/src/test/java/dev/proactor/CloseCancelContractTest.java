package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.Submission;
import dev.proactor.test.EachBackend;
import dev.proactor.test.ForwardingBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.ResourceSnapshot;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.SoftAssertions;

/**
 * A close cannot be cancelled once initiated: cancelling a close that waits for the resource's
 * pending operations changes nothing, the close still ends with the descriptor closed, the cancel
 * is answered {@link CancelResult.Kind#TOO_LATE}, and the proactor's close report has nothing to
 * hide. The backend is wrapped so that cancels (and the portable backend's unblocking of a FIFO
 * read at close) are held back until the test lets them go: without that, the pending read would
 * end at once and the close would no longer be waiting when its cancel arrives.
 */
class CloseCancelContractTest {

    @EachBackend
    void cancellingAFileCloseThatWaitsForAPendingReadStillClosesTheDescriptor(ProactorFixture fixture)
            throws Exception {
        HeldCancels held = new HeldCancels();
        Proactor p = fixture.open(fixture.config(), held::wrap);
        Path fifo = fixture.fifo("close-cancel.fifo");
        // READ+WRITE: the open does not wait for a writer, and the read waits for data that never comes.
        AsyncFile pipe = Ops.result(p.openFile(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
        assertThat(ResourceSnapshot.openFds().values()).as("the FIFO is open").contains(fifo.toString());
        Operation<Integer> read = pipe.read(0, ByteBuffer.allocate(16));
        awaitSubmitted(p, read);

        Operation<Void> close = pipe.closeAsync();
        CompletionStage<CancelResult> cancel = close.cancel();
        assertCloseWaitsDespiteCancel(p, held, read, close);

        SoftAssertions soft = releaseAndCheckTheCloseEnded(p, held, read, close, cancel);
        soft.assertThat(ResourceSnapshot.openFds().values()).as("descriptors after the close ended")
                .doesNotContain(fifo.toString());
        CloseReport report = p.close(Duration.ofSeconds(10));
        soft.assertThat(report.clean()).as("close report " + report).isTrue();
        soft.assertThat(report.filesClosed()).as("files the proactor's close found open").isZero();
        soft.assertAll();
    }

    @EachBackend
    void cancellingASocketCloseThatWaitsForAPendingReadStillClosesTheDescriptor(ProactorFixture fixture)
            throws Exception {
        HeldCancels held = new HeldCancels();
        Proactor p = fixture.open(fixture.config(), held::wrap);
        Map<Integer, String> before = ResourceSnapshot.openFds();
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        List<Integer> sockets = newSockets(before);
        assertThat(sockets).as("listener, client and server sockets").hasSize(3);
        // The client never sends: the server's read waits until something ends it.
        Operation<Integer> read = c.server().read(ByteBuffer.allocate(16));
        awaitSubmitted(p, read);

        Operation<Void> close = c.server().closeAsync();
        CompletionStage<CancelResult> cancel = close.cancel();
        assertCloseWaitsDespiteCancel(p, held, read, close);

        SoftAssertions soft = releaseAndCheckTheCloseEnded(p, held, read, close, cancel);
        soft.assertThat(newSockets(before)).as("sockets open after the server's close ended (listener, client)")
                .hasSize(2);
        Ops.result(c.client().closeAsync());
        Ops.result(listener.closeAsync());
        soft.assertThat(newSockets(before)).as("sockets open after every close ended").isEmpty();
        CloseReport report = p.close(Duration.ofSeconds(10));
        soft.assertThat(report.clean()).as("close report " + report).isTrue();
        soft.assertThat(report.filesClosed()).as("descriptors the proactor's close found open").isZero();
        soft.assertAll();
    }

    /**
     * The set-up reached the case: the close's cancel of the read went to the backend (and is held
     * there), and after the close's own cancel was handled the close is still waiting for the read.
     */
    private static void assertCloseWaitsDespiteCancel(Proactor p, HeldCancels held, Operation<Integer> read,
            Operation<Void> close) {
        // The inbox is handled in order: once this nop has ended, the close and its cancel were seen.
        Ops.result(p.nop());
        assertThat(held.held()).as("cancels held back (the close's cancel of the read)").isPositive();
        assertThat(read.isDone()).as("the read, its cancel held").isFalse();
        assertThat(close.isDone()).as("the close, after its cancel was handled, while the read is pending "
                + "(state " + close.state() + ")").isFalse();
    }

    /**
     * Lets the held cancels go; the close must then end as it would have without its cancel: the
     * read cancelled, the close completed, its canceller answered TOO_LATE. Returns the soft
     * assertions, for the test's own checks of what is still open.
     */
    private static SoftAssertions releaseAndCheckTheCloseEnded(Proactor p, HeldCancels held, Operation<Integer> read,
            Operation<Void> close, CompletionStage<CancelResult> cancel) throws Exception {
        held.release();
        Ops.result(p.nop());  // wakes the dispatcher to hand the held cancel to the backend
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(outcome(close)).as("the cancelled close's outcome").isEqualTo(OperationState.COMPLETED);
        soft.assertThat(cancel.toCompletableFuture().get(30, TimeUnit.SECONDS).kind())
                .as("the answer to cancelling the close").isEqualTo(CancelResult.Kind.TOO_LATE);
        soft.assertThat(read.state()).as("the read the close ended").isEqualTo(OperationState.CANCELLED);
        return soft;
    }

    private static void awaitSubmitted(Proactor p, Operation<?> op) {
        Waits.until(Duration.ofSeconds(10),
                () -> p.operations().stream().anyMatch(i -> i.id() == op.id() && i.state() == OperationState.SUBMITTED),
                () -> "operation " + op.id() + " not submitted: " + p.operations());
    }

    /** The terminal state of {@code op}, waited for (bounded). */
    private static OperationState outcome(Operation<?> op) throws InterruptedException {
        try {
            op.await(Ops.WAIT);
        } catch (ProactorException e) {
            // The state says which failure.
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("operation " + op.id() + " did not end; state " + op.state(), e);
        }
        return op.state();
    }

    /** Socket descriptors open now that were not open in {@code before}. */
    private static List<Integer> newSockets(Map<Integer, String> before) {
        List<Integer> found = new ArrayList<>();
        ResourceSnapshot.newFds(before, ResourceSnapshot.openFds()).forEach((fd, target) -> {
            if (target.startsWith("socket:")) {
                found.add(fd);
            }
        });
        return found;
    }

    /**
     * Holds back every cancel the core asks of the backend (answering "no room now", which makes
     * the core ask again on a later turn) and every announcement of a descriptor closing, until
     * {@link #release()}. Set from the test thread, read on the dispatcher.
     */
    private static final class HeldCancels {
        private volatile boolean released;
        private final AtomicInteger held = new AtomicInteger();

        Backend wrap(Backend real) {
            return new ForwardingBackend(real) {
                /** Descriptors announced while held; dispatcher-confined. */
                private final List<Integer> closing = new ArrayList<>();

                @Override
                public boolean cancel(Submission s) {
                    if (!released) {
                        held.incrementAndGet();
                        return false;
                    }
                    return delegate.cancel(s);
                }

                @Override
                public void descriptorClosing(int fd) {
                    if (!released) {
                        closing.add(fd);
                        return;
                    }
                    delegate.descriptorClosing(fd);
                }

                @Override
                public int runOnce(long waitNanos) {
                    if (released && !closing.isEmpty()) {
                        closing.forEach(delegate::descriptorClosing);
                        closing.clear();
                    }
                    return delegate.runOnce(waitNanos);
                }
            };
        }

        void release() {
            released = true;
        }

        /** Cancels refused so far (each retry of a held cancel counts again). */
        int held() {
            return held.get();
        }
    }
}
