package io.fleetgate.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.client.GatewayAddress;
import io.fleetgate.client.agent.AgentRunner;
import io.fleetgate.client.agent.NatsKvSweepSource;
import io.fleetgate.client.agent.SweepResult;
import io.fleetgate.grpc.GrpcServer;
import io.fleetgate.platform.GatewayStartup;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.sweepjson.SweepPlan;
import io.fleetgate.test.AdminClient;
import io.fleetgate.test.Await;
import io.fleetgate.test.Gateways;
import io.fleetgate.test.GrpcClients;
import io.fleetgate.test.TcpProxy;
import io.fleetgate.test.TestDatabase;
import io.grpc.ManagedChannel;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.api.KeyValueEntry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/** FLEETGATE_SWEEP_SOURCE in each of its modes, against the NATS server of this machine (127.0.0.1:4222, JetStream on). */
class KvSweepPathTest {

    private static final String PASSWORD = "kv-admin-password";
    private static final String NATS = "nats://127.0.0.1:4222";

    private String bucket;
    private Connection nats;

    @BeforeEach
    void bucket() throws Exception {
        bucket = "fleetgate-test-" + UUID.randomUUID().toString().substring(0, 8);
        nats = Nats.connect(NATS);
    }

    @AfterEach
    void dropBucket() throws Exception {
        try {
            nats.keyValueManagement().delete(bucket);
        } catch (Exception ignored) {
            // never created
        }
        nats.close();
    }

    /** A gateway in that mode with a tenant, an on-prem sync service and a faker source for agent kv-agent. */
    private final class Fleet implements AutoCloseable {
        final ConfigurableApplicationContext gateway;
        final ManagedChannel channel;
        final String syncCredential;
        final String source;
        final String agentToken;
        long seq;

        Fleet(String mode, String natsUrl) {
            Map<String, String> settings = new HashMap<>(Map.of("fleetgate.sweep.source", mode, "fleetgate.kv.url", natsUrl,
                    "fleetgate.kv.bucket", bucket, "fleetgate.kv.retry-every", "300ms", "fleetgate.platform.admin-password", PASSWORD));
            gateway = Gateways.start(TestDatabase.createDatabase("fleetgate_kv"), settings);
            gateway.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
            AdminClient admin = new AdminClient(gateway, PASSWORD);
            UUID tenant = admin.tenant("kv-" + mode);
            Map<?, ?> sync = admin.post("/api/v1/sync-services", Map.of("tenant_id", tenant.toString(), "name", "dc"));
            syncCredential = (String) sync.get("credential");
            source = (String) admin.post("/api/v1/integration-sources", Map.of("tenant_id", tenant.toString(), "name", "lab",
                    "source_type", "faker", "sync_service_id", sync.get("id"), "agent_uid", "kv-agent")).get("id");
            agentToken = (String) admin.post("/api/v1/tenants/" + tenant + "/agent-tokens", Map.of()).get("token");
            channel = GrpcClients.channel(gateway.getBean(GrpcServer.class).port());
        }

        void report(String ip, int port) {
            var batch = SyncDevicesRequest.newBuilder().setBatchSeq(++seq).setIntegrationSourceId(source)
                    .addDevices(DiscoveredDevice.newBuilder().setDeviceId("d1").setSourceType("faker").addIpAddresses(ip).addPorts(port));
            GrpcClients.reactor(channel, syncCredential).syncDevices(Flux.just(batch.build())).blockLast(Duration.ofSeconds(30));
        }

        AgentConfigResponse getConfig() {
            return GrpcClients.blocking(channel, agentToken).getConfig(AgentConfigRequest.newBuilder().setAgentId("kv-agent").build());
        }

        double metric(String name) {
            String body = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port"))
                    .build().get().uri("/actuator/prometheus").exchange().expectBody(String.class).returnResult().getResponseBody();
            return body.lines().filter(line -> line.startsWith(name)).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .sum();
        }

        @Override
        public void close() {
            channel.shutdownNow();
            gateway.close();
        }
    }

