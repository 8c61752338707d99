package io.fleetgate.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class SlotsTest {

    private final UUID a = UUID.randomUUID();
    private final UUID b = UUID.randomUUID();
    private final UUID c = UUID.randomUUID();

    @Test
    void eachKeyHasItsOwnCapAndAClosedSlotIsFreeAgain() {
        Slots<UUID> slots = new Slots<>(10, 2);
        assertThat(slots.tryOpen(a)).isNull();
        assertThat(slots.tryOpen(a)).isNull();
        assertThat(slots.tryOpen(a)).isEqualTo(Slots.Full.KEY);
        assertThat(slots.tryOpen(b)).isNull(); // a's streams do not count against b
        slots.close(a);
        assertThat(slots.open(a)).isEqualTo(1);
        assertThat(slots.tryOpen(a)).isNull();
        slots.close(a);
        slots.close(a);
        slots.close(a); // one close too many leaves nothing negative behind
        assertThat(slots.open(a)).isZero();
        assertThat(slots.open()).isEqualTo(1);
    }

    @Test
    void theTotalBoundsEveryServiceTogetherAndARefusalHoldsNoSlot() {
        Slots<UUID> slots = new Slots<>(3, 2);
        assertThat(slots.tryOpen(a)).isNull();
        assertThat(slots.tryOpen(a)).isNull();
        assertThat(slots.tryOpen(b)).isNull();
        assertThat(slots.tryOpen(c)).isEqualTo(Slots.Full.TOTAL);
        assertThat(slots.open(c)).isZero();
        assertThat(slots.open()).isEqualTo(3);
        slots.close(c); // never opened: frees nothing of the others
        assertThat(slots.open()).isEqualTo(3);
        slots.close(b);
        assertThat(slots.tryOpen(c)).isNull();
    }
}
