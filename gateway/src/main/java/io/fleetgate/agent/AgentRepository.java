package io.fleetgate.agent;

import static io.fleetgate.database.Timestamps.at;
import static io.fleetgate.database.Timestamps.instant;
import static io.fleetgate.database.Timestamps.micros;

import io.fleetgate.database.Binds;
import io.fleetgate.database.SqlArrays;
import io.r2dbc.postgresql.codec.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
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
     * instant may both pass the count (tenant_agent_counts, kept by triggers): the bound is exact to
     * within a few concurrent Hellos.
     */
    Mono<Boolean> hello(UUID tenant, String agentUid, String hostname, String version, List<String> capabilities, String partition,
                        Map<String, String> labels, String configVersion, Instant now, int maxAgents) {
        var spec = database.sql("""
                        INSERT INTO agents (tenant_id, agent_uid, hostname, version, capabilities, partition, labels, config_version, last_seen_at)
                        SELECT :tenant, :agent, :hostname, :version, :capabilities, :partition, :labels, :configVersion, :now
                         -- a known agent is counted only when it is new (OR stops at a true EXISTS)
                         WHERE EXISTS (SELECT 1 FROM agents WHERE tenant_id = :tenant AND agent_uid = :agent)
                            OR coalesce((SELECT agents FROM tenant_agent_counts WHERE tenant_id = :tenant), 0) < :maxAgents
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
     * holding an older poll of the same agent writes nothing over a newer one. Returns, by tenant
     * slug, how many agents refused a version they had not refused before.
     */
    Mono<Map<String, Long>> recordPolls(List<PollRecorder.Poll> polls) {
        String[] tenants = new String[polls.size()];
        String[] agents = new String[polls.size()];
        String[] times = new String[polls.size()];
        String[] applied = new String[polls.size()];
        String[] rejected = new String[polls.size()];
        String[] reasons = new String[polls.size()];
        Integer[] intervals = new Integer[polls.size()];
        String[] desired = new String[polls.size()];
        Integer[] targets = new Integer[polls.size()];
        Boolean[] known = new Boolean[polls.size()];
        for (int i = 0; i < polls.size(); i++) {
            PollRecorder.Poll poll = polls.get(i);
            tenants[i] = poll.tenant().toString();
            agents[i] = poll.agent();
            times[i] = Long.toString(micros(poll.at()));
            applied[i] = poll.applied();
            rejected[i] = poll.rejected();
            reasons[i] = poll.reason();
            intervals[i] = poll.intervalSec();
            desired[i] = poll.desired();
            targets[i] = poll.targets();
            known[i] = poll.versionsKnown();
        }
        return database.sql("""
                        WITH polls AS (
                            -- times as epoch microseconds: cheaper to write here and to parse there than a timestamp's text
                            SELECT p.tenant_id, p.agent_uid, timestamptz 'epoch' + p.micros * interval '1 microsecond' AS at, p.applied,
                                   p.rejected, p.reason, p.interval_sec, p.desired, p.targets, p.known
                              FROM unnest(:tenants::uuid[], :agents::text[], :times::bigint[], :applied::text[],
                                          :rejected::text[], :reasons::text[], :intervals::int[], :desired::text[], :targets::int[], :known::bool[])
                                   AS p(tenant_id, agent_uid, micros, applied, rejected, reason, interval_sec, desired, targets, known)
                        ), refusals AS (
                            -- read in the statement's snapshot, before the update: a refusal counts once, when it is new
                            SELECT a.tenant_id FROM polls p JOIN agents a ON a.tenant_id = p.tenant_id AND a.agent_uid = p.agent_uid
                             WHERE p.rejected IS NOT NULL AND p.rejected IS DISTINCT FROM a.rejected_config_version
                               AND (a.last_poll_at IS NULL OR a.last_poll_at < p.at)
                        ), written AS (
                            -- a watch's keep-alive (not known) moves the poll time only, not what the agent said it applied
                            UPDATE agents a SET last_poll_at = p.at,
                                   applied_config_version = CASE WHEN p.known THEN p.applied ELSE a.applied_config_version END,
                                   rejected_config_version = CASE WHEN p.known THEN p.rejected ELSE a.rejected_config_version END,
                                   reject_reason = CASE WHEN p.known THEN p.reason ELSE a.reject_reason END,
                                   poll_interval_sec = p.interval_sec,
                                   desired_since = CASE WHEN a.desired_config_version IS DISTINCT FROM p.desired THEN p.at ELSE a.desired_since END,
                                   desired_config_version = p.desired, desired_targets = p.targets
                              FROM polls p
                             WHERE a.tenant_id = p.tenant_id AND a.agent_uid = p.agent_uid
                               AND (a.last_poll_at IS NULL OR a.last_poll_at < p.at)
                        ), settled AS (
                            -- a change mark no later than a poll tells a status nothing the poll does not (that
                            -- poll was answered after it): dropped, so that status queries join only the agents
                            -- behind a change. A mark a sync batch holds is skipped, not waited on
                            DELETE FROM agent_config_changes c
                             USING (SELECT m.tenant_id, m.agent_uid FROM agent_config_changes m
                                      JOIN polls p ON p.tenant_id = m.tenant_id AND p.agent_uid = m.agent_uid
                                     WHERE m.changed_at <= p.at FOR UPDATE OF m SKIP LOCKED) due
                             WHERE c.tenant_id = due.tenant_id AND c.agent_uid = due.agent_uid
                        )
                        SELECT t.slug, count(*) AS refusals FROM refusals r JOIN tenants t ON t.id = r.tenant_id GROUP BY t.slug""")
                .bind("tenants", SqlArrays.literal(tenants))
                .bind("agents", SqlArrays.literal(agents))
                .bind("times", SqlArrays.literal(times))
                .bind("applied", SqlArrays.literal(applied))
                .bind("rejected", SqlArrays.literal(rejected))
                .bind("reasons", SqlArrays.literal(reasons))
                .bind("intervals", intervals)
                .bind("desired", SqlArrays.literal(desired))
                .bind("targets", targets)
                .bind("known", known)
                .map((row, meta) -> Map.entry(row.get("slug", String.class), row.get("refusals", Long.class)))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /**
     * Every agent (of the relation named by {@code %s}) with its facts and its status ({@link
     * AgentStatus}'s rule in SQL), for the conditions and order the caller appends. {@code :now} and
     * {@code :defaultInterval} (for agents that never polled) are bound by {@link #withStatus}.
     */
    private static final String STATUS_OF = """
            WITH facts AS (
                SELECT a.tenant_id, a.agent_uid, a.hostname, a.version, a.last_poll_at, a.applied_config_version,
                       a.rejected_config_version, a.reject_reason, a.desired_targets, a.desired_since,
                       coalesce(a.poll_interval_sec, :defaultInterval) * interval '1 second' AS poll_interval,
                       greatest(c.changed_at, t.changed_at) AS changed_at,
                       coalesce(a.last_seen_at, a.created_at) AS registered_at,
                       -- what it was handed is what it should run, unless a change came after that poll
                       CASE WHEN a.last_poll_at IS NOT NULL AND coalesce(greatest(c.changed_at, t.changed_at) <= a.last_poll_at, true)
                            THEN a.desired_config_version END AS desired
                  FROM %s a
                  LEFT JOIN agent_config_changes c ON c.tenant_id = a.tenant_id AND c.agent_uid = a.agent_uid
                  LEFT JOIN tenant_config_changes t ON t.tenant_id = a.tenant_id
            ), statuses AS (
                SELECT f.*,
                       CASE WHEN f.last_poll_at IS NULL THEN 'never_seen'
                            WHEN f.last_poll_at < :now - 3 * f.poll_interval THEN 'offline' ELSE 'online' END AS liveness,
                       CASE WHEN f.desired = f.rejected_config_version THEN 'rejected'
                            WHEN f.desired = f.applied_config_version THEN 'in_sync'
                            WHEN :now < CASE WHEN f.desired IS NOT NULL THEN coalesce(f.desired_since, f.last_poll_at)
                                             ELSE greatest(f.changed_at, f.registered_at) END + 2 * f.poll_interval THEN 'pending'
                            ELSE 'stale' END AS config_status
                  FROM facts f
            )
            """;

    private static final String STATUS = STATUS_OF.formatted("agents");

    /**
     * Agents in (tenant, agent) order after the cursor, matching the filters; at most {@code limit}.
     * The agents are taken first, filtered by what their own row says: without a status filter the
     * page's rows, in the key's order, so that a page costs a page whatever the statistics say
     * (planned for the empty table of a fleet's first minutes, the whole tenant was joined and
     * sorted for every page: 1.8 s a page at 100,000); with one, only the rows that can have that
     * status ({@link #candidates}), so that a filter joins its candidates, not the fleet.
     */
    Flux<AgentView> page(AgentQuery query, Instant now, Duration defaultInterval) {
        Statement page = pageStatement(query);
        var spec = withStatus(database.sql(page.sql()), now, defaultInterval);
        for (var bind : page.binds().entrySet()) {
            spec = spec.bind(bind.getKey(), bind.getValue());
        }
        return spec.map(AgentRepository::view).all();
    }

    /** A statement and its named parameters (besides {@link #withStatus}'s). */
    private record Statement(String sql, Map<String, Object> binds) {
    }

    private static Statement pageStatement(AgentQuery query) {
        StringBuilder where = new StringBuilder(" WHERE true");
        Map<String, Object> binds = new LinkedHashMap<>();
        if (query.tenant() != null) {
            where.append(" AND s.tenant_id = :tenant");
            binds.put("tenant", query.tenant());
        }
        if (query.after() != null) {
            where.append(" AND (s.tenant_id, s.agent_uid) > (:afterTenant, :afterAgent)");
            binds.put("afterTenant", query.after().tenant());
            binds.put("afterAgent", query.after().agent());
        }
        if (query.prefix() != null) {
            where.append(" AND (starts_with(s.agent_uid, :prefix) OR starts_with(lower(s.hostname), lower(:prefix)))");
            binds.put("prefix", query.prefix());
        }
        String order = " ORDER BY s.tenant_id, s.agent_uid LIMIT :limit";
        binds.put("limit", query.limit());
        StringBuilder statuses = new StringBuilder(" WHERE true");
        if (query.liveness() != null) {
            statuses.append(" AND s.liveness = :liveness");
            binds.put("liveness", query.liveness().wireName());
        }
        if (query.status() != null) {
            statuses.append(" AND s.config_status = :status");
            binds.put("status", query.status().wireName());
        }
        String agents = query.liveness() == null && query.status() == null
                ? "(SELECT * FROM agents s" + where + order + ")"
                : "(SELECT * FROM agents s" + where + candidates(query.liveness()) + candidates(query.status()) + ")";
        return new Statement(STATUS_OF.formatted(agents) + "SELECT * FROM statuses s" + statuses + order, binds);
    }

    /**
     * What an agent's row alone says of its liveness: exactly {@link AgentStatus}'s rule, which
     * reads nothing else.
     */
    private static String candidates(AgentStatus.@Nullable Liveness liveness) {
        String offline = "s.last_poll_at < :now - 3 * coalesce(s.poll_interval_sec, :defaultInterval) * interval '1 second'";
        return liveness == null ? "" : switch (liveness) {
            case NEVER_SEEN -> " AND s.last_poll_at IS NULL";
            case OFFLINE -> " AND " + offline;
            case ONLINE -> " AND NOT (" + offline + ")";
        };
    }

    /**
     * What an agent's row alone says of its config status: a condition every agent with that
     * status meets (rejected and in sync need the version it was handed out to be the one it
     * refused or applied; a change since may still make it pending or stale).
     */
    private static String candidates(AgentStatus.@Nullable ConfigStatus status) {
        return status == null ? "" : switch (status) {
            case REJECTED -> " AND s.desired_config_version = s.rejected_config_version";
            case IN_SYNC -> " AND s.desired_config_version = s.applied_config_version"
                    + " AND s.desired_config_version IS DISTINCT FROM s.rejected_config_version";
            case PENDING, STALE -> "";
        };
    }

    Mono<AgentView> find(UUID tenant, String agent, Instant now, Duration defaultInterval) {
        return withStatus(database.sql(STATUS + "SELECT * FROM statuses WHERE tenant_id = :tenant AND agent_uid = :agent"), now, defaultInterval)
                .bind("tenant", tenant)
                .bind("agent", agent)
                .map(AgentRepository::view)
                .one();
    }

    private static AgentView view(io.r2dbc.spi.Row row, io.r2dbc.spi.RowMetadata meta) {
        return new AgentView(
                row.get("tenant_id", UUID.class),
                row.get("agent_uid", String.class),
                row.get("hostname", String.class),
                row.get("version", String.class),
                instant(row.get("last_poll_at", OffsetDateTime.class)),
                AgentStatus.Liveness.valueOf(row.get("liveness", String.class).toUpperCase(Locale.ROOT)),
                AgentStatus.ConfigStatus.valueOf(row.get("config_status", String.class).toUpperCase(Locale.ROOT)),
                row.get("desired", String.class),
                row.get("applied_config_version", String.class),
                row.get("rejected_config_version", String.class),
                row.get("reject_reason", String.class),
                row.get("desired_targets", Integer.class));
    }

    /**
     * How many agents (of one tenant, or all) are in each liveness and config status, and per
     * desired version: one statement, so every agent's status is computed once for both counts.
     * Rows with a liveness are status counts; the others, the most common desired versions.
     */
    Mono<AgentSummary> summary(@Nullable UUID tenant, Instant now, Duration defaultInterval, int versions) {
        var spec = withStatus(database.sql(STATUS + """
                        , scoped AS MATERIALIZED (SELECT liveness, config_status, desired FROM statuses%s)
                        SELECT liveness, config_status, NULL AS desired, count(*) AS agents, NULL::bigint AS in_sync
                          FROM scoped GROUP BY liveness, config_status
                        UNION ALL
                        (SELECT NULL, NULL, desired, count(*), count(*) FILTER (WHERE config_status = 'in_sync')
                           FROM scoped GROUP BY desired ORDER BY count(*) DESC, desired LIMIT :versions)"""
                        .formatted(tenant == null ? "" : " WHERE tenant_id = :tenant")), now, defaultInterval)
                .bind("versions", versions);
        if (tenant != null) {
            spec = spec.bind("tenant", tenant);
        }
        return spec.map((row, meta) -> {
                    String liveness = row.get("liveness", String.class);
                    long agents = row.get("agents", Long.class);
                    return liveness == null
                            ? new AgentSummary.Version(row.get("desired", String.class), agents, row.get("in_sync", Long.class))
                            : new AgentSummary.Count(AgentStatus.Liveness.valueOf(liveness.toUpperCase(Locale.ROOT)),
                                    AgentStatus.ConfigStatus.valueOf(row.get("config_status", String.class).toUpperCase(Locale.ROOT)), agents);
                })
                .all()
                .collectList()
                .map(rows -> {
                    List<AgentSummary.Count> counts = new ArrayList<>();
                    List<AgentSummary.Version> byVersion = new ArrayList<>();
                    for (Record row : rows) {
                        if (row instanceof AgentSummary.Count count) {
                            counts.add(count);
                        } else {
                            byVersion.add((AgentSummary.Version) row);
                        }
                    }
                    return AgentSummary.of(now, counts, byVersion);
                });
    }

    /** Agents of every tenant by liveness and config status, the tenant by its slug (the metrics' label). */
    Flux<AgentMetrics.Count> countsByTenant(Instant now, Duration defaultInterval) {
        return withStatus(database.sql(STATUS + """
                        SELECT t.slug, s.liveness, s.config_status, count(*) AS agents
                          FROM statuses s JOIN tenants t ON t.id = s.tenant_id
                         GROUP BY t.slug, s.liveness, s.config_status"""), now, defaultInterval)
                .map((row, meta) -> new AgentMetrics.Count(row.get("slug", String.class),
                        AgentStatus.Liveness.valueOf(row.get("liveness", String.class).toUpperCase(Locale.ROOT)),
                        AgentStatus.ConfigStatus.valueOf(row.get("config_status", String.class).toUpperCase(Locale.ROOT)),
                        row.get("agents", Long.class)))
                .all();
    }

    private static DatabaseClient.GenericExecuteSpec withStatus(DatabaseClient.GenericExecuteSpec spec, Instant now, Duration defaultInterval) {
        return spec.bind("now", at(now)).bind("defaultInterval", (int) defaultInterval.toSeconds());
    }
}