    private String stored(String key) {
        try {
            KeyValue kv = nats.keyValue(bucket);
            KeyValueEntry entry = kv.get(key);
            return entry == null || entry.getValue() == null ? null : new String(entry.getValue(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return null; // no bucket yet
        }
    }

    private static final String KEY = "agents/kv-agent/checkers/sweep/sweep.json";

    @Test
    void getconfigModeNeverConnectsToNats() throws IOException {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket fakeNats = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!fakeNats.isClosed()) {
                    try {
                        fakeNats.accept().close();
                        connections.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (Fleet fleet = new Fleet("getconfig", "nats://127.0.0.1:" + fakeNats.getLocalPort())) {
                assertThat(fleet.gateway.getBeanNamesForType(KvSweepPublisher.class)).isEmpty();
                fleet.report("127.50.0.1", 22);
                AgentConfigResponse config = fleet.getConfig();
                assertThat(config.hasSweep()).isTrue();
                assertThat(config.getSweep().getDeviceTargetsCount()).isEqualTo(1);
                assertThat(Await.throughout(Duration.ofSeconds(1), () -> connections.get() == 0)).isTrue();
            }
        }
    }

    @Test
    void kvModePublishesSweepJsonOnEveryChangeAndGetConfigCarriesNoSweep() throws Exception {
        try (Fleet fleet = new Fleet("kv", NATS)) {
            fleet.report("127.50.1.1", 22);
            Await.until(Duration.ofSeconds(10), () -> stored(KEY) != null && stored(KEY).contains("127.50.1.1/32"));
            String first = stored(KEY);
            assertThat(first).contains("\"networks\"").contains("\"interval\" : \"5m\"").contains("\"ports\" : [ 22 ]");

            AgentConfigResponse config = fleet.getConfig();
            assertThat(config.hasSweep()).isFalse();
            assertThat(config.getConfigVersion()).isNotEmpty();
            assertThat(first).contains(config.getConfigVersion());

            fleet.report("127.50.1.1", 3389); // a change: the value is replaced
            Await.until(Duration.ofSeconds(10), () -> stored(KEY).contains("3389"));
            assertThat(fleet.metric("fleetgate_kv_publishes_total")).isGreaterThanOrEqualTo(2);

            // the agent's matching option reads it from there
            try (NatsKvSweepSource kv = new NatsKvSweepSource(NATS, bucket, "agents/{agent_uid}/checkers/sweep/sweep.json")) {
                SweepPlan plan = kv.read(null, "kv-agent").block(Duration.ofSeconds(10));
                assertThat(plan.origin()).isEqualTo("kv:" + KEY);
                assertThat(plan.targets()).singleElement().satisfies(target -> {
                    assertThat(target.ip()).isEqualTo("127.50.1.1");
                    assertThat(target.ports()).containsExactly(3389);
                });
                assertThat(plan.version()).isEqualTo(fleet.getConfig().getConfigVersion());

                // end to end: an agent told to read the KV store sweeps what it finds there
                String gateway = "127.0.0.1:" + fleet.gateway.getBean(GrpcServer.class).port();
                try (AgentRunner agent = new AgentRunner(new AgentRunner.Options(GatewayAddress.plaintext(gateway, fleet.agentToken),
                        "kv-agent", null, null, Duration.ofMillis(500), kv), Clock.systemUTC())) {
                    var results = agent.sweeps().results();
                    agent.start();
                    SweepResult result = results.blockFirst(Duration.ofSeconds(30));
                    assertThat(result.origin()).isEqualTo("kv:" + KEY);
                    assertThat(result.target("127.50.1.1").closedPorts()).containsExactly(3389);
                }
            }
        }
    }

    @Test
    void bothModePublishesAndGetConfigCarriesTheSweepToo() {
        try (Fleet fleet = new Fleet("both", NATS)) {
            fleet.report("127.50.2.1", 443);
            Await.until(Duration.ofSeconds(10), () -> stored(KEY) != null && stored(KEY).contains("127.50.2.1/32"));
            AgentConfigResponse config = fleet.getConfig();
            assertThat(config.hasSweep()).isTrue();
            assertThat(stored(KEY)).contains(config.getSweep().getConfigHash());
        }
    }

    @Test
    void aSweepJsonOverNatsMaxPayloadIsRefusedOnceAndCountedNotRetriedForEver() throws Exception {
        try (Fleet fleet = new Fleet("kv", NATS)) {
            fleet.report("127.50.4.1", 22);
            Await.until(Duration.ofSeconds(10), () -> stored(KEY) != null && stored(KEY).contains("127.50.4.1/32"));
            // ~6,000 targets: well over the 1 MiB NATS takes in one message by default
            var batch = SyncDevicesRequest.newBuilder().setBatchSeq(++fleet.seq).setIntegrationSourceId(fleet.source);
            for (int i = 0; i < 6000; i++) {
                batch.addDevices(DiscoveredDevice.newBuilder().setDeviceId("big-" + i).setSourceType("faker")
                        .addIpAddresses("127.51." + (i / 250) + "." + (i % 250 + 1)).addPorts(22).addPorts(443));
            }
            GrpcClients.reactor(fleet.channel, fleet.syncCredential).syncDevices(Flux.just(batch.build())).blockLast(Duration.ofSeconds(60));
            Await.until(Duration.ofSeconds(20), () -> fleet.metric("fleetgate_kv_publish_too_large_total") == 1);
            // nothing waits to be retried, and that version is counted once however many retry ticks pass
            Await.until(Duration.ofSeconds(10), () -> fleet.metric("fleetgate_kv_pending") == 0);
            assertThat(fleet.metric("fleetgate_kv_publish_too_large_total")).isEqualTo(1);
            assertThat(fleet.metric("fleetgate_kv_publish_failures_total")).isZero();
            assertThat(stored(KEY)).contains("127.50.4.1/32").doesNotContain("127.51.0.1/32");
            // its next version is tried again (and, as large, refused once more)
            fleet.report("127.50.4.2", 22);
            Await.until(Duration.ofSeconds(10), () -> fleet.metric("fleetgate_kv_publish_too_large_total") == 2);
        }
    }

    @Test
    void aNatsOutageIsRetriedAndCountedAndNeverFailsIngestOrGetConfig() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", 4222);
             Fleet fleet = new Fleet("kv", "nats://127.0.0.1:" + proxy.port())) {
            fleet.report("127.50.3.1", 22);
            Await.until(Duration.ofSeconds(10), () -> stored(KEY) != null && stored(KEY).contains("127.50.3.1/32"));

            proxy.cut();
            fleet.report("127.50.3.1", 9917); // ingest goes on
            assertThat(fleet.getConfig().getConfigVersion()).isNotEmpty(); // and so does GetConfig
            Await.until(Duration.ofSeconds(10), () -> fleet.metric("fleetgate_kv_publish_failures_total") > 0);
            assertThat(stored(KEY)).doesNotContain("9917");

            proxy.restore();
            Await.until(Duration.ofSeconds(20), () -> stored(KEY).contains("9917"));
            assertThat(fleet.metric("fleetgate_kv_pending")).isZero();
        }
    }
}
