package io.fleetgate.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.proto.DeviceTarget;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SweepConfigBuilderTest {

    private final SweepDefaults defaults = new SweepDefaults(List.of("icmp", "tcp"), 300, List.of(22, 443), 256, 2000, 1000, 3_000_000);
    private final UUID netbox = UUID.randomUUID();
    private final UUID armis = UUID.randomUUID();
    private final UUID canonical = UUID.randomUUID();

    private SweepInput.Device device(String id, String type, UUID source, List<String> ips, List<Integer> ports, List<Integer> rawPorts) {
        return new SweepInput.Device(id, type, source, canonical, ips, ports, rawPorts, "host-" + id, "server", "Dell", "R640");
    }

    private Map<UUID, SweepInput.Source> sources(SweepInput.Source... sources) {
        Map<UUID, SweepInput.Source> map = new HashMap<>();
        for (SweepInput.Source source : sources) {
            map.put(source.id(), source);
        }
        return map;
    }

    private SweepInput.Source plain(UUID id) {
        return new SweepInput.Source(id, List.of(), List.of(), null, null, null, null);
    }

    @Test
    void portsComeFromTheFirstNonEmptyOfDeviceRawSourceAndGateway() {
        var sources = sources(new SweepInput.Source(netbox, List.of(8443), List.of(), null, null, null, null), plain(armis));
        var built = SweepConfigBuilder.build(List.of(
                device("own", "netbox", netbox, List.of("127.0.0.1"), List.of(3306), List.of(80)),
                device("raw", "netbox", netbox, List.of("127.0.0.2"), List.of(), List.of(80)),
                device("source", "netbox", netbox, List.of("127.0.0.3"), List.of(), List.of()),
                device("gateway", "armis", armis, List.of("127.0.0.4"), List.of(), List.of())), sources, defaults);
        assertThat(built.sweep().getDeviceTargetsList()).extracting(DeviceTarget::getPortsList)
                .containsExactly(List.of(3306), List.of(80), List.of(8443), List.of(22, 443));
    }

    @Test
    void anIpReportedByTwoSourcesIsOneTargetWithTheUnionOfPorts() {
        var built = SweepConfigBuilder.build(List.of(
                device("nb-1", "netbox", netbox, List.of("127.0.0.9"), List.of(22), List.of()),
                device("ar-7", "armis", armis, List.of("127.0.0.9", "127.0.0.10"), List.of(161, 22), List.of())),
                sources(plain(netbox), plain(armis)), defaults);
        assertThat(built.sweep().getDeviceTargetsList()).hasSize(2);
        DeviceTarget shared = built.sweep().getDeviceTargets(0);
        assertThat(shared.getIp()).isEqualTo("127.0.0.9");
        assertThat(shared.getPortsList()).containsExactly(22, 161);
        assertThat(shared.getSource()).isEqualTo("armis,netbox");
        assertThat(shared.getDeviceId()).isEqualTo(canonical.toString());
        assertThat(shared.getMetadataMap()).containsEntry("manufacturer", "Dell");
        assertThat(built.sweep().getNetworksList()).containsExactly("127.0.0.9/32", "127.0.0.10/32");
    }

    @Test
    void networksAreTheMinimalCoverOrWidenedToTheSourcesPrefix() {
        List<SweepInput.Device> devices = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            devices.add(device("d" + i, "netbox", netbox, List.of("127.0.1." + (4 + i)), List.of(), List.of()));
        }
        devices.add(device("v6", "netbox", netbox, List.of("2001:db8::1"), List.of(), List.of()));
        assertThat(SweepConfigBuilder.build(devices, sources(plain(netbox)), defaults).sweep().getNetworksList())
                .containsExactly("127.0.1.4/30", "2001:db8::1/128");
        var widened = sources(new SweepInput.Source(netbox, List.of(), List.of(), 24, null, null, null));
        assertThat(SweepConfigBuilder.build(devices, widened, defaults).sweep().getNetworksList())
                .containsExactly("127.0.1.0/24", "2001:db8::/120");
    }

    @Test
    void modesIntervalConcurrencyAndTimeoutFollowTheSources() {
        var sources = sources(new SweepInput.Source(netbox, List.of(), List.of("icmp"), null, 60, 32, 500),
                new SweepInput.Source(armis, List.of(), List.of(), null, 120, 64, 3000));
        var built = SweepConfigBuilder.build(List.of(
                device("nb", "netbox", netbox, List.of("127.0.2.1"), List.of(), List.of()),
                device("ar", "armis", armis, List.of("127.0.2.2"), List.of(), List.of())), sources, defaults).sweep();
        assertThat(built.getSweepModesList()).containsExactly("icmp", "tcp");
        assertThat(built.getDeviceTargets(0).getSweepModesList()).containsExactly("icmp");
        assertThat(built.getDeviceTargets(1).getSweepModesList()).isEmpty(); // the config's modes
        assertThat(built.getSweepIntervalSec()).isEqualTo(60);
        assertThat(built.getConcurrency()).isEqualTo(32);
        assertThat(built.getTimeoutMs()).isEqualTo(3000);
        assertThat(built.getPortsList()).containsExactly(22, 443);
    }

    @Test
    void theVersionIsTheContentsAndIgnoresRowOrder() {
        List<SweepInput.Device> devices = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            devices.add(device("d" + i, i % 2 == 0 ? "netbox" : "armis", i % 2 == 0 ? netbox : armis,
                    List.of("127.0.3." + i, "127.0.4." + (i % 7)), List.of(i + 1), List.of()));
        }
        var sources = sources(plain(netbox), plain(armis));
        String version = SweepConfigBuilder.build(devices, sources, defaults).version();
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            Collections.shuffle(devices, random);
            var built = SweepConfigBuilder.build(devices, sources, defaults);
            assertThat(built.version()).isEqualTo(version).isEqualTo(built.sweep().getConfigHash());
        }
        devices.set(0, device("changed", "netbox", netbox, List.of("127.0.9.9"), List.of(), List.of()));
        assertThat(SweepConfigBuilder.build(devices, sources, defaults).version()).isNotEqualTo(version);
    }

    @Test
    void anAgentWithoutDevicesGetsTheStaticSettingsOnly() {
        var built = SweepConfigBuilder.build(List.of(), Map.of(), defaults).sweep();
        assertThat(built.getDeviceTargetsCount()).isZero();
        assertThat(built.getNetworksCount()).isZero();
        assertThat(built.getSweepModesList()).containsExactly("icmp", "tcp");
        assertThat(built.getSweepIntervalSec()).isEqualTo(300);
        assertThat(built.getTruncated()).isFalse();
    }

    @Test
    void beyondTheBoundsTargetsAreCutDeterministicallyInIpOrder() {
        List<SweepInput.Device> devices = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            devices.add(device("d" + i, "netbox", netbox, List.of(io.fleetgate.net.IpAddress.v4(0x7f000000L + i + 1).toString()),
                    List.of(), List.of()));
        }
        var byCount = SweepConfigBuilder.build(devices, sources(plain(netbox)), defaults);
        assertThat(byCount.truncated()).isTrue();
        assertThat(byCount.targetsBeforeCut()).isEqualTo(3000);
        assertThat(byCount.sweep().getDeviceTargetsCount()).isEqualTo(1000);
        assertThat(byCount.sweep().getDeviceTargets(999).getIp()).isEqualTo("127.0.3.232");

        var small = new SweepDefaults(List.of("icmp", "tcp"), 300, List.of(22, 443), 256, 2000, 100_000, 20_000);
        var bySize = SweepConfigBuilder.build(devices, sources(plain(netbox)), small);
        Collections.reverse(devices);
        var again = SweepConfigBuilder.build(devices, sources(plain(netbox)), small);
        assertThat(bySize.sweep().getSerializedSize()).isLessThanOrEqualTo(20_000);
        assertThat(bySize.truncated()).isTrue();
        assertThat(again.version()).isEqualTo(bySize.version());
        // one more target would not have fitted
        assertThat(bySize.sweep().getDeviceTargetsCount()).isBetween(1, 2999);
        assertThat(bySize.sweep().getNetworksList()).as("networks cover only the targets kept").hasSizeLessThan(20);
    }
}
