package io.fleetgate.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.Plans;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** What a change of agents' configs writes down, and what that costs in a big fleet. */
class ChangePublisherTest extends GatewayTest {

    @Autowired
    ChangePublisher publisher;

    @Test
    void marksEachNamedAgentThatExistsOnceAndIgnoresUnknownNames() throws SQLException {
        UUID tenant = createTenant("marks");
        insertAgents(tenant, List.of("agent-a", "agent-b", "agent-c"));

        Instant before = clock.instant().truncatedTo(ChronoUnit.MICROS);
        publisher.publish(new Change.AgentsChanged(tenant, List.of("agent-b", "agent-a", "agent-b", "never-registered")))
                .block(Duration.ofSeconds(10));

        Map<String, Timestamp> marked = new HashMap<>();
        try (Connection db = jdbc();
             PreparedStatement query = db.prepareStatement("SELECT agent_uid, changed_at FROM agent_config_changes WHERE tenant_id = ?")) {
            query.setObject(1, tenant);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    marked.put(rows.getString(1), rows.getTimestamp(2));
                }
            }
        }
        assertThat(marked).containsOnlyKeys("agent-a", "agent-b");
        assertThat(marked.get("agent-a").toInstant()).isBetween(before, clock.instant());
    }

    /**
     * The fan-out benchmark's fleet phase: statistics taken when the tenant had one agent, then a
     * fleet registers and a sync batch names a few thousand of its agents. Each name is looked up;
     * no agent of the tenant is tested against the whole list (which took seconds per batch).
     */
    @Test
    void markingSomeAgentsOfABigFleetLooksUpOnlyThoseAgents() throws Exception {
        UUID tenant = createTenant("big-fleet");
        insertAgents(tenant, List.of("agent-0"));
        try (Connection db = jdbc(); Statement statement = db.createStatement()) {
            statement.execute("ANALYZE agents");
        }
        insertAgents(tenant, IntStream.range(1, 20_000).mapToObj(i -> "agent-" + i).toList());
        String named = "{" + String.join(",", IntStream.range(0, 2_000).mapToObj(i -> "agent-" + i * 10).toList()) + "}";

        for (String planMode : List.of("force_generic_plan", "force_custom_plan")) {
            JsonNode plan = explain(planMode, tenant, named);
            assertThat(plan.path("Plan").path("Plans").get(0).path("Actual Rows").asLong()).as(planMode).isEqualTo(2_000);
            assertThat(Plans.rowsRemoved(plan.path("Plan"))).as(planMode + ": rows read and thrown away\n" + plan.toPrettyString()).isZero();
        }
    }

    /** The statement's plan as it ran (rolled back), with its parameters bound as the gateway binds them. */
    private static JsonNode explain(String planMode, UUID tenant, String named) throws Exception {
        String sql = ChangePublisher.MARK_AGENTS.replace(":at", "$1").replace(":agents", "$2").replace(":tenant", "$3");
        try (Connection db = jdbc()) {
            return Plans.explain(db, planMode, sql, "timestamptz, text, uuid", "now(), '" + named + "', '" + tenant + "'");
        }
    }

    private static void insertAgents(UUID tenant, List<String> agents) throws SQLException {
        try (Connection db = jdbc();
             PreparedStatement insert = db.prepareStatement("INSERT INTO agents (tenant_id, agent_uid) VALUES (?, ?)")) {
            for (String agent : agents) {
                insert.setObject(1, tenant);
                insert.setString(2, agent);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
