package io.fleetgate.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.GatewayTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * A config's devices, planned and run by PostgreSQL on 50,000 devices that all name their agent
 * (statistics analysed, so the planner believes none is left to a source's default agent; ten are):
 * an agent reads its own devices by the agent index and reads no device on behalf of sources it is
 * not the default agent of. Before, the default-agent branch read the whole table for every
 * agent: 0.1 s a config at 500,000 devices, and a fleet's first polls timed out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SweepPlansTest extends GatewayTest {

    private static final int DEVICES = 50_000;

    @Autowired
    DatabaseClient database;

    private UUID tenant;

    @BeforeAll
    void everyDeviceNamesItsAgent() throws SQLException {
        startup.ready().block(Duration.ofSeconds(60));
        tenant = createTenant("sweep-plans");
        Onboarded sync = onboardSyncService(tenant);
        UUID source = createSource(tenant, sync.id(), Map.of("agent_uid", "agent-default"));
        try (Connection connection = jdbc(); Statement sql = connection.createStatement()) {
            sql.execute("""
                    INSERT INTO discovered_devices (id, tenant_id, integration_source_id, device_id, source_type, ip_addresses, agent_uid,
                                                    partition, canonical_device_id, first_seen_at, last_seen_at, raw_data)
                    SELECT gen_random_uuid(), '%1$s', '%2$s', 'dev-' || i, 'faker', ARRAY['127.1.' || (i >> 8) || '.' || (i & 255)],
                           'agent-' || (i %% 1000), 'default', gen_random_uuid(), now(), now(), '{}'
                      FROM generate_series(1, %3$d) AS i""".formatted(tenant, source, DEVICES));
            sql.execute("ANALYZE discovered_devices");
            // then ten devices left to the source's default agent, after the statistics
            sql.execute("""
                    INSERT INTO discovered_devices (id, tenant_id, integration_source_id, device_id, source_type, ip_addresses,
                                                    partition, canonical_device_id, first_seen_at, last_seen_at, raw_data)
                    SELECT gen_random_uuid(), '%1$s', '%2$s', 'left-' || i, 'faker', ARRAY['127.2.0.' || i], 'default', gen_random_uuid(),
                           now(), now(), '{}'
                      FROM generate_series(1, 10) AS i""".formatted(tenant, source));
        }
    }

    @Test
    void anAgentReadsItsOwnDevicesByTheAgentIndexAndNoOtherDevice() {
        String plan = explainAnalyze("agent-7");
        assertThat(plan).contains("discovered_devices_agent_canonical");
        assertThat(plan.lines().filter(line -> line.contains("Seq Scan on discovered_devices")).toList())
                .as(plan).allMatch(line -> line.contains("never executed"));
    }

    @Test
    void eachAgentGetsItsOwnDevicesAndTheDefaultAgentThoseLeftToIt() {
        assertThat(devicesOf("agent-7")).hasSize(DEVICES / 1000).contains("dev-7", "dev-1007");
        assertThat(devicesOf("agent-default")).hasSize(10).allMatch(device -> device.startsWith("left-"));
    }

    private List<String> devicesOf(String agent) {
        return database.sql(SweepRepository.DEVICES).bind("tenant", tenant).bind("agent", agent)
                .map((row, meta) -> row.get("device_id", String.class)).all().collectList().block(Duration.ofSeconds(30));
    }

    private String explainAnalyze(String agent) {
        List<String> plan = database.sql("EXPLAIN (ANALYZE, COSTS OFF) " + SweepRepository.DEVICES).bind("tenant", tenant).bind("agent", agent)
                .map((row, meta) -> row.get(0, String.class)).all().collectList().block(Duration.ofSeconds(30));
        String text = String.join("\n", plan);
        System.out.println("-- the config of " + agent + "\n" + text + "\n");
        return text;
    }
}
