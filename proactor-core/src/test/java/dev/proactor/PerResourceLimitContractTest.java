package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.Sockets;
import dev.proactor.test.Waits;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@link ProactorConfig#maxInFlightPerResource()}: at most that many operations are admitted at
 * once on one socket or file, whatever the global limit, and the admission policy decides about
 * the next; other resources are not affected, and a slot frees when one of them ends.
 */
class PerResourceLimitContractTest {

    private static final int PER_RESOURCE = 2;

    @EachBackend
    void theNextOperationOnAFullResourceIsRejectedAndOthersGoOn(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().maxInFlightPerResource(PER_RESOURCE)
                .admission(AdmissionPolicy.reject()));
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        Operation<Integer> r1 = c.server().read(ByteBuffer.allocate(16));
        Operation<Integer> r2 = c.server().read(ByteBuffer.allocate(16));

        ProactorException refused = Ops.failure(c.server().read(ByteBuffer.allocate(16)));
        assertThat(refused).isInstanceOf(AdmissionRejectedException.class);
        assertThat(refused.getMessage()).contains("per resource");
        assertThat(r1.isDone()).as("admitted reads are undisturbed").isFalse();
        assertThat(r2.isDone()).isFalse();
        // Another socket of the same proactor is not limited by this one.
        Operation<Integer> other = c.client().read(ByteBuffer.allocate(16));
        assertThat(other.state()).isNotEqualTo(OperationState.FAILED);

        // One ends: its slot is free for the next.
        Ops.result(c.client().write(ByteBuffer.wrap(new byte[] {42})));
        assertThat(Ops.result(r1)).isEqualTo(1);
        Operation<Integer> r4 = c.server().read(ByteBuffer.allocate(16));
        assertThat(r4.state()).isNotEqualTo(OperationState.FAILED);
        assertThat(r4.isDone()).isFalse();
        assertThat(p.metrics().kinds().get(refused.kind()).failed()).as("only the refused read failed").isEqualTo(1);

        for (Operation<Integer> op : java.util.List.of(r2, r4, other)) {
            op.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        c.close();
        Ops.result(listener.closeAsync());
    }

    @EachBackend
    void aQueuedOperationIsAdmittedWhenItsResourceHasRoom(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.open(fixture.config().maxInFlightPerResource(PER_RESOURCE)
                .admission(AdmissionPolicy.queue(8)));
        AsyncServerSocket listener = Sockets.listen(p);
        Sockets.Connection c = Sockets.connect(listener, p);
        ByteBuffer b1 = ByteBuffer.allocate(1);
        ByteBuffer b2 = ByteBuffer.allocate(1);
        ByteBuffer b3 = ByteBuffer.allocate(1);
        Operation<Integer> r1 = c.server().read(b1);
        Operation<Integer> r2 = c.server().read(b2);
        Operation<Integer> r3 = c.server().read(b3);
        assertThat(r3.state()).as("beyond the resource's limit").isEqualTo(OperationState.QUEUED);
        assertThat(p.metrics().queuedForAdmission()).isEqualTo(1);
        // A nop has no resource: the global limit alone applies, so it runs at once.
        assertThat(Ops.result(p.nop())).isNull();
        assertThat(r3.state()).isEqualTo(OperationState.QUEUED);

        // Three bytes: the reads take one each, in initiation order, as their slots free.
        Ops.result(c.client().write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        assertThat(Ops.result(r1)).isEqualTo(1);
        assertThat(Ops.result(r2)).isEqualTo(1);
        assertThat(Ops.result(r3)).isEqualTo(1);
        assertThat(new byte[] {b1.get(0), b2.get(0), b3.get(0)}).containsExactly(1, 2, 3);
        Waits.until(Duration.ofSeconds(30), () -> p.metrics().queuedForAdmission() == 0,
                () -> "queued " + p.metrics().queuedForAdmission());
        c.close();
        Ops.result(listener.closeAsync());
    }
}
