package io.fleetgate.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class StreamSlotsTest {

    @Test
    void eachSyncServiceHasItsOwnCapAndAClosedSlotIsFreeAgain() {
        StreamSlots slots = new StreamSlots(2);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        assertThat(slots.tryOpen(a)).isTrue();
        assertThat(slots.tryOpen(a)).isTrue();
        assertThat(slots.tryOpen(a)).isFalse();
        assertThat(slots.tryOpen(b)).isTrue(); // a's streams do not count against b
        slots.close(a);
        assertThat(slots.open(a)).isEqualTo(1);
        assertThat(slots.tryOpen(a)).isTrue();
        slots.close(a);
        slots.close(a);
        slots.close(a); // one close too many leaves nothing negative behind
        assertThat(slots.open(a)).isZero();
    }
}
