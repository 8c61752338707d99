package io.fleetgate.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;

/** The same device seen by two sources (netbox and faker) of one tenant: merges and non-merges, end to end. */
class CrossSourceIdentityTest extends GatewayTest {

    private UUID tenant;
    private Onboarded sync;
    private UUID netbox;
    private UUID faker;
    private long seq;

    @BeforeEach
    void twoSources() {
        tenant = createTenant("identity");
        sync = onboardSyncService(tenant);
        netbox = createSource(tenant, sync.id(), Map.of("source_type", "netbox", "endpoint", "https://netbox.example"));
        faker = createSource(tenant, sync.id(), Map.of());
    }

    private void report(UUID source, String type, DiscoveredDevice.Builder... devices) {
        SyncDevicesRequest.Builder batch = SyncDevicesRequest.newBuilder().setBatchSeq(++seq).setIntegrationSourceId(source.toString());
        for (DiscoveredDevice.Builder device : devices) {
            batch.addDevices(device.setSourceType(type));
        }
        var response = GrpcClients.reactor(channel(), sync.credential()).syncDevices(Flux.just(batch.build()))
                .blockLast(Duration.ofSeconds(30));
        assertThat(response.getDevicesRejected()).isZero();
    }

    private static DiscoveredDevice.Builder device(String id, List<String> ips, List<String> macs) {
        return DiscoveredDevice.newBuilder().setDeviceId(id).addAllIpAddresses(ips).addAllMacAddresses(macs);
    }

    private Object canonical(String deviceId) {
        return queryValue("SELECT canonical_device_id FROM discovered_devices WHERE tenant_id = ? AND device_id = ?", tenant, deviceId);
    }

    private Object merge(String deviceId, String column) {
        return queryValue("SELECT m." + column + " FROM device_merges m JOIN discovered_devices d ON d.id = m.discovered_device_id"
                + " WHERE d.tenant_id = ? AND d.device_id = ? ORDER BY m.id DESC LIMIT 1", tenant, deviceId);
    }

    private Object ipHolder(String ip) {
        return queryValue("SELECT canonical_device_id FROM device_identifiers WHERE tenant_id = ? AND kind = 'ip' AND value = ?", tenant, ip);
    }

    @Test
    void aSharedUsableMacMakesOneDeviceAndTheMergeIsRecorded() {
        report(netbox, "netbox", device("nb-1", List.of("127.1.0.1"), List.of("00:1A:2B:00:00:01")));
        report(faker, "faker", device("fk-1", List.of("127.1.0.2"), List.of("00-1a-2b-00-00-01")));
        assertThat(canonical("fk-1")).isEqualTo(canonical("nb-1"));
        assertThat(merge("fk-1", "reason")).isEqualTo("mac");
        assertThat(merge("fk-1", "key")).isEqualTo("00:1a:2b:00:00:01");
    }

    @ParameterizedTest
    @ValueSource(strings = {"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:fb", "02:42:ac:11:00:02",
            "00:00:5e:00:01:07", "00:00:0c:07:ac:01"})
    void anUnusableMacNeverMerges(String mac) {
        report(netbox, "netbox", device("nb-u", List.of("127.1.1.1"), List.of(mac)));
        report(faker, "faker", device("fk-u", List.of("127.1.1.2"), List.of(mac)));
        assertThat(canonical("fk-u")).isNotEqualTo(canonical("nb-u"));
        assertThat(merge("fk-u", "reason")).isNull();
    }

    @Test
    void devicesWithoutUsableMacsMergeByIp() {
        report(netbox, "netbox", device("nb-ip", List.of("127.1.2.1"), List.of()));
        report(faker, "faker", device("fk-ip", List.of("127.1.2.1", "127.1.2.9"), List.of("02:00:00:00:00:09")));
        assertThat(canonical("fk-ip")).isEqualTo(canonical("nb-ip"));
        assertThat(merge("fk-ip", "reason")).isEqualTo("ip");
        assertThat(merge("fk-ip", "key")).isEqualTo("127.1.2.1");
    }

    @Test
    void differentUsableMacsNeverMergeAndTheIpMovesToTheNewerDevice() {
        report(netbox, "netbox", device("nb-old", List.of("127.1.3.1"), List.of("00:1a:2b:00:00:aa")));
        Object older = canonical("nb-old");
        assertThat(ipHolder("127.1.3.1")).isEqualTo(older);

        clock.advance(Duration.ofMinutes(1));
        report(faker, "faker", device("fk-new", List.of("127.1.3.1"), List.of("00:1a:2b:00:00:bb")));
        Object newer = canonical("fk-new");
        assertThat(newer).isNotEqualTo(older);
        assertThat(ipHolder("127.1.3.1")).isEqualTo(newer);
        assertThat(merge("fk-new", "reason")).isEqualTo("ip_moved");
        assertThat(merge("fk-new", "previous_canonical_device_id")).isEqualTo(older);

        // the older device reported again does not take the IP back
        clock.advance(Duration.ofMinutes(1));
        report(netbox, "netbox", device("nb-old", List.of("127.1.3.1"), List.of("00:1a:2b:00:00:aa")));
        assertThat(ipHolder("127.1.3.1")).isEqualTo(newer);
        assertThat(canonical("nb-old")).isEqualTo(older);
    }

