package io.fleetgate.availability;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.Plans;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The devices holding a results group's IPs, planned by PostgreSQL on statistics taken while the
 * tenant had three identifiers and run when it has 20,000: each IP is one probe of the inet index,
 * in a generic plan as in a custom one. Before, the generic plan scanned the tenant's identifiers
 * and parsed the IP array again for each (62 % of PostgreSQL's time in the results benchmark's
 * first round).
 */
class AvailabilityPlansTest extends GatewayTest {

    @Test
    void theHoldersOfAGroupsIpsAreFoundByOneIndexProbeEachWhateverTheStatistics() throws Exception {
        UUID tenant = createTenant("availability-plans");
        try (Connection db = jdbc(); Statement statement = db.createStatement()) {
            insertIdentifiers(statement, tenant, 1, 3);
            statement.execute("ANALYZE device_identifiers");
            insertIdentifiers(statement, tenant, 4, 20_000);
        }
        for (String planMode : List.of("force_generic_plan", "force_custom_plan")) {
            JsonNode plan = explain(planMode, tenant, "{127.63.0.7,127.63.1.200,127.63.9.9}");
            assertThat(plan.path("Plan").path("Actual Rows").asLong()).as(planMode).isEqualTo(3);
            assertThat(Plans.rowsRemoved(plan.path("Plan"))).as(planMode + ": rows read and thrown away\n" + plan.toPrettyString()).isZero();
        }
    }

    /** IP identifiers 127.63.x.y of devices {@code from} to {@code to}, each with a MAC identifier too. */
    private static void insertIdentifiers(Statement statement, UUID tenant, int from, int to) throws Exception {
        statement.execute("""
                INSERT INTO device_identifiers (tenant_id, partition, kind, value, canonical_device_id, claimed_at)
                SELECT '%1$s', 'default', k.kind, CASE WHEN k.kind = 'ip' THEN '127.63.' || (i >> 8) || '.' || (i & 255)
                                                       ELSE '00:1a:2b:' || lpad(to_hex(i), 6, '0') END, gen_random_uuid(), now()
                  FROM generate_series(%2$d, %3$d) AS i, (VALUES ('ip'), ('mac')) AS k(kind)""".formatted(tenant, from, to));
    }

    /** The statement's plan as it ran (rolled back), with its parameters bound as the gateway binds them. */
    private static JsonNode explain(String planMode, UUID tenant, String ips) throws Exception {
        String sql = AvailabilityIndex.HOLDERS.replace(":ips", "$1").replace(":tenant", "$2");
        try (Connection db = jdbc()) {
            return Plans.explain(db, planMode, sql, "text, uuid", "'" + ips + "', '" + tenant + "'");
        }
    }
}
