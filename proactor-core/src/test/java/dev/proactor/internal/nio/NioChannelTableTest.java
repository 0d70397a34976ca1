package dev.proactor.internal.nio;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NioChannelTableTest {
    private static ChannelTable.OpenFile file(String name) {
        return new ChannelTable.OpenFile(null, null, Path.of(name));
    }

    @Test
    void handlesArePositiveAndStaleOnesAreRefused() {
        ChannelTable t = new ChannelTable();
        ChannelTable.OpenFile a = file("a");
        int ha = t.add(a);
        assertThat(ha).isPositive();
        assertThat(t.get(ha)).isSameAs(a);
        assertThat(t.remove(ha)).isSameAs(a);
        assertThat(t.get(ha)).isNull();
        assertThat(t.remove(ha)).isNull();

        ChannelTable.OpenFile b = file("b");
        int hb = t.add(b);
        assertThat(hb & (ChannelTable.MAX_SLOTS - 1)).as("slot reused").isEqualTo(ha & (ChannelTable.MAX_SLOTS - 1));
        assertThat(hb).as("with a new generation").isNotEqualTo(ha);
        assertThat(t.get(ha)).isNull();
        assertThat(t.get(hb)).isSameAs(b);
        assertThat(t.get(0)).isNull();
        assertThat(t.get(-1)).isNull();
        assertThat(t.get(Integer.MAX_VALUE)).isNull();
    }

    @Test
    void generationsWrapWithoutGoingNegativeOrZero() {
        ChannelTable t = new ChannelTable();
        int previous = 0;
        for (int i = 0; i < 5000; i++) {
            int h = t.add(file("x"));
            assertThat(h).isPositive().isNotEqualTo(previous);
            t.remove(h);
            previous = h;
        }
    }

    @Test
    void growsAndEmpties() {
        ChannelTable t = new ChannelTable();
        int[] hs = new int[100];
        for (int i = 0; i < hs.length; i++) {
            hs[i] = t.add(file("f" + i));
        }
        assertThat(t.size()).isEqualTo(100);
        assertThat(((ChannelTable.OpenFile) t.get(hs[57])).path).isEqualTo(Path.of("f57"));
        assertThat(t.removeAll()).hasSize(100);
        assertThat(t.size()).isZero();
        assertThat(t.get(hs[3])).isNull();
    }
}
