package io.fleetgate.sweepjson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetgate.net.Cidr;
import io.fleetgate.proto.DeviceTarget;
import io.fleetgate.proto.SweepConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SweepFileTest {

    @Test
    void theOriginalAgentsFormatIsRead() {
        SweepPlan plan = SweepFile.parse("""
                {"networks": ["127.40.0.0/30"], "ports": [22, 80], "sweep_modes": ["icmp", "tcp"], "interval": "5m",
                 "concurrency": 50, "timeout": "1500ms",
                 "device_targets": [{"network": "127.40.1.5/32", "sweep_modes": ["icmp"], "source": "armis",
                                     "metadata": {"armis_id": "77"}}]}""", "file:test");
        assertThat(plan.networks()).containsExactly(Cidr.parse("127.40.0.0/30"));
        assertThat(plan.ports()).containsExactly(22, 80);
        assertThat(plan.modes()).containsExactly("icmp", "tcp");
        assertThat(plan.interval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(plan.concurrency()).isEqualTo(50);
        assertThat(plan.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(plan.targets()).singleElement().satisfies(target -> {
            assertThat(target.ip()).isEqualTo("127.40.1.5");
            assertThat(target.modes()).containsExactly("icmp");
            assertThat(target.source()).isEqualTo("armis");
            assertThat(target.metadata()).containsEntry("armis_id", "77");
            assertThat(target.ports()).isEmpty();
        });
    }

    @Test
    void whatTheGatewayWritesReadsBackAsTheSamePlan() {
        SweepConfig sweep = SweepConfig.newBuilder().addNetworks("127.40.2.0/31").addPorts(443).addSweepModes("tcp")
                .setSweepIntervalSec(90).setConcurrency(8).setTimeoutMs(750).setConfigHash("abc")
                .addDeviceTargets(DeviceTarget.newBuilder().setIp("127.40.2.0").addPorts(8443).setSource("faker").setDeviceId("c-1"))
                .addDeviceTargets(DeviceTarget.newBuilder().setIp("127.40.2.1").addPorts(22).addSweepModes("icmp").setSource("netbox"))
                .build();
        SweepPlan fromFile = SweepFile.parse(SweepFile.write(sweep), "kv");
        SweepPlan fromGetConfig = SweepPlan.fromGetConfig("abc", sweep);
        assertThat(fromFile.version()).isEqualTo("abc");
        assertThat(fromFile.networks()).isEqualTo(fromGetConfig.networks());
        assertThat(fromFile.ports()).isEqualTo(fromGetConfig.ports());
        assertThat(fromFile.interval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(fromFile.timeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(fromFile.targets()).extracting(SweepPlan.Target::ip, SweepPlan.Target::ports, SweepPlan.Target::modes)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("127.40.2.0", java.util.List.of(8443), java.util.List.of()),
                        org.assertj.core.groups.Tuple.tuple("127.40.2.1", java.util.List.of(22), java.util.List.of("icmp")));
    }

    @Test
    void durationsAndBadFiles() {
        assertThat(GoDurations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoDurations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(GoDurations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(GoDurations.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThatThrownBy(() -> GoDurations.parse("five minutes")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SweepFile.parse("[]", "x")).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> SweepFile.parse("{\"device_targets\":[{\"network\":\"127.0.0.0/24\"}]}", "x"))
                .hasMessageContaining("one address");
    }
}
