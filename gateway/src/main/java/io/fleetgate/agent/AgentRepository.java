package io.fleetgate.agent;

import static io.fleetgate.database.Timestamps.at;

import io.fleetgate.database.Binds;
import io.fleetgate.database.SqlArrays;
import io.r2dbc.postgresql.codec.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** The {@code agents} table. */
@Repository
class AgentRepository {

    private final DatabaseClient database;
    private final JsonMapper json = JsonMapper.shared();

    AgentRepository(DatabaseClient database) {
        this.database = database;
    }

    /**
     * Registers the agent or updates what it says of itself; false (nothing stored) when the agent
     * is new and the tenant already has {@code maxAgents}. Two replicas registering at the same
     * instant may both pass the count: the bound is exact to within a few concurrent Hellos.
     */
    Mono<Boolean> hello(UUID tenant, String agentUid, String hostname, String version, List<String> capabilities, String partition,
                        Map<String, String> labels, String configVersion, Instant now, int maxAgents) {
        var spec = database.sql("""
                        INSERT INTO agents (tenant_id, agent_uid, hostname, version, capabilities, partition, labels, config_version, last_seen_at)
                        SELECT :tenant, :agent, :hostname, :version, :capabilities, :partition, :labels, :configVersion, :now
                         -- a known agent is counted only when it is new (OR stops at a true EXISTS)
                         WHERE EXISTS (SELECT 1 FROM agents WHERE tenant_id = :tenant AND agent_uid = :agent)
                            OR (SELECT count(*) FROM agents WHERE tenant_id = :tenant) < :maxAgents
                        ON CONFLICT (tenant_id, agent_uid) DO UPDATE SET hostname = excluded.hostname, version = excluded.version,
                            capabilities = excluded.capabilities, partition = excluded.partition, labels = excluded.labels,
                            config_version = excluded.config_version, last_seen_at = excluded.last_seen_at""")
                .bind("tenant", tenant)
                .bind("agent", agentUid)
                .bind("capabilities", SqlArrays.text(capabilities))
                .bind("labels", Json.of(json.writeValueAsString(labels)))
                .bind("now", at(now))
                .bind("maxAgents", maxAgents);
        spec = Binds.nullable(spec, "hostname", hostname, String.class);
        spec = Binds.nullable(spec, "version", version, String.class);
        spec = Binds.nullable(spec, "partition", partition, String.class);
        spec = Binds.nullable(spec, "configVersion", configVersion, String.class);
        return spec.fetch().rowsUpdated().map(stored -> stored > 0);
    }

    /**
     * The polls of a flush, in one statement. Only agents that said Hello have a row; a replica
     * holding an older poll of the same agent writes nothing over a newer one.
     */
    Mono<Long> recordPolls(List<PollRecorder.Poll> polls) {
        String[] tenants = new String[polls.size()];
        String[] agents = new String[polls.size()];
        String[] times = new String[polls.size()];
        String[] applied = new String[polls.size()];
        String[] rejected = new String[polls.size()];
        String[] reasons = new String[polls.size()];
        Integer[] intervals = new Integer[polls.size()];
        for (int i = 0; i < polls.size(); i++) {
            PollRecorder.Poll poll = polls.get(i);
            tenants[i] = poll.tenant().toString();
            agents[i] = poll.agent();
            times[i] = poll.at().toString();
            applied[i] = poll.applied();
            rejected[i] = poll.rejected();
            reasons[i] = poll.reason();
            intervals[i] = poll.intervalSec();
        }
        return database.sql("""
                        UPDATE agents a SET last_poll_at = p.at, applied_config_version = p.applied,
                               rejected_config_version = p.rejected, reject_reason = p.reason, poll_interval_sec = p.interval_sec
                          FROM unnest(:tenants::uuid[], :agents::text[], :times::timestamptz[], :applied::text[], :rejected::text[],
                                      :reasons::text[], :intervals::int[]) AS p(tenant_id, agent_uid, at, applied, rejected, reason, interval_sec)
                         WHERE a.tenant_id = p.tenant_id AND a.agent_uid = p.agent_uid
                           AND (a.last_poll_at IS NULL OR a.last_poll_at < p.at)""")
                .bind("tenants", SqlArrays.literal(tenants))
                .bind("agents", SqlArrays.literal(agents))
                .bind("times", SqlArrays.literal(times))
                .bind("applied", SqlArrays.literal(applied))
                .bind("rejected", SqlArrays.literal(rejected))
                .bind("reasons", SqlArrays.literal(reasons))
                .bind("intervals", intervals)
                .fetch().rowsUpdated();
    }
}
