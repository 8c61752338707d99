package io.fleetgate.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.changes.Change;
import io.fleetgate.identity.IdentityResolver;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class SweepImpactTest {

    private static final UUID TENANT = UUID.randomUUID();
    private static final UUID CANONICAL = UUID.randomUUID();
    private static final SourceInfo SOURCE = new SourceInfo(UUID.randomUUID(), TENANT, "netbox", UUID.randomUUID(), "default", "source-agent");
    private static final SourceInfo WITHOUT_DEFAULT = new SourceInfo(UUID.randomUUID(), TENANT, "netbox", UUID.randomUUID(), "default", null);

    @Test
    void aNewDeviceChangesItsAgentsConfigOrElseTheSourcesDefaultAgents() {
        assertThat(impact(SOURCE, device("d1", "agent-a", 22), null)).contains(agents("agent-a"));
        assertThat(impact(SOURCE, device("d1", null, 22), null)).contains(agents("source-agent"));
        assertThat(impact(WITHOUT_DEFAULT, device("d1", null, 22), null)).as("nobody sweeps it").isEmpty();
    }

    @Test
    void aReSyncOfAnUnchangedDeviceChangesNothing() {
        ValidDevice device = device("d1", "agent-a", 22);
        assertThat(impact(SOURCE, device, stored(device, "agent-a", CANONICAL))).isEmpty();
    }

    @Test
    void aDeviceThatMovedToAnotherAgentChangesBothConfigs() {
        ValidDevice device = device("d1", "agent-b", 22);
        assertThat(impact(SOURCE, device, stored(device, "agent-a", CANONICAL))).contains(agents("agent-a", "agent-b"));
    }

    @Test
    void aNewPortOrANewCanonicalDeviceChangesTheConfig() {
        ValidDevice before = device("d1", "agent-a", 22);
        assertThat(impact(SOURCE, device("d1", "agent-a", 22, 443), stored(before, "agent-a", CANONICAL))).contains(agents("agent-a"));
        assertThat(impact(SOURCE, before, stored(before, "agent-a", UUID.randomUUID()))).as("merged into another device")
                .contains(agents("agent-a"));
    }

    @Test
    void anIpTakenFromAnotherDeviceChangesTheWholeTenant() {
        ValidDevice device = device("d1", "agent-a", 22);
        var rows = Map.of("d1", new DeviceRepository.StoredRow("d1", CANONICAL, Instant.EPOCH, true, null));
        var resolution = new IdentityResolver.Resolution(Map.of("d1", CANONICAL), List.of(), List.of(), Set.of(UUID.randomUUID()), List.of());
        assertThat(SweepImpact.of(SOURCE, List.of(device), rows, resolution)).contains(new Change.TenantChanged(TENANT));
    }

    private static Optional<Change> impact(SourceInfo source, ValidDevice device, @Nullable ExistingDevice previous) {
        var rows = Map.of(device.deviceId(), new DeviceRepository.StoredRow(device.deviceId(), CANONICAL, Instant.EPOCH, previous == null, previous));
        var resolution = IdentityResolver.Resolution.kept(Map.of(device.deviceId(), CANONICAL));
        return SweepImpact.of(source, List.of(device), rows, resolution);
    }

    private static Change agents(String... agents) {
        return new Change.AgentsChanged(TENANT, List.of(agents));
    }

    private static ValidDevice device(String id, @Nullable String agent, Integer... ports) {
        return new ValidDevice(id, "netbox", List.of("127.3.0.1"), List.of(), List.of(), "host-" + id, null, null, null,
                List.of(ports), "{}", List.of(), agent);
    }

    private static ExistingDevice stored(ValidDevice device, String agent, UUID canonical) {
        return new ExistingDevice(device.deviceId(), "default", canonical, agent, device.ips(), device.macs(), device.ports(),
                device.rawPorts(), device.hostname());
    }
}
