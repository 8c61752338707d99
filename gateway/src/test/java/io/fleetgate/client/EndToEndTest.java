package io.fleetgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.client.agent.AgentRunner;
import io.fleetgate.client.agent.SweepResult;
import io.fleetgate.client.sync.DiscoveryReport;
import io.fleetgate.client.sync.SyncRunner;
import io.fleetgate.net.Cidr;
import io.fleetgate.net.IpAddress;
import io.fleetgate.net.OutboundPolicy;
import io.fleetgate.sweep.Cidrs;
import io.fleetgate.sweepjson.SweepPlan;
import io.fleetgate.test.Await;
import io.fleetgate.test.GatewayTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery to sweep, end to end: the gateway, a sync runner with a faker source on an on-prem
 * sync service, and an agent that sweeps what it is given. Everything on 127.0.0.0/8.
 */
class EndToEndTest extends GatewayTest {

    @TempDir
    Path dir;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private SyncRunner syncRunner(String credential) {
        SyncRunner runner = new SyncRunner(new SyncRunner.Options(GatewayAddress.plaintext("127.0.0.1:" + grpcServer.port(), credential),
                "e2e-sync", 2, 2, Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(2), OutboundPolicy.anywhere()));
        closing.add(runner);
        return runner;
    }

    private AgentRunner agent(String target, String token, String agentId, Path sweepFile) {
        AgentRunner agent = new AgentRunner(new AgentRunner.Options(GatewayAddress.plaintext(target, token), agentId, sweepFile,
                dir.resolve(agentId + "-results.json"), Duration.ofMillis(500), null), Clock.systemUTC());
        closing.add(agent);
        return agent;
    }

