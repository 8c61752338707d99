package io.fleetgate.availability;

import static io.fleetgate.availability.DeviceAvailability.Availability.AVAILABLE;
import static io.fleetgate.availability.DeviceAvailability.Availability.UNAVAILABLE;
import static io.fleetgate.availability.DeviceAvailability.Availability.UNKNOWN;
import static io.fleetgate.availability.DeviceAvailability.Rule.ALL;
import static io.fleetgate.availability.DeviceAvailability.Rule.ANY;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.availability.DeviceAvailability.Seen;
import io.fleetgate.availability.FlapDamping.State;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceAvailabilityTest {

    @Test
    void neverSweptOrUndecidedIsUnknown() {
        assertThat(DeviceAvailability.of(List.of(), ANY)).isEqualTo(UNKNOWN);
        assertThat(DeviceAvailability.of(List.of(new Seen("a", State.UNKNOWN)), ALL)).isEqualTo(UNKNOWN);
    }

    @Test
    void twoAgentsThatDisagreeKeepTheirViewsAndTheRuleDecides() {
        // the GH-2381 case: one agent sees the device up, the other down; neither overwrites the other
        List<Seen> seen = List.of(new Seen("site-a", State.UP), new Seen("site-b", State.DOWN));
        assertThat(DeviceAvailability.of(seen, ANY)).isEqualTo(AVAILABLE);
        assertThat(DeviceAvailability.of(seen, ALL)).isEqualTo(UNAVAILABLE);
    }

    @Test
    void anAgentSeesTheDeviceUpWhenAnyOfItsIpsIsUp() {
        List<Seen> seen = List.of(new Seen("a", State.DOWN), new Seen("a", State.UP), new Seen("b", State.UP));
        assertThat(DeviceAvailability.of(seen, ALL)).isEqualTo(AVAILABLE);
        assertThat(DeviceAvailability.of(List.of(new Seen("a", State.DOWN), new Seen("a", State.DOWN)), ANY)).isEqualTo(UNAVAILABLE);
    }

    @Test
    void anAgentThatHasDecidedNothingYetHasNoVote() {
        List<Seen> seen = List.of(new Seen("a", State.UP), new Seen("b", State.UNKNOWN));
        assertThat(DeviceAvailability.of(seen, ALL)).isEqualTo(AVAILABLE);
    }
}
