package dev.proactor.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The ring's room: SQ slots and CQ entries promised before anything is prepared, one entry kept for the wake-up. */
class RingRoomTest {

    /** SQ slots free, as the test sets them. */
    private int sqFree = 8;

    @Test
    void theLastCompletionEntryIsKeptForTheWakeUp() {
        RingRoom room = new RingRoom(() -> sqFree, 4);
        assertThat(room.take(1, 3)).isTrue();
        // One entry is left, but only the wake-up may have it.
        assertThat(room.fits(1, 1)).isFalse();
        assertThat(room.take(1, 1)).isFalse();
        assertThat(room.promised()).isEqualTo(3);
        assertThat(room.fitsWake()).isTrue();
        room.promise(1);
        assertThat(room.fitsWake()).isFalse();
    }

    @Test
    void aSubmissionNeedsAllItsCompletionsAtOnceNotSome() {
        RingRoom room = new RingRoom(() -> sqFree, 8);
        assertThat(room.take(1, 5)).isTrue();
        // A zero-copy send and its deadline (two SQEs, three CQEs) does not fit in the two entries left.
        assertThat(room.take(2, 3)).isFalse();
        assertThat(room.promised()).isEqualTo(5);
        assertThat(room.take(2, 2)).isTrue();
        assertThat(room.promised()).isEqualTo(7);
    }

    @Test
    void reapingGivesRoomBack() {
        RingRoom room = new RingRoom(() -> sqFree, 4);
        assertThat(room.take(1, 3)).isTrue();
        assertThat(room.fits(1, 1)).isFalse();
        room.release();
        assertThat(room.promised()).isEqualTo(2);
        assertThat(room.take(1, 1)).isTrue();
    }

    @Test
    void aFullSubmissionQueueRefusesWhateverTheCompletionRoom() {
        RingRoom room = new RingRoom(() -> sqFree, 64);
        sqFree = 1;
        assertThat(room.fits(1, 1)).isTrue();
        assertThat(room.fits(2, 2)).isFalse();
        sqFree = 0;
        assertThat(room.fits(1, 1)).isFalse();
        assertThat(room.fitsWake()).isFalse();
        assertThat(room.take(1, 1)).isFalse();
        assertThat(room.promised()).isZero();
    }

    @Test
    void aQueueWithNoRoomBesideTheWakeUpIsRefused() {
        assertThatThrownBy(() -> new RingRoom(() -> sqFree, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wake-up");
    }
}
