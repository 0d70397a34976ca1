package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The API's growable value types ({@link ProactorConfig}, {@link MetricsSnapshot},
 * {@link CapabilityReport}) keep what their records gave: validation at construction, copies of
 * collections, equality by value and a toString that names every value.
 */
class ValueTypesTest {

    @Test
    void aConfigRoundTripsThroughItsBuilderAndComparesByValue() {
        ProactorConfig c = ProactorConfig.builder().name("vt").backend(BackendChoice.PORTABLE).maxInFlight(7)
                .closeTimeout(Duration.ofMillis(250)).receiveBacklog(3).build();
        ProactorConfig same = c.toBuilder().build();
        assertThat(same).isEqualTo(c).hasSameHashCodeAs(c).isNotSameAs(c);
        assertThat(same.maxInFlight()).isEqualTo(7);
        assertThat(same.closeTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.toBuilder().maxInFlight(8).build()).isNotEqualTo(c);
        assertThat(c.toString()).startsWith("ProactorConfig[name=vt, backend=PORTABLE,")
                .contains("maxInFlight=7").contains("receiveBacklog=3").endsWith("]");
        assertThat(ProactorConfig.defaults()).isEqualTo(ProactorConfig.builder().build());
    }

    @Test
    void aConfigIsValidatedWhenBuilt() {
        assertThatThrownBy(() -> ProactorConfig.builder().receiveBufferCount(3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
        assertThatThrownBy(() -> ProactorConfig.builder().name(null).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> ProactorConfig.builder().closeTimeout(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    }

    @Test
    void aSnapshotCopiesItsMapsAndComparesByValue() {
        Map<OperationKind, Long> inFlight = new EnumMap<>(OperationKind.class);
        inFlight.put(OperationKind.READ, 2L);
        MetricsSnapshot s = MetricsSnapshot.builder().backend("b").inFlight(inFlight).kernelCalls(5)
                .ledger(new MetricsSnapshot.Ledger(3, 1, 0, 0)).build();
        inFlight.put(OperationKind.WRITE, 9L);
        assertThat(s.inFlight()).as("a later change to the caller's map").containsOnlyKeys(OperationKind.READ);
        assertThatThrownBy(() -> s.inFlight().put(OperationKind.NOP, 1L)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(s.ledger().outstanding()).isEqualTo(2);
        MetricsSnapshot same = MetricsSnapshot.builder().backend("b").inFlight(Map.of(OperationKind.READ, 2L))
                .kernelCalls(5).ledger(new MetricsSnapshot.Ledger(3, 1, 0, 0)).build();
        assertThat(same).isEqualTo(s).hasSameHashCodeAs(s);
        assertThat(s.toString()).contains("backend=b").contains("kernelCalls=5");
    }

    @Test
    void aReportCopiesItsListsAndRendersThem() {
        List<String> notes = new ArrayList<>(List.of("zero-copy is off"));
        CapabilityReport r = CapabilityReport.builder().backend("portable").reason("requested").os("Linux amd64")
                .kernel("6.18").java("25").operations(Map.of(OperationKind.NOP, "in the dispatcher"))
                .notes(notes).build();
        notes.add("later");
        assertThat(r.notes()).containsExactly("zero-copy is off");
        assertThat(r.ioUringUnavailableCause()).isEmpty();
        assertThat(r.toText()).contains("portable (requested)").contains("note: zero-copy is off");
        assertThat(r.toJson()).contains("\"backend\":\"portable\"").contains("\"ioUringUnavailableCause\":null");
        CapabilityReport same = CapabilityReport.builder().backend("portable").reason("requested").os("Linux amd64")
                .kernel("6.18").java("25").operations(Map.of(OperationKind.NOP, "in the dispatcher"))
                .notes(List.of("zero-copy is off")).build();
        assertThat(same).isEqualTo(r).hasSameHashCodeAs(r);
        assertThat(same.toString()).isEqualTo(r.toString()).contains("kernel=6.18");
    }
}
