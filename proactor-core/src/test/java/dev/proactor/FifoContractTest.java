package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.Ops;
import dev.proactor.test.ProactorFixture;
import dev.proactor.test.ResourceSnapshot;
import dev.proactor.test.TestFiles;
import dev.proactor.test.Waits;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Pipes and FIFOs, which have no end of data while a writer is open: reads that wait on them must
 * not hold up the files that do not wait, and closing the file must end them without leaving a
 * thread or a read behind.
 */
class FifoContractTest {

    /** More reads than any backend has file threads (the pools have 2 to 4). */
    private static final int IDLE_READS = 8;

    @EachBackend
    void readsWaitingOnAnIdleFifoDoNotHoldUpRegularFiles(ProactorFixture fixture) throws Exception {
        Proactor p = fixture.proactor();
        Path fifo = fixture.fifo("idle.fifo");
        Path regular = fixture.tempDir().resolve("regular.bin");
        TestFiles.writeRandom(regular, 4096, 7);
        byte[] data = java.nio.file.Files.readAllBytes(regular);
        // READ+WRITE: the open never waits for a writer, and reads wait for data instead of seeing EOF.
        AsyncFile pipe = Ops.result(p.openFile(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
        List<Operation<Integer>> waiting = new ArrayList<>();
        for (int i = 0; i < IDLE_READS; i++) {
            waiting.add(pipe.read(0, ByteBuffer.allocate(16)));
        }
        // Initiated after the FIFO's reads, so they reach the backend after them.
        AsyncFile f = Ops.result(p.openFile(regular, StandardOpenOption.READ));
        ByteBuffer got = ByteBuffer.allocate(4096);
        assertThat(Ops.result(f.read(0, got))).isEqualTo(4096);
        assertThat(got.flip()).isEqualTo(ByteBuffer.wrap(data));
        assertThat(Ops.result(f.stat()).size()).isEqualTo(4096);
        Ops.result(f.closeAsync());
        assertThat(waiting).as("the FIFO's reads, with no data written").noneMatch(Operation::isDone);

        Ops.result(pipe.closeAsync());
        for (Operation<Integer> r : waiting) {
            assertThat(r.state()).as("read %d ended by its file's close", r.id()).isEqualTo(OperationState.CANCELLED);
        }
        assertThat(ResourceSnapshot.openFds().values()).as("descriptors after the close").doesNotContain(fifo.toString());
        // The fixture checks threads, descriptors, leases and the ledger once the proactor closed.
    }

    @EachBackend
    void closingAFifoEndsAReadThatFoundNoDataAndLeavesNoReadToTakeLaterData(ProactorFixture fixture)
            throws Exception {
        Proactor p = fixture.proactor();
        String name = fixture.nameOf(p);
        Path fifo = fixture.fifo("shared.fifo");
        AsyncFile pipe = Ops.result(p.openFile(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
        Operation<Integer> first = pipe.read(0, ByteBuffer.allocate(16));
        Operation<Integer> second = pipe.read(0, ByteBuffer.allocate(16));
        Waits.until(Duration.ofSeconds(10), () -> p.operations().stream()
                        .filter(i -> i.kind() == OperationKind.READ && i.state() == OperationState.SUBMITTED).count() == 2,
                () -> "both reads in the backend: " + p.operations());
        // One byte for two waiting reads: both may be woken, only one can have it.
        try (FileChannel writer = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
            assertThat(writer.write(ByteBuffer.wrap(new byte[] {42}))).isEqualTo(1);
        }
        Waits.until(Duration.ofSeconds(10), () -> first.isDone() || second.isDone(), () -> "neither read got the byte");
        Operation<Integer> got = first.isDone() ? first : second;
        Operation<Integer> starved = got == first ? second : first;
        assertThat(Ops.result(got)).isEqualTo(1);
        assertThat(starved.isDone()).as("the read that found no data").isFalse();

        Ops.result(pipe.closeAsync());
        assertThat(starved.state()).as("the starved read, once its file's close completed")
                .isEqualTo(OperationState.CANCELLED);
        assertThat(ResourceSnapshot.openFds().values()).as("descriptors after the close").doesNotContain(fifo.toString());
        // No thread of the proactor is left inside a read of the FIFO: every helper thread is idle.
        Waits.until(Duration.ofSeconds(10), () -> ResourceSnapshot.threadsNamed(name + "-").stream()
                        .filter(t -> !t.getName().endsWith("-dispatcher") && !t.getName().contains("-worker-"))
                        .allMatch(t -> t.getState() != Thread.State.RUNNABLE),
                () -> "threads still in a call: " + ResourceSnapshot.threadsNamed(name + "-").stream()
                        .map(t -> t.getName() + " " + t.getState()).toList());

        // A later reader of the same FIFO gets everything written after the close.
        AsyncFile again = Ops.result(p.openFile(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
        byte[] message = "all of this arrives".getBytes(StandardCharsets.US_ASCII);
        try (FileChannel writer = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
            assertThat(writer.write(ByteBuffer.wrap(message))).isEqualTo(message.length);
        }
        ByteBuffer into = ByteBuffer.allocate(message.length);
        while (into.hasRemaining()) {
            assertThat(Ops.result(again.read(0, into))).as("read of the later reader").isPositive();
        }
        assertThat(new String(into.array(), StandardCharsets.US_ASCII)).isEqualTo("all of this arrives");
        Ops.result(again.closeAsync());
    }
}
