package io.fleetgate.changes;

import static io.fleetgate.database.Timestamps.at;

import io.fleetgate.database.SqlArrays;
import java.time.Clock;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Publishes a {@link Change} with {@code pg_notify}. Called inside the transaction that made the
 * change, PostgreSQL delivers it only after the commit, and not at all after a rollback. A change
 * of sweep configs is also written down ({@code agent_config_changes}, {@code
 * tenant_config_changes}): a notification tells caches, the record tells an agent's status that it
 * is behind, even when the agent never polls again.
 */
@Component
public class ChangePublisher {

    static final String CHANNEL = "fleetgate_changes";

    private final DatabaseClient database;
    private final Clock clock;

    public ChangePublisher(DatabaseClient database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    public Mono<Void> publish(Change change) {
        return record(change).then(Flux.fromIterable(ChangeCodec.encode(change))
                .concatMap(payload -> database.sql("SELECT pg_notify('" + CHANNEL + "', :payload)")
                        .bind("payload", payload)
                        .fetch().rowsUpdated())
                .then());
    }

    private Mono<Void> record(Change change) {
        if (change instanceof Change.AgentsChanged agents) {
            // rows locked in agent order: two batches marking overlapping agents cannot deadlock
            return database.sql("""
                            INSERT INTO agent_config_changes (tenant_id, agent_uid, changed_at)
                            SELECT a.tenant_id, a.agent_uid, :at FROM agents a
                             WHERE a.tenant_id = :tenant AND a.agent_uid = ANY(:agents::text[])
                             ORDER BY a.agent_uid
                            ON CONFLICT (tenant_id, agent_uid)
                            DO UPDATE SET changed_at = greatest(agent_config_changes.changed_at, excluded.changed_at)""")
                    .bind("tenant", agents.tenantId())
                    .bind("agents", SqlArrays.literal(agents.agentUids().toArray(String[]::new)))
                    .bind("at", at(clock.instant()))
                    .fetch().rowsUpdated().then();
        }
        if (change instanceof Change.TenantChanged tenant) {
            return database.sql("""
                            INSERT INTO tenant_config_changes (tenant_id, changed_at) SELECT id, :at FROM tenants WHERE id = :tenant
                            ON CONFLICT (tenant_id) DO UPDATE SET changed_at = greatest(tenant_config_changes.changed_at, excluded.changed_at)""")
                    .bind("tenant", tenant.tenantId())
                    .bind("at", at(clock.instant()))
                    .fetch().rowsUpdated().then();
        }
        return Mono.empty();
    }
}
