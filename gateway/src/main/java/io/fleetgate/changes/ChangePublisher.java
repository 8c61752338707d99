package io.fleetgate.changes;

import static io.fleetgate.database.Timestamps.at;

import io.fleetgate.database.SqlArrays;
import java.time.Clock;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Publishes a {@link Change} with {@code pg_notify}, or as rows of {@code change_outbox}
 * (FLEETGATE_CHANGE_FEED=outbox, read by {@link OutboxChangeFeed}). Called inside the transaction
 * that made the change, either is seen only after the commit, and not at all after a rollback. A change
 * of sweep configs is also written down ({@code agent_config_changes}, {@code
 * tenant_config_changes}): a notification tells caches, the record tells an agent's status that it
 * is behind, even when the agent never polls again.
 */
@Component
public class ChangePublisher {

    static final String CHANNEL = "fleetgate_changes";
    /** The lock outbox writers hold from numbering their rows to their commit: rows commit in seq order. */
    private static final long OUTBOX_LOCK = 0x666c6777L; // "flgw"

    /**
     * Marks the named agents that exist as changed, locking their rows in agent order (two batches
     * marking overlapping agents cannot deadlock). Driven by the list, each name looked up by key:
     * {@code agent_uid = ANY(:agents)} let the planner, on statistics taken before the fleet
     * registered, test every agent of the tenant against the whole list (30,000 agents x 1,500
     * names: 3 s; 100,000 x 5,000 crossed the statement timeout).
     */
    static final String MARK_AGENTS = """
            INSERT INTO agent_config_changes (tenant_id, agent_uid, changed_at)
            SELECT a.tenant_id, a.agent_uid, :at
              FROM (SELECT DISTINCT agent_uid FROM unnest(:agents::text[]) AS named(agent_uid)) named
              JOIN agents a ON a.tenant_id = :tenant AND a.agent_uid = named.agent_uid
             ORDER BY a.agent_uid
            ON CONFLICT (tenant_id, agent_uid)
            DO UPDATE SET changed_at = greatest(agent_config_changes.changed_at, excluded.changed_at)""";

    private final DatabaseClient database;
    private final Clock clock;
    private final boolean outbox;

    public ChangePublisher(DatabaseClient database, Clock clock, @Value("${fleetgate.change-feed:notify}") String feed) {
        this.database = database;
        this.clock = clock;
        this.outbox = switch (feed) {
            case "notify" -> false;
            case "outbox" -> true;
            default -> throw new IllegalArgumentException("FLEETGATE_CHANGE_FEED: notify or outbox, not '" + feed + "'");
        };
    }

    public Mono<Void> publish(Change change) {
        List<String> payloads = ChangeCodec.encode(change);
        if (outbox) {
            // one statement, so the lock is taken before the rows are numbered even outside a transaction
            return record(change).then(database.sql("""
                            WITH ordered AS (SELECT pg_advisory_xact_lock(:lock))
                            INSERT INTO change_outbox (payload) SELECT p.payload FROM ordered, unnest(:payloads::text[]) WITH ORDINALITY AS p(payload, n)
                             ORDER BY p.n""")
                    .bind("lock", OUTBOX_LOCK)
                    .bind("payloads", SqlArrays.literal(payloads.toArray(String[]::new)))
                    .fetch().rowsUpdated().then());
        }
        return record(change).then(Flux.fromIterable(payloads)
                .concatMap(payload -> database.sql("SELECT pg_notify('" + CHANNEL + "', :payload)")
                        .bind("payload", payload)
                        .fetch().rowsUpdated())
                .then());
    }

    private Mono<Void> record(Change change) {
        if (change instanceof Change.AgentsChanged agents) {
            return database.sql(MARK_AGENTS)
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
