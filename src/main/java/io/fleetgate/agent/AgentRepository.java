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

    /** Registers the agent or updates what it says of itself. */
    Mono<Void> hello(UUID tenant, String agentUid, String hostname, String version, List<String> capabilities, String partition,
                     Map<String, String> labels, String configVersion, Instant now) {
        var spec = database.sql("""
                        INSERT INTO agents (tenant_id, agent_uid, hostname, version, capabilities, partition, labels, config_version, last_seen_at)
                        VALUES (:tenant, :agent, :hostname, :version, :capabilities, :partition, :labels, :configVersion, :now)
                        ON CONFLICT (tenant_id, agent_uid) DO UPDATE SET hostname = excluded.hostname, version = excluded.version,
                            capabilities = excluded.capabilities, partition = excluded.partition, labels = excluded.labels,
                            config_version = excluded.config_version, last_seen_at = excluded.last_seen_at""")
                .bind("tenant", tenant)
                .bind("agent", agentUid)
                .bind("capabilities", SqlArrays.text(capabilities))
                .bind("labels", Json.of(json.writeValueAsString(labels)))
                .bind("now", at(now));
        spec = Binds.nullable(spec, "hostname", hostname, String.class);
        spec = Binds.nullable(spec, "version", version, String.class);
        spec = Binds.nullable(spec, "partition", partition, String.class);
        spec = Binds.nullable(spec, "configVersion", configVersion, String.class);
        return spec.fetch().rowsUpdated().then();
    }
}
