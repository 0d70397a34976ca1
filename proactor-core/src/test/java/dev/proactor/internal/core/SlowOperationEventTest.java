package dev.proactor.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Operations slower than the threshold, and only those, become {@code dev.proactor.SlowOperation} events. */
class SlowOperationEventTest {
    @TempDir
    Path dir;

    @Test
    void slowOperationsAreRecordedWithTheirKindAndLatency() throws Exception {
        Path file = dir.resolve("rec.jfr");
        ProactorConfig config = ProactorConfig.builder().name("jfr").slowOperationThreshold(Duration.ofMillis(20)).build();
        try (Recording recording = new Recording()) {
            recording.enable("dev.proactor.SlowOperation");
            recording.start();
            try (Proactor p = Proactor.open(config)) {
                p.timer(Duration.ofMillis(40)).await();
                for (int i = 0; i < 10; i++) {
                    p.nop().await();
                }
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.proactor.SlowOperation"))
                .toList();
        assertThat(events).hasSize(1);
        RecordedEvent e = events.get(0);
        assertThat(e.getString("kind")).isEqualTo("TIMER");
        assertThat(e.getString("outcome")).isEqualTo("COMPLETED");
        assertThat(e.getString("proactor")).isEqualTo("jfr");
        assertThat(e.getLong("latency")).isGreaterThanOrEqualTo(Duration.ofMillis(40).toNanos());
    }
}
