package io.fleetgate.device;

import static io.fleetgate.database.Timestamps.instant;

import io.fleetgate.availability.DeviceAvailability;
import io.fleetgate.database.SqlArrays;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The device list's SQL. A page is found first (canonical ids, in canonical order or, with an
 * address range, in IP order), each filter by an index (V16), then its devices' records are read
 * by canonical id. Pages start after the cursor by a keyset condition, never an offset.
 */
@Repository
class DeviceSearchRepository {

    /** A canonical device on a page; {@code ip} in IP order only; {@code scanned} only on a budgeted page's last IP looked at. */
    record Hit(UUID tenant, UUID canonical, @Nullable String ip, @Nullable Integer scanned) {

        Hit(UUID tenant, UUID canonical, @Nullable String ip) {
            this(tenant, canonical, ip, null);
        }
    }

    /** A source record of a listed device, as the list shows it. */
    record ItemRow(UUID tenant, UUID canonical, UUID sourceId, String sourceName, String sourceType, @Nullable String hostname,
                   List<String> ips, List<String> macs, @Nullable String sweptBy, Instant lastSeen) {
    }

    /** The agent filter's sources: those whose default agent it is, and those that sweep nothing (disabled). */
    record AgentSources(UUID[] byDefault, UUID[] disabled) {
        /** For a query without the agent filter. */
        static final AgentSources NONE = new AgentSources(new UUID[0], new UUID[0]);
    }

    private final DatabaseClient database;

    DeviceSearchRepository(DatabaseClient database) {
        this.database = database;
    }

    /** What the agent filter needs of the sources (of the tenant, or all). */
    Mono<AgentSources> agentSources(@Nullable UUID tenant, String agent) {
        return database.sql("SELECT id, enabled, agent_uid = :agent AS by_default FROM integration_sources"
                        + (tenant == null ? "" : " WHERE tenant_id = :tenant"))
                .bind("agent", agent)
                .bind("tenant", tenant == null ? new UUID(0, 0) : tenant)
                .map((row, meta) -> new Object[]{row.get("id", UUID.class), row.get("enabled", Boolean.class), row.get("by_default", Boolean.class)})
                .all().collectList()
                .map(rows -> new AgentSources(
                        rows.stream().filter(r -> Boolean.TRUE.equals(r[1]) && Boolean.TRUE.equals(r[2])).map(r -> (UUID) r[0]).toArray(UUID[]::new),
                        rows.stream().filter(r -> !Boolean.TRUE.equals(r[1])).map(r -> (UUID) r[0]).toArray(UUID[]::new)));
    }

    /**
     * IPs one page may walk past in IP order when other filters are given too: each costs a look at
     * its device's records, and the records that match may sit anywhere in the range (a source whose
     * devices are all in its last subnet), so a page stops there and says where to go on.
     */
    static final int SCAN_BUDGET = 2000;

    /**
     * A page's devices in its order, and, when it stopped at the scan budget before it was full,
     * the last IP it looked at (the next page starts after it).
     */
    record Found(List<Hit> hits, @Nullable Hit resumeAfter) {
    }

    Mono<Found> page(DeviceQuery query, AgentSources agentSources) {
        Statement statement = pageStatement(query, agentSources);
        return statement.bind(database.sql(statement.text()))
                .map((row, meta) -> {
                    Hit hit = new Hit(row.get("tenant_id", UUID.class), row.get("canonical_device_id", UUID.class),
                            query.byAddress() ? row.get("ip", String.class) : null);
                    boolean matched = !statement.budgeted() || Boolean.TRUE.equals(row.get("matched", Boolean.class));
                    return matched ? hit : new Hit(hit.tenant(), hit.canonical(), hit.ip(), row.get("scanned", Integer.class));
                })
                .all().collectList()
                .map(rows -> {
                    List<Hit> hits = rows.stream().filter(hit -> hit.scanned() == null).toList();
                    Hit last = rows.stream().filter(hit -> hit.scanned() != null).findFirst().orElse(null);
                    return new Found(hits, last != null && last.scanned() >= SCAN_BUDGET ? last : null);
                });
    }

