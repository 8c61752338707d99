package io.fleetgate.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.error.GatewayException;
import io.fleetgate.source.SourceType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SourceRulesTest {

    private final UUID tenant = UUID.randomUUID();
    private final UUID sync = UUID.randomUUID();

    private SourceRequest request(String type, String endpoint, Map<String, Object> settings) {
        return new SourceRequest(tenant, " Office ", type, endpoint, sync, null, null, Map.of("token", "t"), null,
                List.of(443, 22, 443), List.of("icmp", "TCP"), null, null, settings);
    }

    @Test
    void aValidSourceIsNormalisedWithDefaults() {
        SourceSpec spec = SourceRules.validate(request("faker", null, null), true);
        assertThat(spec.name()).isEqualTo("Office");
        assertThat(spec.type()).isEqualTo(SourceType.FAKER);
        assertThat(spec.partition()).isEqualTo("default");
        assertThat(spec.pollIntervalSec()).isEqualTo(3600);
        assertThat(spec.defaultPorts()).containsExactly(22, 443);
        assertThat(spec.sweepModes()).containsExactly("icmp", "tcp");
        assertThat(spec.enabled()).isTrue();
        assertThat(spec.settings()).containsEntry("count", 100L).containsEntry("networks", List.of("127.0.0.0/8"))
                .containsEntry("churn", 0.0);
    }

    @Test
    void eachBadFieldIsNamed() {
        assertThat(field(new SourceRequest(null, "x", "faker", null, sync, null, null, null, null, null, null, null, null, null)))
                .isEqualTo("tenant_id");
        assertThat(field(request("faker", null, null).withName(""))).isEqualTo("name");
        assertThat(field(request("faker", null, null).withName("x".repeat(101)))).isEqualTo("name");
        assertThat(field(request("gopher", null, null))).isEqualTo("source_type");
        assertThat(field(request("netbox", null, null))).isEqualTo("endpoint");
        assertThat(field(request("netbox", "not a url", null))).isEqualTo("endpoint");
        assertThat(field(request("netbox", "ftp://netbox.example", null))).isEqualTo("endpoint");
        assertThat(field(request("faker", null, Map.of("count", -1)))).isEqualTo("settings.count");
        assertThat(field(request("faker", null, Map.of("networks", List.of("10.0.0.1/8"))))).isEqualTo("settings.networks");
        assertThat(field(request("faker", null, Map.of("churn", 2)))).isEqualTo("settings.churn");
        assertThat(field(request("faker", null, Map.of("cuont", 5)))).isEqualTo("settings.cuont");
        assertThat(field(request("netbox", "https://netbox.example", Map.of("tcp_ports", List.of(0))))).isEqualTo("settings.tcp_ports");
        assertThat(field(request("armis", "https://armis.example", Map.of("queries", List.of(""))))).isEqualTo("settings.queries");
        assertThat(field(new SourceRequest(tenant, "x", "faker", null, null, null, null, null, null, null, null, null, null, null)))
                .isEqualTo("sync_service_id");
        assertThat(field(new SourceRequest(tenant, "x", "faker", null, sync, "bad agent id", null, null, null, null, null, null, null, null)))
                .isEqualTo("agent_uid");
        assertThat(field(new SourceRequest(tenant, "x", "faker", null, sync, null, null, null, 1, null, null, null, null, null)))
                .isEqualTo("poll_interval_sec");
        assertThat(field(new SourceRequest(tenant, "x", "faker", null, sync, null, null, null, null, List.of(70000), null, null, null, null)))
                .isEqualTo("default_ports");
        assertThat(field(new SourceRequest(tenant, "x", "faker", null, sync, null, null, null, null, null, List.of("udp"), null, null, null)))
                .isEqualTo("sweep_modes");
        assertThat(field(new SourceRequest(tenant, "x", "faker", null, sync, null, null, null, null, null, null, 4, null, null)))
                .isEqualTo("network_prefix");
    }

    @Test
    void updatesMayLeaveTheSyncServiceAndCredentialsAsTheyAre() {
        SourceSpec spec = SourceRules.validate(new SourceRequest(tenant, "x", "faker", null, null, null, null, null, null, null,
                null, null, null, null), false);
        assertThat(spec.syncServiceId()).isNull();
        assertThat(spec.credentials()).isNull();
    }

    private static String field(SourceRequest request) {
        try {
            SourceRules.validate(request, true);
        } catch (GatewayException e) {
            assertThat(e.reason()).isEqualTo(GatewayException.Reason.INVALID_ARGUMENT);
            return e.field();
        }
        throw new AssertionError("accepted: " + request);
    }
}
