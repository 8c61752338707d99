package io.fleetgate.client.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetgate.proto.DeviceTarget;
import io.fleetgate.proto.SweepConfig;
import io.fleetgate.sweepjson.SweepPlan;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class AgentLimitsTest {

    @Property
    void aPlanIsRefusedExactlyWhenItHasMoreTargetsThanTheLimit(@ForAll @IntRange(min = 0, max = 40) int targets,
                                                               @ForAll @IntRange(min = 1, max = 40) int limit) {
        SweepConfig.Builder sweep = SweepConfig.newBuilder().addSweepModes("icmp");
        for (int i = 0; i < targets; i++) {
            sweep.addDeviceTargets(DeviceTarget.newBuilder().setIp("127.6.0." + (i + 1)));
        }
        var refusal = new AgentLimits(limit).refusal(SweepPlan.fromGetConfig("v", sweep.build()));
        assertThat(refusal.isPresent()).isEqualTo(targets > limit);
    }

    @Test
    void everyModeTheProbesKnowIsAcceptedAndNoOther() {
        SweepConfig known = SweepConfig.newBuilder().addAllSweepModes(AgentLimits.MODES)
                .addDeviceTargets(DeviceTarget.newBuilder().setIp("127.6.0.1").addSweepModes("tcp_connect")).build();
        assertThat(new AgentLimits(10).refusal(SweepPlan.fromGetConfig("v", known))).isEmpty();
        assertThat(new AgentLimits(10).refusal(SweepPlan.fromGetConfig("v", known.toBuilder().addSweepModes("ICMP").build())))
                .hasValueSatisfying(reason -> assertThat(reason).contains("'ICMP'"));
        assertThatThrownBy(() -> new AgentLimits(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