    @Test
    void firstSyncsOfTwoSourcesRacingOnTheSameMacsEndAsOneDeviceEach() {
        // both streams send only new devices with unknown MACs (identity's lock-free path) at the same time:
        // whichever commits second loses the race on the MAC's identifier, starts over and merges
        int batches = 4;
        int perBatch = 50;
        Flux<SyncDevicesRequest> netboxBatches = Flux.range(0, batches).map(b -> racingBatch(netbox, "netbox", "nb-r", b, perBatch));
        Flux<SyncDevicesRequest> fakerBatches = Flux.range(0, batches).map(b -> racingBatch(faker, "faker", "fk-r", b, perBatch));
        Flux.merge(GrpcClients.reactor(channel(), sync.credential()).syncDevices(netboxBatches),
                        GrpcClients.reactor(channel(), sync.credential()).syncDevices(fakerBatches))
                .doOnNext(response -> assertThat(response.getDevicesRejected()).isZero())
                .blockLast(Duration.ofSeconds(60));

        int devices = batches * perBatch;
        Object separate = queryValue("""
                SELECT count(*) FROM discovered_devices n JOIN discovered_devices f
                    ON f.tenant_id = n.tenant_id AND f.device_id = 'fk-r' || substr(n.device_id, 5)
                 WHERE n.tenant_id = ? AND n.device_id LIKE 'nb-r%' AND f.canonical_device_id <> n.canonical_device_id""", tenant);
        assertThat(((Number) separate).longValue()).isZero();
        assertThat(((Number) queryValue("SELECT count(DISTINCT canonical_device_id) FROM discovered_devices WHERE tenant_id = ?", tenant))
                .longValue()).isEqualTo(devices);
        assertThat(((Number) queryValue("SELECT count(*) FROM device_identifiers WHERE tenant_id = ? AND kind = 'mac'", tenant))
                .longValue()).isEqualTo(devices);
        assertThat(((Number) queryValue("SELECT count(*) FROM device_merges WHERE tenant_id = ? AND reason = 'mac'", tenant))
                .longValue()).isEqualTo(devices);
    }

    @Test
    void aSecondSourcesFirstSyncMergesBatchAfterBatchAndStillCreatesWhatIsNew() {
        report(netbox, "netbox", device("nb-s1", List.of("127.1.5.1"), List.of("00:1a:2b:00:05:01")),
                device("nb-s2", List.of("127.1.5.2"), List.of("00:1a:2b:00:05:02")));
        // new devices of faker whose MACs netbox holds: the guess that nothing is known fails, batch after batch
        report(faker, "faker", device("fk-s1", List.of("127.1.5.11"), List.of("00:1a:2b:00:05:01")));
        report(faker, "faker", device("fk-s2", List.of("127.1.5.12"), List.of("00:1a:2b:00:05:02")));
        // then devices nobody has seen: their own canonical devices
        report(faker, "faker", device("fk-s3", List.of("127.1.5.13"), List.of("00:1a:2b:00:05:03")));
        report(faker, "faker", device("fk-s4", List.of("127.1.5.14"), List.of("00:1a:2b:00:05:04")));

        assertThat(canonical("fk-s1")).isEqualTo(canonical("nb-s1"));
        assertThat(canonical("fk-s2")).isEqualTo(canonical("nb-s2"));
        assertThat(List.of(canonical("fk-s3"), canonical("fk-s4"))).doesNotContain(canonical("nb-s1"), canonical("nb-s2"));
        assertThat(canonical("fk-s3")).isNotEqualTo(canonical("fk-s4"));
        assertThat(merge("fk-s3", "reason")).isNull();
    }

    /** Device i of either source has MAC i and an IP of its own. */
    private SyncDevicesRequest racingBatch(UUID source, String type, String prefix, int batch, int perBatch) {
        SyncDevicesRequest.Builder request = SyncDevicesRequest.newBuilder().setBatchSeq(batch + 1).setIntegrationSourceId(source.toString());
        for (int i = batch * perBatch; i < (batch + 1) * perBatch; i++) {
            int ipByte = "netbox".equals(type) ? 1 : 2;
            request.addDevices(device(prefix + i, List.of("127.2." + ipByte + "." + i), List.of(String.format("00:1a:2b:01:%02x:%02x", i / 256, i % 256)))
                    .setSourceType(type));
        }
        return request.build();
    }

    @Test
    void identityIsPerTenant() {
        UUID otherTenant = createTenant("identity-other");
        Onboarded otherSync = onboardSyncService(otherTenant);
        UUID otherSource = createSource(otherTenant, otherSync.id(), Map.of());
        report(faker, "faker", device("t1", List.of("127.1.4.1"), List.of("00:1a:2b:00:00:cc")));
        GrpcClients.reactor(channel(), otherSync.credential()).syncDevices(Flux.just(SyncDevicesRequest.newBuilder().setBatchSeq(1)
                        .setIntegrationSourceId(otherSource.toString())
                        .addDevices(device("t2", List.of("127.1.4.1"), List.of("00:1a:2b:00:00:cc")).setSourceType("faker")).build()))
                .blockLast(Duration.ofSeconds(30));
        Object other = queryValue("SELECT canonical_device_id FROM discovered_devices WHERE tenant_id = ? AND device_id = 't2'", otherTenant);
        assertThat(other).isNotNull().isNotEqualTo(canonical("t1"));
    }
}
