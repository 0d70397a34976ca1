package dev.proactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProactorGroupTest {

    @Test
    void membersHaveTheirOwnDispatchersAndNextGoesRoundRobin() throws Exception {
        ProactorConfig config = ProactorConfig.builder().name("grp").workerThreads(1).bufferCount(0).build();
        try (ProactorGroup group = ProactorGroup.open(3, config)) {
            assertThat(group.members()).hasSize(3);
            assertThat(group.members()).extracting(p -> p.config().name()).containsExactly("grp-0", "grp-1", "grp-2");
            List<Proactor> picked = List.of(group.next(), group.next(), group.next(), group.next());
            assertThat(picked.subList(0, 3)).containsExactlyInAnyOrderElementsOf(group.members());
            assertThat(picked.get(3)).isSameAs(picked.get(0));
            Set<String> dispatchers = new HashSet<>();
            for (Proactor p : group.members()) {
                p.nop().await();
                dispatchers.add(p.config().name() + "-dispatcher");
            }
            Set<String> live = new HashSet<>();
            Thread.getAllStackTraces().keySet().forEach(t -> live.add(t.getName()));
            assertThat(live).containsAll(dispatchers);
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("grp-"));
    }

    @Test
    void aBadMemberCountIsRefused() {
        ProactorConfig config = ProactorConfig.defaults();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProactorGroup.open(0, config))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("members");
    }
}
