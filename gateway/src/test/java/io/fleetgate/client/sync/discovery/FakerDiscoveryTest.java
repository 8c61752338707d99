package io.fleetgate.client.sync.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.identity.MacAddresses;
import io.fleetgate.net.Cidr;
import io.fleetgate.net.IpAddress;
import io.fleetgate.proto.DiscoveredDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FakerDiscoveryTest {

    private static List<DiscoveredDevice> devices(Map<String, String> settings, int run) {
        Inventory inventory = new FakerDiscovery(settings).discover(run).block();
        List<DiscoveredDevice> devices = new ArrayList<>();
        for (int i = 0; i < inventory.size(); i++) {
            devices.add(inventory.get(i));
        }
        return devices;
    }

    @Test
    void theSameSeedGivesTheSameInventoryWithinTheNetworks() {
        Map<String, String> settings = Map.of("count", "200", "seed", "42", "networks", "127.20.0.0/20,127.21.0.0/24");
        List<DiscoveredDevice> first = devices(settings, 0);
        assertThat(first).hasSize(200).isEqualTo(devices(settings, 0));
        assertThat(first).isNotEqualTo(devices(Map.of("count", "200", "seed", "43", "networks", "127.20.0.0/20"), 0));
        List<Cidr> networks = List.of(Cidr.parse("127.20.0.0/20"), Cidr.parse("127.21.0.0/24"));
        for (DiscoveredDevice device : first) {
            assertThat(device.getIpAddressesCount()).isBetween(1, 3);
            assertThat(device.getMacAddressesCount()).isBetween(1, 2);
            device.getIpAddressesList().forEach(ip -> assertThat(networks.stream().anyMatch(n -> n.contains(IpAddress.parse(ip)))).isTrue());
            device.getMacAddressesList().forEach(mac -> assertThat(MacAddresses.usable(MacAddresses.normalize(mac))).isTrue());
            assertThat(device.getRawData().toStringUtf8()).startsWith("{").contains("\"serial\"");
            assertThat(device.getPortsList()).isEmpty();
        }
        assertThat(first.stream().map(DiscoveredDevice::getDeviceId).distinct()).hasSize(200);
    }

    @Test
    void churnMovesAboutThatFractionOfDevicesToOtherIpsEachRun() {
        Map<String, String> settings = Map.of("count", "1000", "seed", "7", "networks", "127.22.0.0/16", "churn", "0.2");
        List<DiscoveredDevice> run0 = devices(settings, 0);
        List<DiscoveredDevice> run1 = devices(settings, 1);
        long moved = 0;
        for (int i = 0; i < run0.size(); i++) {
            assertThat(run1.get(i).getDeviceId()).isEqualTo(run0.get(i).getDeviceId());
            assertThat(run1.get(i).getMacAddressesList()).isEqualTo(run0.get(i).getMacAddressesList());
            if (!run1.get(i).getIpAddressesList().equals(run0.get(i).getIpAddressesList())) {
                moved++;
            }
        }
        assertThat(moved).isBetween(140L, 260L);
        assertThat(devices(Map.of("count", "1000", "seed", "7", "networks", "127.22.0.0/16"), 1))
                .isEqualTo(devices(Map.of("count", "1000", "seed", "7", "networks", "127.22.0.0/16"), 0));
    }

    @Test
    void thePortsSettingGivesEveryDeviceThosePorts() {
        assertThat(devices(Map.of("count", "3", "ports", "22,443"), 0)).allSatisfy(d -> assertThat(d.getPortsList()).containsExactly(22, 443));
    }
}