    /** The statement that finds a page (its plan is what DevicePlansTest checks). */
    static Statement pageStatement(DeviceQuery query, AgentSources agentSources) {
        Statement sql = new Statement();
        return sql.text(query.byAddress() ? addressPage(query, agentSources, sql) : canonicalPage(query, agentSources, sql));
    }

    /**
     * IP order: the IPs canonical devices hold in the range, by the inet index of identifiers (a
     * CIDR is one range of it, so any width costs one page). Other filters are checked on the
     * holder's records for at most {@link #SCAN_BUDGET} IPs: the matches among them (up to the
     * page's length), and the last IP looked at with how many were.
     */
    private static String addressPage(DeviceQuery query, AgentSources agentSources, Statement sql) {
        String records = String.join(" AND ", recordConditions(query, agentSources, sql));
        StringBuilder text = new StringBuilder("""
                SELECT i.tenant_id, i.canonical_device_id, i.value AS ip FROM device_identifiers i
                 WHERE i.kind = 'ip' AND i.value::inet <<= :range::inet""");
        String order = " ORDER BY tenant_id, ip::inet, canonical_device_id";
        sql.bind("range", query.range().toString());
        if (query.tenant() != null) {
            text.append(" AND i.tenant_id = :tenant");
            sql.bind("tenant", query.tenant());
        }
        DeviceCursor.Position after = query.after();
        if (after != null) {
            sql.bind("afterTenant", after.tenant()).bind("afterIp", after.ip().toString()).bind("afterCanonical", after.canonical());
            // the first condition bounds the index scan; the second steps past the cursor's own IP
            text.append(query.tenant() != null
                    ? " AND i.value::inet >= :afterIp::inet AND (i.value::inet > :afterIp::inet OR i.canonical_device_id > :afterCanonical)"
                    : " AND (i.tenant_id, i.value::inet) >= (:afterTenant, :afterIp::inet)"
                      + " AND ((i.tenant_id, i.value::inet) > (:afterTenant, :afterIp::inet) OR i.canonical_device_id > :afterCanonical)");
        }
        text.append(" ORDER BY i.tenant_id, i.value::inet, i.canonical_device_id LIMIT :limit");
        sql.bind("limit", query.limit());
        if (records.isEmpty()) {
            return text.toString();
        }
        sql.bind("budget", SCAN_BUDGET).budgeted(true);
        return "WITH scanned AS MATERIALIZED (" + text.toString().replace("LIMIT :limit", "LIMIT :budget") + ")\n"
                + "SELECT * FROM (SELECT s.*, true AS matched, 0 AS scanned FROM scanned s"
                + " WHERE EXISTS (SELECT 1 FROM discovered_devices d WHERE d.tenant_id = s.tenant_id"
                + " AND d.canonical_device_id = s.canonical_device_id AND " + records + ")" + order + " LIMIT :limit) m\n"
                + "UNION ALL\n"
                + "SELECT * FROM (SELECT s.*, false, (SELECT count(*) FROM scanned)::int FROM scanned s"
                + " ORDER BY tenant_id DESC, ip::inet DESC, canonical_device_id DESC LIMIT 1) l";
    }

    /**
     * Canonical order: records matching every filter, walked in (tenant, canonical) order, or found
     * by a filter's index and sorted when the planner expects few of them (it has the statistics
     * of each indexed expression to tell). A MAC has no such statistics (nearly every one is
     * unique, which arrays' statistics do not record), so its records are found first by their
     * index, behind an OFFSET 0 fence, and the other filters applied to those few.
     */
    private static String canonicalPage(DeviceQuery query, AgentSources agentSources, Statement sql) {
        String records = "discovered_devices d";
        if (query.mac() != null) {
            records = "(SELECT * FROM discovered_devices d WHERE d.mac_addresses @> ARRAY[:mac::text]"
                    + (query.tenant() != null ? " AND d.tenant_id = :tenant" : "") + " OFFSET 0) d";
            sql.bind("mac", query.mac());
            query = new DeviceQuery(query.tenant(), query.range(), null, query.hostnamePrefix(), query.source(), query.agent(),
                    query.availability(), query.after(), query.limit());
        }
        List<String> conditions = new ArrayList<>();
        if (query.tenant() != null) {
            conditions.add("d.tenant_id = :tenant");
            sql.bind("tenant", query.tenant());
        }
        DeviceCursor.Position after = query.after();
        if (after != null) {
            conditions.add(query.tenant() != null ? "d.canonical_device_id > :afterCanonical"
                    : "(d.tenant_id, d.canonical_device_id) > (:afterTenant, :afterCanonical)");
            sql.bind("afterTenant", after.tenant()).bind("afterCanonical", after.canonical());
        }
        conditions.addAll(recordConditions(query, agentSources, sql));
        sql.bind("limit", query.limit());
        return "SELECT DISTINCT d.tenant_id, d.canonical_device_id FROM " + records + " WHERE " + where(conditions)
                + " ORDER BY d.tenant_id, d.canonical_device_id LIMIT :limit";
    }

