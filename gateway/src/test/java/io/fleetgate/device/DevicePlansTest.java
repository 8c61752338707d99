package io.fleetgate.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.database.SqlArrays;
import io.fleetgate.net.IpAddress;
import io.fleetgate.test.GatewayTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Every statement of the device list (each filter, a first page and a page deep in the keyset) and
 * of the device page, planned by PostgreSQL on a realistic table: 100,000 devices of one tenant
 * from four sources, a tenth of them merged, a tenth with agents of their own, statistics
 * analysed. None may read discovered_devices, device_identifiers or device_merges by a sequential
 * scan; the plans are printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DevicePlansTest extends GatewayTest {

    private static final int DEVICES = 100_000;
    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.shared();
    private static final List<String> BIG_TABLES = List.of("discovered_devices", "device_identifiers", "device_merges", "device_availability");

    @Autowired
    DatabaseClient database;

    private UUID tenant;
    private UUID source;
    private UUID middle;
    private DeviceSearchRepository.AgentSources ownAgent;
    private DeviceSearchRepository.AgentSources defaultAgent;

    @BeforeAll
    void realisticTables() throws SQLException {
        awaitReadyOnce();
        tenant = createTenant("plans");
        Onboarded sync = onboardSyncService(tenant);
        List<UUID> sources = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sources.add(createSource(tenant, sync.id(), i == 0 ? Map.of("agent_uid", "agent-default") : Map.of()));
        }
        source = sources.get(1);
        try (Connection connection = jdbc(); Statement sql = connection.createStatement()) {
            String ids = "ARRAY['" + String.join("'::uuid, '", sources.stream().map(UUID::toString).toList()) + "'::uuid]";
            // device i: one IP 10.x.y.z and one usable MAC of its own; odd devices of each tenth pair merged with the one before
            sql.execute("""
                    INSERT INTO discovered_devices (id, tenant_id, integration_source_id, device_id, source_type, ip_addresses, mac_addresses,
                                                    hostname, agent_uid, partition, canonical_device_id, first_seen_at, last_seen_at, raw_data)
                    SELECT gen_random_uuid(), '%1$s', (%2$s)[1 + i %% 4], 'dev-' || i, 'faker',
                           ARRAY['10.' || (i >> 16) || '.' || ((i >> 8) & 255) || '.' || (i & 255)],
                           ARRAY['00:1a:2b:' || lpad(to_hex((i >> 16) & 255), 2, '0') || ':' || lpad(to_hex((i >> 8) & 255), 2, '0')
                                 || ':' || lpad(to_hex(i & 255), 2, '0')],
                           'host-' || lpad(i::text, 6, '0'), CASE WHEN i %% 10 = 0 THEN 'agent-' || (i %% 1000 / 10) END, 'default',
                           md5('%1$s' || CASE WHEN i %% 10 = 1 THEN i - 1 ELSE i END)::uuid, now(), now(), '{"site": "hq"}'
                      FROM generate_series(1, %3$d) AS i""".formatted(tenant, ids, DEVICES));
            sql.execute("""
                    INSERT INTO device_identifiers (tenant_id, partition, kind, value, canonical_device_id, claimed_at)
                    SELECT tenant_id, partition, 'ip', ip_addresses[1], canonical_device_id, first_seen_at FROM discovered_devices
                     WHERE tenant_id = '%1$s'
                    UNION ALL
                    SELECT tenant_id, partition, 'mac', mac_addresses[1], canonical_device_id, first_seen_at FROM discovered_devices
                     WHERE tenant_id = '%1$s'""".formatted(tenant));
            sql.execute("""
                    INSERT INTO device_merges (tenant_id, partition, discovered_device_id, canonical_device_id, reason, key)
                    SELECT tenant_id, partition, id, canonical_device_id, 'ip', ip_addresses[1] FROM discovered_devices
                     WHERE tenant_id = '%s' AND substr(device_id, 5)::int %% 10 = 1""".formatted(tenant));
            // a fifth of the devices swept: most of them up, one in a hundred down
            sql.execute("""
                    INSERT INTO device_availability (tenant_id, canonical_device_id, state, since, rule)
                    SELECT DISTINCT tenant_id, canonical_device_id, CASE WHEN substr(device_id, 5)::int %% 100 = 0 THEN 'unavailable' ELSE 'available' END,
                           now(), 'any'
                      FROM discovered_devices WHERE tenant_id = '%s' AND substr(device_id, 5)::int %% 5 = 0""".formatted(tenant));
            sql.execute("ANALYZE device_availability");
            sql.execute("ANALYZE discovered_devices");
            sql.execute("ANALYZE device_identifiers");
            sql.execute("ANALYZE device_merges");
        }
        middle = (UUID) queryValue("SELECT canonical_device_id FROM discovered_devices WHERE tenant_id = ? ORDER BY canonical_device_id"
                + " OFFSET " + DEVICES / 2 + " LIMIT 1", tenant);
        ownAgent = DeviceSearchRepository.AgentSources.NONE;
        defaultAgent = new DeviceSearchRepository.AgentSources(new UUID[]{sources.get(0)}, new UUID[0]);
    }

    private void awaitReadyOnce() {
        startup.ready().block(Duration.ofSeconds(60));
    }

    Stream<Arguments> listStatements() {
        // the index each plan must use: a selective filter's own, a broad one's walk in canonical order
        return Stream.of(
                list("every device", q -> q, null, "discovered_devices_canonical"),
                list("hostname prefix", q -> q.hostname("host-0123"), null, "discovered_devices_hostname"),
                list("hostname prefix matching a tenth", q -> q.hostname("host-01"), null, "discovered_devices_canonical"),
                list("an IP", q -> q.range("10.0.200.7/32"), null, "device_identifiers_ip"),
                list("a CIDR /24", q -> q.range("10.1.2.0/24"), null, "device_identifiers_ip"),
                list("a CIDR wider than /8", q -> q.range("0.0.0.0/1"), null, "device_identifiers_ip"),
                list("a MAC", q -> q.mac("00:1a:2b:00:30:39"), null, "discovered_devices_macs"),
                list("a MAC and a hostname", q -> q.mac("00:1a:2b:00:30:39").hostname("host"), null, "discovered_devices_macs"),
                list("a source", q -> q.source(source), null, "discovered_devices_canonical"),
                list("an agent of its own", q -> q.agent("agent-7"), ownAgent, "discovered_devices_agent_canonical"),
                list("an agent by its sources' default", q -> q.agent("agent-default"), defaultAgent, "discovered_devices_canonical"),
                list("a CIDR and a source", q -> q.range("10.0.0.0/16").source(source), null, "device_identifiers_ip"),
                list("a hostname prefix and an agent", q -> q.hostname("host-09").agent("agent-default"), defaultAgent,
                        "discovered_devices_canonical"),
                list("available (most swept devices)", q -> q.availability("available"), null, "discovered_devices_canonical"),
                list("unavailable (a few)", q -> q.availability("unavailable"), null, "device_availability_state"),
                list("unknown (never swept)", q -> q.availability("unknown"), null, "discovered_devices_canonical"));
    }

    private static Arguments list(String name, UnaryOperator<QueryBuilder> filters, DeviceSearchRepository.AgentSources agentSources,
                                  String index) {
        return Arguments.of(name, filters, agentSources, index);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listStatements")
    void everyFilterOfTheListIsAnIndexScanOnTheFirstPageAndDeepInTheKeyset(String name, UnaryOperator<QueryBuilder> filters,
                                                                            DeviceSearchRepository.AgentSources agentSources, String index) {
        DeviceQuery first = filters.apply(new QueryBuilder(tenant)).build(null);
        DeviceCursor.Position deep = new DeviceCursor.Position(tenant, middle, first.byAddress() ? IpAddress.parse("10.0.128.0") : null);
        DeviceQuery deeper = filters.apply(new QueryBuilder(tenant)).build(deep);
        for (DeviceQuery query : List.of(first, deeper)) {
            var statement = DeviceSearchRepository.pageStatement(query, agentSources == null ? DeviceSearchRepository.AgentSources.NONE : agentSources);
            String plan = assertIndexed(name + (query.after() == null ? ", first page" : ", deep page"),
                    statement.bind(database.sql("EXPLAIN " + statement.text())));
            assertThat(plan).as(name).containsPattern("(Index (Only )?Scan using|Bitmap Index Scan on) " + index + " ");
        }
    }

    Stream<Arguments> detailStatements() {
        UUID[] records = {UUID.randomUUID(), UUID.randomUUID()};
        return Stream.of(
                Arguments.of("records", DeviceDetailRepository.RECORDS, Map.of("tenant", tenant, "canonical", middle)),
                Arguments.of("identifiers", DeviceDetailRepository.IDENTIFIERS, Map.of("tenant", tenant,
                        "partitions", SqlArrays.literal(new String[]{"default", "default"}),
                        "kinds", SqlArrays.literal(new String[]{"ip", "mac"}),
                        "values", SqlArrays.literal(new String[]{"10.0.0.1", "00:1a:2b:00:00:01"}))),
                Arguments.of("merges", DeviceDetailRepository.MERGES, Map.of("tenant", tenant, "canonical", middle, "records", records)),
                Arguments.of("pins", DeviceDetailRepository.KEPT_APART, Map.of("tenant", tenant, "sources", new UUID[]{source},
                        "devices", SqlArrays.literal(new String[]{"dev-5"}))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("detailStatements")
    void everyStatementOfTheDevicePageIsAnIndexScan(String name, String sql, Map<String, Object> binds) {
        var spec = database.sql("EXPLAIN " + sql);
        for (var bind : binds.entrySet()) {
            spec = spec.bind(bind.getKey(), bind.getValue());
        }
        assertIndexed(name, spec);
    }

    /**
     * A wide CIDR with a filter whose devices sit at the end of it: each page looks at no more than
     * the scan budget of IPs, and says where to go on even when it found nothing; following the
     * cursors finds every match, once.
     */
    @org.junit.jupiter.api.Test
    void aWideRangeWithAFilterMatchingItsEndIsWalkedAPageOfBoundedWorkAtATime() {
        List<String> found = new ArrayList<>();
        int emptyPagesWithMore = 0;
        int pages = 0;
        String after = "";
        do {
            var page = JSON.readTree(admin().get().uri("/api/v1/devices?tenant_id=" + tenant + "&cidr=10.0.0.0/8&q=host-09999&limit=4&after="
                    + after).exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
            page.path("items").forEach(item -> found.add(item.path("matched_ip").asString()));
            after = page.path("next").isNull() ? null : page.path("next").asString();
            emptyPagesWithMore += page.path("items").isEmpty() && after != null ? 1 : 0;
            pages++;
        } while (after != null && pages < 100);
        // one item per matching IP, in IP order: the IPs of hosts 099990 to 099999
        assertThat(found).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(99990, 99999)
                .mapToObj(i -> "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255)).toList());
        assertThat(emptyPagesWithMore).as("pages that stopped at the budget").isGreaterThanOrEqualTo(DEVICES / DeviceSearchRepository.SCAN_BUDGET - 2);
    }

    private static String assertIndexed(String name, DatabaseClient.GenericExecuteSpec explain) {
        List<String> plan = explain.map((row, meta) -> row.get(0, String.class)).all().collectList().block(Duration.ofSeconds(30));
        String text = String.join("\n", plan);
        System.out.println("-- " + name + "\n" + text + "\n");
        for (String table : BIG_TABLES) {
            assertThat(text).as(name + ":\n" + text).doesNotContain("Seq Scan on " + table);
        }
        assertThat(text).as(name).containsPattern("Index (Only )?Scan|Bitmap Index Scan");
        return text;
    }

    /** A device query built filter by filter. */
    static final class QueryBuilder {
        private final UUID tenant;
        private String range;
        private String mac;
        private String hostname;
        private UUID source;
        private String agent;
        private io.fleetgate.availability.DeviceAvailability.Availability availability;

        QueryBuilder(UUID tenant) {
            this.tenant = tenant;
        }

        QueryBuilder range(String cidr) {
            range = cidr;
            return this;
        }

        QueryBuilder mac(String value) {
            mac = value;
            return this;
        }

        QueryBuilder hostname(String prefix) {
            hostname = prefix;
            return this;
        }

        QueryBuilder source(UUID id) {
            source = id;
            return this;
        }

        QueryBuilder agent(String uid) {
            agent = uid;
            return this;
        }

        QueryBuilder availability(String state) {
            availability = io.fleetgate.availability.DeviceAvailability.Availability.of(state);
            return this;
        }

        DeviceQuery build(DeviceCursor.Position after) {
            return new DeviceQuery(tenant, range == null ? null : io.fleetgate.net.Cidr.parse(range), mac, hostname, source, agent,
                    availability, after, DeviceQuery.DEFAULT_LIMIT);
        }
    }
}
