package io.fleetgate.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.GatewayTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The status SQL of {@link AgentRepository} and {@link AgentStatus#of} give every agent the same
 * liveness, config status and desired version, over every combination of the facts they read.
 */
class AgentStatusSqlTest extends GatewayTest {

    private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    @Autowired
    AgentRepository repository;

    /** The interval column as stored: null for agents whose polls did not set one. */
    private final Map<String, Integer> storedIntervals = new HashMap<>();

    @Test
    void theDatabaseAndTheRuleAgreeOnEveryCombinationOfFacts() throws SQLException {
        UUID tenant = createTenant("status-sql");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Map<String, AgentStatus.Facts> facts = everyCombination(tenant, now);

        List<AgentView> views = repository.page(new AgentQuery(tenant, null, null, null, null, facts.size() + 1), now, DEFAULT_INTERVAL)
                .collectList().block(Duration.ofSeconds(30));
        assertThat(views).hasSize(facts.size());
        List<String> disagreements = new ArrayList<>();
        for (AgentView view : views) {
            AgentStatus.Facts f = facts.get(view.agentUid());
            AgentStatus expected = AgentStatus.of(f, now);
            AgentStatus actual = new AgentStatus(view.liveness(), view.configStatus(), view.desiredVersion());
            if (!expected.equals(actual)) {
                disagreements.add(f + " -> rule " + expected + ", SQL " + actual);
            }
        }
        assertThat(disagreements).isEmpty();
        assertThat(views.stream().map(AgentView::configStatus).distinct()).hasSize(AgentStatus.ConfigStatus.values().length);
        assertThat(views.stream().map(AgentView::liveness).distinct()).hasSize(AgentStatus.Liveness.values().length);
    }

    /** A filter reads only the agents that can match it first: it must still find every one that does. */
    @Test
    void eachFilterFindsExactlyTheAgentsTheRuleGivesItsStatus() throws SQLException {
        UUID tenant = createTenant("status-filters");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Map<String, AgentStatus.Facts> facts = everyCombination(tenant, now);
        Map<String, AgentStatus> expected = new HashMap<>();
        facts.forEach((agent, f) -> expected.put(agent, AgentStatus.of(f, now)));
        for (AgentStatus.Liveness liveness : AgentStatus.Liveness.values()) {
            assertThat(filtered(new AgentQuery(tenant, liveness, null, null, null, facts.size()), now)).as(liveness.wireName())
                    .containsExactlyInAnyOrderElementsOf(agentsWhere(expected, status -> status.liveness() == liveness));
            for (AgentStatus.ConfigStatus config : AgentStatus.ConfigStatus.values()) {
                assertThat(filtered(new AgentQuery(tenant, liveness, config, null, null, facts.size()), now))
                        .as(liveness.wireName() + " and " + config.wireName())
                        .containsExactlyInAnyOrderElementsOf(agentsWhere(expected, status -> status.liveness() == liveness && status.configStatus() == config));
            }
        }
        for (AgentStatus.ConfigStatus config : AgentStatus.ConfigStatus.values()) {
            assertThat(filtered(new AgentQuery(tenant, null, config, null, null, facts.size()), now)).as(config.wireName())
                    .containsExactlyInAnyOrderElementsOf(agentsWhere(expected, status -> status.configStatus() == config));
        }
    }

    /** Agents of the tenant with every combination of the facts the status reads, by agent id. */
    private Map<String, AgentStatus.Facts> everyCombination(UUID tenant, Instant now) throws SQLException {
        Map<String, AgentStatus.Facts> facts = new HashMap<>();
        List<Instant> polls = Arrays.asList(null, now.minusSeconds(10), now.minusSeconds(70), now.minusSeconds(100), now.minusSeconds(200));
        List<Integer> intervals = Arrays.asList(null, 30, 60);
        List<String> versions = Arrays.asList(null, "v1", "v2");
        List<Instant> since = Arrays.asList(null, now.minusSeconds(20), now.minusSeconds(130));
        List<Long> changes = Arrays.asList(null, -5L, 5L); // seconds after the poll (or after now, for agents that never polled)
        int n = 0;
        for (Instant poll : polls) {
            for (Integer interval : intervals) {
                for (String applied : versions) {
                    for (String rejected : versions) {
                        for (String desired : Arrays.asList(null, "v1")) {
                            for (Instant desiredSince : since) {
                                for (Long change : changes) {
                                    Instant changedAt = change == null ? null : (poll == null ? now.minusSeconds(40) : poll).plusSeconds(change);
                                    Instant registeredAt = now.minusSeconds(50);
                                    Duration effective = interval == null ? DEFAULT_INTERVAL : Duration.ofSeconds(interval);
                                    facts.put("agent-" + n++, new AgentStatus.Facts(poll, effective, applied, rejected, desired, desiredSince,
                                            changedAt, registeredAt));
                                    storedIntervals.put("agent-" + (n - 1), interval);
                                }
                            }
                        }
                    }
                }
            }
        }
        insert(tenant, facts);
        return facts;
    }

    private List<String> filtered(AgentQuery query, Instant now) {
        return repository.page(query, now, DEFAULT_INTERVAL).map(AgentView::agentUid).collectList().block(Duration.ofSeconds(30));
    }

    private static List<String> agentsWhere(Map<String, AgentStatus> statuses, Predicate<AgentStatus> matches) {
        return statuses.entrySet().stream().filter(e -> matches.test(e.getValue())).map(Map.Entry::getKey).toList();
    }

    private void insert(UUID tenant, Map<String, AgentStatus.Facts> facts) throws SQLException {
        try (Connection db = jdbc();
             PreparedStatement agents = db.prepareStatement("""
                     INSERT INTO agents (tenant_id, agent_uid, last_seen_at, last_poll_at, poll_interval_sec, applied_config_version,
                                         rejected_config_version, desired_config_version, desired_since)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""");
             PreparedStatement changes = db.prepareStatement("INSERT INTO agent_config_changes (tenant_id, agent_uid, changed_at) VALUES (?, ?, ?)")) {
            for (var entry : facts.entrySet()) {
                AgentStatus.Facts f = entry.getValue();
                agents.setObject(1, tenant);
                agents.setString(2, entry.getKey());
                agents.setTimestamp(3, timestamp(f.registeredAt()));
                agents.setTimestamp(4, timestamp(f.lastPoll()));
                agents.setObject(5, storedIntervals.get(entry.getKey()));
                agents.setString(6, f.applied());
                agents.setString(7, f.rejected());
                agents.setString(8, f.desired());
                agents.setTimestamp(9, timestamp(f.desiredSince()));
                agents.addBatch();
                if (f.changedAt() != null) {
                    changes.setObject(1, tenant);
                    changes.setString(2, entry.getKey());
                    changes.setTimestamp(3, timestamp(f.changedAt()));
                    changes.addBatch();
                }
            }
            agents.executeBatch();
            changes.executeBatch();
        }
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