    /** Listens on {@code port} (0: a free one) on every address of the block; returns the port. */
    private int listenOn(Cidr block, int port) throws IOException {
        int chosen = port;
        for (long i = 1; i < block.size(); i++) {
            ServerSocket socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getByName(IpAddress.v4(block.base().lo() + i).toString()), chosen));
            chosen = socket.getLocalPort();
            closing.add(socket);
        }
        return chosen;
    }

    @Test
    void devicesGoInTheAgentSweepsThemAndChangesArePushedToItsWatch() throws Exception {
        Cidr lab = Cidr.parse("127.60.0.0/28");
        int open = listenOn(lab, 0);
        int closed = Await.freePort();
        UUID tenant = createTenant("e2e");
        Onboarded sync = onboardSyncService(tenant);
        UUID source = createSource(tenant, sync.id(), Map.of("agent_uid", "e2e-agent", "default_ports", List.of(open, closed),
                "settings", Map.of("count", 3, "seed", 5, "networks", List.of(lab.toString()), "sweep_interval_sec", 10)));

        SyncRunner runner = syncRunner(sync.credential());
        var reports = runner.reports().replay().autoConnect();
        reports.subscribe();
        runner.start();
        DiscoveryReport report = reports.filter(r -> r.sourceId().equals(source.toString())).blockFirst(Duration.ofSeconds(30));
        assertThat(report.succeeded()).isTrue();
        assertThat(report.found()).isEqualTo(3);
        assertThat(report.created()).isEqualTo(3);
        assertThat(report.batches()).isEqualTo(2);

        TreeSet<String> stored = new TreeSet<>();
        try (var c = jdbc(); ResultSet rows = c.createStatement().executeQuery(
                "SELECT unnest(ip_addresses) FROM discovered_devices WHERE integration_source_id = '" + source + "'")) {
            while (rows.next()) {
                stored.add(rows.getString(1));
            }
        }
        assertThat(stored).isNotEmpty().allSatisfy(ip -> assertThat(lab.contains(IpAddress.parse(ip))).isTrue());

        String token = agentToken(tenant);
        AgentRunner agent = agent("127.0.0.1:" + grpcServer.port(), token, "e2e-agent", null);
        var sweeps = agent.sweeps().results();
        agent.start();
        SweepResult first = sweeps.filter(r -> r.origin().equals("getconfig")).blockFirst(Duration.ofSeconds(30));
        SweepPlan plan = agent.sweeps().current();
        assertThat(plan.targets()).extracting(SweepPlan.Target::ip).containsExactlyInAnyOrderElementsOf(stored);
        assertThat(plan.targets()).allSatisfy(t -> assertThat(t.ports()).containsExactly(Math.min(open, closed), Math.max(open, closed)));
        assertThat(plan.networks()).isEqualTo(Cidrs.cover(stored.stream().map(ip -> Cidr.of(IpAddress.parse(ip))).toList()));
        assertThat(plan.interval()).isEqualTo(Duration.ofSeconds(10));
        for (String ip : stored) {
            SweepResult.TargetResult result = first.target(ip);
            assertThat(result.icmp()).isTrue();
            assertThat(result.openPorts()).containsExactly(open);
            assertThat(result.closedPorts()).containsExactly(closed);
        }
        assertThat(Files.readString(dir.resolve("e2e-agent-results.json"))).contains("\"open_ports\" : [ " + open + " ]");

        // the agent reports what it saw: each device's page says it is up, and which agent saw which port answer
        Await.until(Duration.ofSeconds(30), () -> agent.sweepsReported() >= 1);
        for (String ip : stored) {
            var device = deviceHolding(tenant, ip);
            assertThat(device.path("availability").asString()).as(ip).isEqualTo("available");
            var seen = device.path("observations").valueStream().filter(o -> o.path("ip").asString().equals(ip)).findFirst().orElseThrow();
            assertThat(seen.path("agent_uid").asString()).isEqualTo("e2e-agent");
            assertThat(seen.path("state").asString()).isEqualTo("up");
            assertThat(seen.path("open_ports").get(0).asInt()).isEqualTo(open);
            assertThat(seen.path("closed_ports").get(0).asInt()).isEqualTo(closed);
        }
        assertThat(admin().get().uri("/api/v1/agents/{t}/e2e-agent", tenant).exchange().expectBody(String.class).returnResult()
                .getResponseBody()).contains("\"last_sweep\"").contains("\"answered\":" + stored.size());

        // the agent watches (the gateway offers WatchConfig): one watch open
        String version = agent.version();
        Await.until(Duration.ofSeconds(10), () -> metric("fleetgate_watchconfig_open{application=\"fleetgate\"}") >= 1);
        double full = metric("fleetgate_getconfig_requests_seconds_count{application=\"fleetgate\",outcome=\"full\"}");

        // a change of what the agent sweeps is pushed on its watch as a new version, applied without a restart
        int third = Await.freePort();
        admin().put().uri("/api/v1/integration-sources/{id}", source)
                .bodyValue(Map.of("tenant_id", tenant.toString(), "name", "lab", "source_type", "faker", "agent_uid", "e2e-agent",
                        "default_ports", List.of(open, closed, third),
                        "settings", Map.of("count", 3, "seed", 5, "networks", List.of(lab.toString()), "sweep_interval_sec", 10)))
                .exchange().expectStatus().isOk();
        SweepResult after = sweeps.filter(r -> !r.configVersion().equals(version)).blockFirst(Duration.ofSeconds(30));
        assertThat(agent.version()).isNotEqualTo(version);
        // while nothing changed no config went out, and the change went out once (the agent's ACK is answered not_modified)
        assertThat(metric("fleetgate_getconfig_requests_seconds_count{application=\"fleetgate\",outcome=\"full\"}")).isEqualTo(full + 1);
        assertThat(after.target(stored.first()).closedPorts()).contains(third);
        assertThat(after.target(stored.first()).openPorts()).containsExactly(open);
    }

    @Test
    void withoutAGatewayTheAgentSweepsItsSweepJson() throws Exception {
        Cidr block = Cidr.parse("127.61.0.0/30");
        int open = listenOn(block, 0);
        Path sweepFile = dir.resolve("sweep.json");
        Files.writeString(sweepFile, """
                {"networks": [], "ports": [%d], "sweep_modes": ["tcp"], "interval": "5m", "concurrency": 4, "timeout": "1s",
                 "device_targets": [{"network": "127.61.0.1/32", "source": "local", "metadata": {}}]}""".formatted(open));
        AgentRunner agent = agent("127.0.0.1:" + Await.freePort(), "fga_nobody-listens-there-000000000", "fallback-agent", sweepFile);
        var sweeps = agent.sweeps().results();
        agent.start();
        SweepResult result = sweeps.blockFirst(Duration.ofSeconds(30));
        assertThat(result.origin()).isEqualTo("file:" + sweepFile);
        assertThat(result.target("127.61.0.1").openPorts()).containsExactly(open);
        assertThat(result.target("127.61.0.1").icmp()).isNull();
    }

    /** The device page (REST) of the device holding that IP. */
    private tools.jackson.databind.JsonNode deviceHolding(UUID tenant, String ip) {
        var json = tools.jackson.databind.json.JsonMapper.shared();
        var page = json.readTree(admin().get().uri("/api/v1/devices?tenant_id={t}&ip={ip}", tenant, ip).exchange()
                .expectBody(String.class).returnResult().getResponseBody());
        return json.readTree(admin().get().uri("/api/v1/devices/{t}/{d}", tenant, page.path("items").get(0).path("canonical_device_id").asString())
                .exchange().expectBody(String.class).returnResult().getResponseBody());
    }

    private double metric(String line) {
        String metrics = anonymous().get().uri("/actuator/prometheus").exchange().expectBody(String.class).returnResult().getResponseBody();
        return metrics.lines().filter(l -> l.startsWith(line)).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
