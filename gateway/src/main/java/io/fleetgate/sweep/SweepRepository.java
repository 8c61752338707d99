package io.fleetgate.sweep;

import io.fleetgate.database.SqlArrays;
import io.r2dbc.postgresql.codec.Json;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads what an agent's sweep config is built from. */
@Repository
class SweepRepository implements SweepInputs {

    private final DatabaseClient database;
    private final JsonMapper json = JsonMapper.shared();

    SweepRepository(DatabaseClient database) {
        this.database = database;
    }

    /** The agent's devices with the IPs each still holds (binds :tenant, :agent). */
    static final String DEVICES = """
            WITH assigned AS (
                SELECT d.* FROM discovered_devices d JOIN integration_sources s ON s.id = d.integration_source_id
                 WHERE d.tenant_id = :tenant AND d.agent_uid = :agent AND s.enabled
                UNION ALL
                -- the sources come first (OFFSET 0 keeps them outside): an agent that is no
                -- source's default agent reads no device here, whatever the statistics say
                SELECT d.* FROM integration_sources s
                 CROSS JOIN LATERAL (SELECT * FROM discovered_devices d
                                      WHERE d.tenant_id = s.tenant_id AND d.integration_source_id = s.id
                                        AND d.agent_uid IS NULL OFFSET 0) d
                 WHERE s.tenant_id = :tenant AND s.agent_uid = :agent AND s.enabled)
            SELECT a.device_id, a.source_type, a.integration_source_id, a.canonical_device_id, a.ports, a.raw_data_ports,
                   a.hostname, a.device_type, a.manufacturer, a.model,
                   -- each IP's holder by one index probe (OFFSET 0: never a scan, whatever the
                   -- statistics say; the IP named both ways, so that the key and the inet index both
                   -- find it exactly); an IP held by another canonical device is not this device's
                   ARRAY(SELECT ip FROM unnest(a.ip_addresses) AS ip
                           LEFT JOIN LATERAL (SELECT canonical_device_id FROM device_identifiers i
                                               WHERE i.tenant_id = a.tenant_id AND i.partition = a.partition
                                                 AND i.kind = 'ip' AND i.value = ip AND i.value::inet = ip::inet
                                              OFFSET 0) holder ON true
                          WHERE holder.canonical_device_id IS NULL
                             OR holder.canonical_device_id = a.canonical_device_id) AS ips
              FROM assigned a""";

    /**
     * The agent's devices (its own, or through its sources' default agent) of enabled sources,
     * each with only the IPs it still holds: an IP that moved to another device is that one's.
     */
    @Override
    public Mono<Inputs> inputs(UUID tenant, String agent) {
        Mono<List<SweepInput.Device>> devices = database.sql(DEVICES)
                .bind("tenant", tenant)
                .bind("agent", agent)
                .map((row, meta) -> new SweepInput.Device(
                        row.get("device_id", String.class),
                        row.get("source_type", String.class),
                        row.get("integration_source_id", UUID.class),
                        row.get("canonical_device_id", UUID.class),
                        SqlArrays.list(row.get("ips", String[].class)),
                        SqlArrays.list(row.get("ports", Integer[].class)),
                        SqlArrays.list(row.get("raw_data_ports", Integer[].class)),
                        row.get("hostname", String.class),
                        row.get("device_type", String.class),
                        row.get("manufacturer", String.class),
                        row.get("model", String.class)))
                .all()
                .collectList();
        return devices.flatMap(list -> sources(tenant, list).map(sources -> new Inputs(list, sources)));
    }

    private Mono<Map<UUID, SweepInput.Source>> sources(UUID tenant, List<SweepInput.Device> devices) {
        UUID[] ids = devices.stream().map(SweepInput.Device::sourceId).distinct().toArray(UUID[]::new);
        if (ids.length == 0) {
            return Mono.just(Map.of());
        }
        return database.sql("""
                        SELECT id, default_ports, sweep_modes, network_prefix, settings FROM integration_sources
                         WHERE tenant_id = :tenant AND id = ANY(:ids)""")
                .bind("tenant", tenant)
                .bind("ids", ids)
                .map((row, meta) -> {
                    JsonNode settings = json.readTree(row.get("settings", Json.class).asString());
                    return new SweepInput.Source(
                            row.get("id", UUID.class),
                            SqlArrays.list(row.get("default_ports", Integer[].class)),
                            SqlArrays.list(row.get("sweep_modes", String[].class)),
                            row.get("network_prefix", Integer.class),
                            integer(settings, "sweep_interval_sec"),
                            integer(settings, "sweep_concurrency"),
                            integer(settings, "sweep_timeout_ms"));
                })
                .all()
                .collect(HashMap::new, (map, source) -> map.put(source.id(), source));
    }

    private static Integer integer(JsonNode settings, String field) {
        JsonNode value = settings.get(field);
        return value == null || !value.isNumber() ? null : value.intValue();
    }
}
