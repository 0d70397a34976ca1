package dev.proactor.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The test switch {@value UringBackend#CQ_ENTRIES_PROPERTY}: a bad value is a clear error, never a silent other size. */
class UringCompletionQueueSwitchTest {

    @Test
    void unsetMeansTheUsualSizing() {
        assertThat(UringBackend.exactCompletionQueue(null, 4)).isZero();
        assertThat(UringBackend.exactCompletionQueue(" ", 4)).isZero();
    }

    @Test
    void aPowerOfTwoAtLeastTheSubmissionQueueIsTaken() {
        assertThat(UringBackend.exactCompletionQueue("4", 4)).isEqualTo(4);
        assertThat(UringBackend.exactCompletionQueue(" 8 ", 4)).isEqualTo(8);
        assertThat(UringBackend.exactCompletionQueue("65536", 256)).isEqualTo(65536);
    }

    @Test
    void badValuesAreRefusedByName() {
        assertThatThrownBy(() -> UringBackend.exactCompletionQueue("six", 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(UringBackend.CQ_ENTRIES_PROPERTY);
        assertThatThrownBy(() -> UringBackend.exactCompletionQueue("6", 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
        // The kernel rounds a submission queue of 5 up to 8 and refuses a smaller completion queue.
        assertThatThrownBy(() -> UringBackend.exactCompletionQueue("4", 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[8, 65536]");
        assertThatThrownBy(() -> UringBackend.exactCompletionQueue("131072", 4))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
