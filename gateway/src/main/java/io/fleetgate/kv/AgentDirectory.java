package io.fleetgate.kv;

import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;

/** Which agents have a sweep config: registered ones, sources' default agents, devices' own agents. */
@Repository
class AgentDirectory {

    /** One agent of one tenant. */
    record AgentKey(UUID tenant, String agent) {
    }

    private final DatabaseClient database;

    AgentDirectory(DatabaseClient database) {
        this.database = database;
    }

    /** The agents of a tenant, or of every tenant when null. */
    Flux<AgentKey> agents(UUID tenant) {
        String filter = tenant == null ? "" : " AND tenant_id = :tenant";
        var spec = database.sql("SELECT tenant_id, agent_uid FROM agents WHERE true" + filter
                + " UNION SELECT tenant_id, agent_uid FROM integration_sources WHERE agent_uid IS NOT NULL" + filter
                // index-only on the partial index of device-level agents
                + " UNION SELECT DISTINCT tenant_id, agent_uid FROM discovered_devices WHERE agent_uid IS NOT NULL" + filter);
        if (tenant != null) {
            spec = spec.bind("tenant", tenant);
        }
        return spec.map((row, meta) -> new AgentKey(row.get("tenant_id", UUID.class), row.get("agent_uid", String.class))).all();
    }
}