    /**
     * Conditions on one source record {@code d}: hostname prefix, MAC, source, and the agent (its
     * own, or its source's default when it names none; sources switched off sweep nothing); each
     * is served by an index of V16.
     */
    private static List<String> recordConditions(DeviceQuery query, AgentSources agentSources, Statement sql) {
        List<String> conditions = new ArrayList<>();
        if (query.hostnamePrefix() != null) {
            conditions.add("starts_with(lower(d.hostname) COLLATE \"C\", :hostname)");
            sql.bind("hostname", query.hostnamePrefix());
        }
        if (query.mac() != null) {
            conditions.add("d.mac_addresses @> ARRAY[:mac::text]");
            sql.bind("mac", query.mac());
        }
        if (query.source() != null) {
            conditions.add("d.integration_source_id = :source");
            sql.bind("source", query.source());
        }
        if (query.availability() != null) {
            // the device's (device_availability: kept as observations change; no row is unknown)
            String known = "EXISTS (SELECT 1 FROM device_availability a WHERE a.tenant_id = d.tenant_id"
                    + " AND a.canonical_device_id = d.canonical_device_id";
            if (query.availability() == DeviceAvailability.Availability.UNKNOWN) {
                conditions.add("NOT " + known + ")");
            } else {
                conditions.add(known + " AND a.state = :availability)");
                sql.bind("availability", query.availability().wireName());
            }
        }
        if (query.agent() != null) {
            String own = "d.agent_uid = :agent" + (agentSources.disabled().length > 0 ? " AND d.integration_source_id <> ALL(:disabledSources)" : "");
            conditions.add(agentSources.byDefault().length == 0 ? "(" + own + ")"
                    : "((" + own + ") OR (d.agent_uid IS NULL AND d.integration_source_id = ANY(:defaultSources)))");
            sql.bind("agent", query.agent());
            if (agentSources.disabled().length > 0) {
                sql.bind("disabledSources", agentSources.disabled());
            }
            if (agentSources.byDefault().length > 0) {
                sql.bind("defaultSources", agentSources.byDefault());
            }
        }
        return conditions;
    }

    private static String where(List<String> conditions) {
        return conditions.isEmpty() ? "true" : String.join(" AND ", conditions);
    }

    /** The source records of a page's devices, each device by its index entry. */
    Flux<ItemRow> items(List<Hit> hits) {
        if (hits.isEmpty()) {
            return Flux.empty();
        }
        return database.sql("""
                        SELECT d.tenant_id, d.canonical_device_id, d.integration_source_id, s.name AS source_name, s.source_type,
                               d.hostname, d.ip_addresses, d.mac_addresses, d.last_seen_at,
                               CASE WHEN s.enabled THEN coalesce(d.agent_uid, s.agent_uid) END AS swept_by
                          FROM (SELECT DISTINCT * FROM unnest(:tenants::uuid[], :canonicals::uuid[])) AS p(tenant_id, canonical_device_id)
                          JOIN LATERAL (SELECT * FROM discovered_devices x
                                         WHERE x.tenant_id = p.tenant_id AND x.canonical_device_id = p.canonical_device_id
                                        OFFSET 0) d ON true
                          JOIN integration_sources s ON s.id = d.integration_source_id
                         ORDER BY d.first_seen_at, d.id""")
                .bind("tenants", hits.stream().map(Hit::tenant).toArray(UUID[]::new))
                .bind("canonicals", hits.stream().map(Hit::canonical).toArray(UUID[]::new))
                .map((row, meta) -> new ItemRow(row.get("tenant_id", UUID.class), row.get("canonical_device_id", UUID.class),
                        row.get("integration_source_id", UUID.class), row.get("source_name", String.class),
                        row.get("source_type", String.class), row.get("hostname", String.class),
                        SqlArrays.list(row.get("ip_addresses", String[].class)), SqlArrays.list(row.get("mac_addresses", String[].class)),
                        row.get("swept_by", String.class), instant(row.get("last_seen_at", OffsetDateTime.class))))
                .all();
    }

    /**
     * The tenant's counts. Devices and merged devices in one pass over the canonical index (an
     * index-only scan); records per source from the sources' counters (ingest adds each row it
     * creates, and rows go only with their source); per agent, its own records by the agent index
     * and its sources' other records by those counters; unassigned devices from the records no
     * agent sweeps (none, when every source has a default agent), each checked for another record
     * that is swept.
     */
    Mono<DeviceViews.Summary> summary(UUID tenant, int agents, Instant now) {
        Mono<long[]> devices = database.sql("""
                        SELECT count(*) AS devices, count(*) FILTER (WHERE records > 1) AS merged_devices,
                               coalesce(sum(records) FILTER (WHERE records > 1), 0) AS merged_records
                          FROM (SELECT count(*) AS records FROM discovered_devices WHERE tenant_id = :tenant
                                 GROUP BY canonical_device_id) per_device""")
                .bind("tenant", tenant)
                .map((row, meta) -> new long[]{number(row.get("devices")), number(row.get("merged_devices")), number(row.get("merged_records"))})
                .one();
        Mono<List<SourceRow>> sources = database.sql("""
                        SELECT s.id, s.name, s.source_type, s.enabled, s.agent_uid, s.last_device_count AS records,
                               coalesce(own.records, 0) AS own_agent_records
                          FROM integration_sources s
                          LEFT JOIN (SELECT integration_source_id, count(*) AS records FROM discovered_devices
                                      WHERE tenant_id = :tenant AND agent_uid IS NOT NULL GROUP BY 1) own ON own.integration_source_id = s.id
                         WHERE s.tenant_id = :tenant
                         ORDER BY s.name""")
                .bind("tenant", tenant)
                .map((row, meta) -> new SourceRow(new DeviceViews.SourceRef(row.get("id", UUID.class), row.get("name", String.class),
                        row.get("source_type", String.class)), Boolean.TRUE.equals(row.get("enabled", Boolean.class)),
                        row.get("agent_uid", String.class), number(row.get("records")), number(row.get("own_agent_records"))))
                .all().collectList();
        Mono<Map<String, Long>> ownAgents = database.sql("""
                        SELECT d.agent_uid, count(*) AS records FROM discovered_devices d
                         WHERE d.tenant_id = :tenant AND d.agent_uid IS NOT NULL
                           AND d.integration_source_id IN (SELECT id FROM integration_sources WHERE tenant_id = :tenant AND enabled)
                         GROUP BY 1""")
                .bind("tenant", tenant)
                .map((row, meta) -> Map.entry(row.get("agent_uid", String.class), number(row.get("records"))))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
        Mono<Map<String, Long>> byAvailability = database.sql("""
                        SELECT state, count(*) AS devices FROM device_availability WHERE tenant_id = :tenant GROUP BY state""")
                .bind("tenant", tenant)
                .map((row, meta) -> Map.entry(row.get("state", String.class), number(row.get("devices"))))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
        return sources.flatMap(rows -> Mono.zip(devices, Mono.just(rows), ownAgents, unassigned(tenant, rows), byAvailability)).map(counts -> {
            long[] d = counts.getT1();
            List<SourceRow> bySource = counts.getT2();
            Map<String, Long> perAgent = new java.util.HashMap<>(counts.getT3());
            bySource.stream().filter(source -> source.enabled() && source.defaultAgent() != null)
                    .forEach(source -> perAgent.merge(source.defaultAgent(), source.records() - source.ownAgentRecords(), Long::sum));
            List<DeviceViews.AgentCount> byAgent = perAgent.entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .limit(agents).map(e -> new DeviceViews.AgentCount(e.getKey(), e.getValue())).toList();
            long records = bySource.stream().mapToLong(SourceRow::records).sum();
            Map<String, Long> availability = new java.util.LinkedHashMap<>();
            long known = 0;
            for (DeviceAvailability.Availability state : List.of(DeviceAvailability.Availability.AVAILABLE,
                    DeviceAvailability.Availability.UNAVAILABLE)) {
                long n = counts.getT5().getOrDefault(state.wireName(), 0L);
                availability.put(state.wireName(), n);
                known += n;
            }
            availability.put(DeviceAvailability.Availability.UNKNOWN.wireName(), Math.max(0, d[0] - known));
            return new DeviceViews.Summary(tenant, d[0], records, d[1], d[2], counts.getT4(), availability,
                    bySource.stream().map(source -> new DeviceViews.SourceCount(source.source(), source.records())).toList(), byAgent, now);
        });
    }

    /**
     * Devices none of whose records an agent sweeps: the records of sources that are switched off
     * or name no default agent (and no agent of their own), each device checked for another record
     * that is swept. None to look at when every source sweeps.
     */
    private Mono<Long> unassigned(UUID tenant, List<SourceRow> sources) {
        UUID[] unswept = sources.stream().filter(s -> !s.enabled() || s.defaultAgent() == null).map(s -> s.source().id()).toArray(UUID[]::new);
        if (unswept.length == 0) {
            return Mono.just(0L);
        }
        UUID[] disabled = sources.stream().filter(s -> !s.enabled()).map(s -> s.source().id()).toArray(UUID[]::new);
        return database.sql("""
                        SELECT count(DISTINCT d.canonical_device_id) AS devices FROM discovered_devices d
                         WHERE d.tenant_id = :tenant AND d.integration_source_id = ANY(:unswept)
                           AND (d.agent_uid IS NULL OR d.integration_source_id = ANY(:disabled))
                           AND NOT EXISTS (SELECT 1 FROM discovered_devices o JOIN integration_sources s ON s.id = o.integration_source_id
                                            WHERE o.tenant_id = d.tenant_id AND o.canonical_device_id = d.canonical_device_id
                                              AND s.enabled AND coalesce(o.agent_uid, s.agent_uid) IS NOT NULL)""")
                .bind("tenant", tenant)
                .bind("unswept", unswept)
                .bind("disabled", disabled)
                .map((row, meta) -> number(row.get("devices")))
                .one();
    }

    /** What the summary reads of a source: its counter, and how many of its records name an agent of their own. */
    private record SourceRow(DeviceViews.SourceRef source, boolean enabled, @Nullable String defaultAgent, long records, long ownAgentRecords) {
    }

    private static long number(@Nullable Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    /** A statement's text and its bindings, gathered while the text is built. */
    static final class Statement {
        private final Map<String, Object> binds = new LinkedHashMap<>();
        private String text = "";
        private boolean budgeted;

        /** Whether the page is walked within the scan budget (its rows say which matched). */
        boolean budgeted() {
            return budgeted;
        }

        Statement budgeted(boolean value) {
            budgeted = value;
            return this;
        }

        Statement bind(String name, Object value) {
            binds.put(name, value);
            return this;
        }

        Statement text(String sql) {
            this.text = sql;
            return this;
        }

        String text() {
            return text;
        }

        /** The bindings the text uses, on a statement of that text (or of one that wraps it, as EXPLAIN does). */
        DatabaseClient.GenericExecuteSpec bind(DatabaseClient.GenericExecuteSpec spec) {
            for (Map.Entry<String, Object> bind : binds.entrySet()) {
                if (Pattern.compile(":" + bind.getKey() + "\\b").matcher(text).find()) {
                    spec = spec.bind(bind.getKey(), bind.getValue());
                }
            }
            return spec;
        }
    }
}
