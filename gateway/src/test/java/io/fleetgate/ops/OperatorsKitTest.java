package io.fleetgate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.grpc.GrpcServer;
import io.fleetgate.platform.GatewayStartup;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.HostResult;
import io.fleetgate.proto.SweepResultsBatch;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.test.AdminClient;
import io.fleetgate.test.Await;
import io.fleetgate.test.Gateways;
import io.fleetgate.test.GrpcClients;
import io.fleetgate.test.TestDatabase;
import io.grpc.ManagedChannel;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.yaml.snakeyaml.Yaml;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The operators' kit against a live gateway: every metric the Grafana dashboard and the alert
 * rules query is in the gateway's scrape once it has done a little of everything (KV mode on, so
 * the KV series exist), and promtool accepts the rules and passes their unit tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorsKitTest {

    private static final Path DEPLOY = Path.of("deploy");
    private static final String PASSWORD = "kit-admin-password";
    /** Series Prometheus makes itself, not the gateway. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");

    private ConfigurableApplicationContext gateway;
    private String bucket;

    @BeforeAll
    void aGatewayThatDidALittleOfEverything() {
        bucket = "fleetgate-kit-" + UUID.randomUUID().toString().substring(0, 8);
        gateway = Gateways.start(TestDatabase.createDatabase("fleetgate_kit"), Map.of(
                "fleetgate.platform.admin-password", PASSWORD,
                "fleetgate.sweep.source", "both",
                "fleetgate.kv.bucket", bucket,
                "fleetgate.agent.poll-flush-interval", "200ms",
                "fleetgate.agent.metrics-interval", "500ms",
                "fleetgate.availability.metrics-interval", "500ms"));
        gateway.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
        AdminClient admin = new AdminClient(gateway, PASSWORD);
        UUID tenant = admin.tenant("kit");
        Map<?, ?> sync = admin.post("/api/v1/sync-services", Map.of("tenant_id", tenant.toString(), "name", "dc"));
        String source = (String) admin.post("/api/v1/integration-sources", Map.of("tenant_id", tenant.toString(), "name", "lab",
                "source_type", "faker", "sync_service_id", sync.get("id"), "agent_uid", "kit-agent", "default_ports", List.of(22))).get("id");
        String agentToken = (String) admin.post("/api/v1/tenants/" + tenant + "/agent-tokens", Map.of()).get("token");
        ManagedChannel channel = GrpcClients.channel(gateway.getBean(GrpcServer.class).port());
        try {
            // a batch with a device stored and one rejected
            GrpcClients.reactor(channel, (String) sync.get("credential")).syncDevices(Flux.just(SyncDevicesRequest.newBuilder()
                    .setBatchSeq(1).setIntegrationSourceId(source)
                    .addDevices(DiscoveredDevice.newBuilder().setDeviceId("d1").setSourceType("faker").addIpAddresses("127.0.0.5"))
                    .addDevices(DiscoveredDevice.newBuilder().setDeviceId("d2").setSourceType("faker").addIpAddresses("not-an-ip"))
                    .build())).blockLast(Duration.ofSeconds(30));
            var agent = GrpcClients.blocking(channel, agentToken);
            agent.hello(AgentHelloRequest.newBuilder().setAgentId("kit-agent").build());
            AgentConfigResponse config = agent.getConfig(AgentConfigRequest.newBuilder().setAgentId("kit-agent").build());
            agent.getConfig(AgentConfigRequest.newBuilder().setAgentId("kit-agent").setConfigVersion(config.getConfigVersion()).build());
            // the agent refuses its config once, then reports a sweep
            agent.getConfig(AgentConfigRequest.newBuilder().setAgentId("kit-agent").setRejectedConfigVersion(config.getConfigVersion())
                    .setRejectReason("kit test").build());
            GrpcClients.reactor(channel, agentToken).reportSweepResults(Flux.just(SweepResultsBatch.newBuilder().setAgentId("kit-agent")
                    .setBatchSeq(1).setConfigVersion(config.getConfigVersion()).setSweepStartedAt(System.currentTimeMillis())
                    .setSweepComplete(true)
                    .addHosts(HostResult.newBuilder().setIp("127.0.0.5").setIcmpAvailable(true).setObservedAt(System.currentTimeMillis()))
                    .build())).blockLast(Duration.ofSeconds(30));
        } finally {
            channel.shutdownNow();
        }
    }

    @AfterAll
    void stop() throws Exception {
        gateway.close();
        try (Connection nats = Nats.connect("nats://127.0.0.1:4222")) {
            nats.keyValueManagement().delete(bucket);
        } catch (Exception ignored) {
            // never created
        }
    }

    @Test
    void everyMetricTheDashboardQueriesIsScraped() throws Exception {
        JsonNode dashboard = JsonMapper.shared().readTree(Files.readString(DEPLOY.resolve("grafana/fleetgate.json")));
        List<String> expressions = new ArrayList<>();
        collectExpressions(dashboard, expressions);
        assertThat(expressions).hasSizeGreaterThan(20);
        assertEveryMetricScraped("deploy/grafana/fleetgate.json", expressions);
    }

    @Test
    void everyMetricTheAlertRulesQueryIsScraped() throws Exception {
        Map<String, Object> rules = new Yaml().load(Files.readString(DEPLOY.resolve("prometheus/fleetgate-rules.yaml")));
        @SuppressWarnings("unchecked")
        List<String> expressions = ((List<Map<String, Object>>) rules.get("groups")).stream()
                .flatMap(group -> ((List<Map<String, Object>>) group.get("rules")).stream())
                .map(rule -> (String) rule.get("expr")).toList();
        assertThat(expressions).hasSizeGreaterThanOrEqualTo(8);
        assertEveryMetricScraped("deploy/prometheus/fleetgate-rules.yaml", expressions);
    }

    @Test
    void promtoolAcceptsTheRulesAndPassesTheirUnitTests() throws Exception {
        Path promtool = Stream.of(System.getenv("PATH").split(":")).map(dir -> Path.of(dir, "promtool")).filter(Files::isExecutable)
                .findFirst().orElse(null);
        Assumptions.assumeTrue(promtool != null, "promtool not installed (Debian: apt-get install prometheus); .ci/run installs it");
        Path rules = DEPLOY.resolve("prometheus");
        assertThat(run(rules, promtool.toString(), "check", "rules", "fleetgate-rules.yaml")).contains("SUCCESS");
        assertThat(run(rules, promtool.toString(), "test", "rules", "fleetgate-rules.test.yaml")).contains("SUCCESS");
    }

    /**
     * The Kubernetes manifests against the application: container ports are the ports the gateway
     * listens on by default, every variable they set is one the gateway reads, the probes' paths
     * answer, and Service and ServiceMonitor name ports that exist.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theKubernetesManifestsMatchTheApplicationsPortsPathsAndVariables() throws Exception {
        Path manifests = DEPLOY.resolve("kubernetes");
        String application = Files.readString(Path.of("gateway/src/main/resources/application.yaml"));
        Map<String, Object> deployment = new Yaml().load(Files.readString(manifests.resolve("deployment.yaml")));
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployment.get("spec")).get("template"))
                .get("spec");
        Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
        Map<String, Integer> ports = ((List<Map<String, Object>>) container.get("ports")).stream()
                .collect(Collectors.toMap(port -> (String) port.get("name"), port -> (Integer) port.get("containerPort")));
        Map<String, String> env = ((List<Map<String, Object>>) container.get("env")).stream()
                .collect(Collectors.toMap(variable -> (String) variable.get("name"), variable -> (String) variable.get("value")));
        // the ports the gateway listens on are the container's ports
        assertThat(application).contains("${SERVER_PORT:" + ports.get("http") + "}", "${FLEETGATE_GRPC_PORT:" + ports.get("grpc") + "}");
        assertThat(env).containsEntry("SERVER_PORT", String.valueOf(ports.get("http")))
                .containsEntry("FLEETGATE_GRPC_PORT", String.valueOf(ports.get("grpc")))
                .containsEntry("FLEETGATE_MANAGEMENT_PORT", String.valueOf(ports.get("management")));
        // every variable the manifests set is one the gateway reads
        Map<String, Object> secret = new Yaml().load(Files.readString(manifests.resolve("secret.example.yaml")));
        Set<String> variables = new TreeSet<>(env.keySet());
        variables.addAll(((Map<String, Object>) secret.get("stringData")).keySet());
        variables.remove("JAVA_TOOL_OPTIONS");
        String code = Files.readString(Path.of("gateway/src/main/java/io/fleetgate/GatewayApplication.java"));
        assertThat(variables).allSatisfy(variable -> assertThat(application.contains("${" + variable + ":") || code.contains('"' + variable + '"'))
                .as(variable + " is read by the gateway").isTrue());
        // the probes' paths answer on a running gateway, on the port they name
        WebTestClient http = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port")).build();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            Map<String, Object> get = (Map<String, Object>) ((Map<String, Object>) container.get(probe)).get("httpGet");
            assertThat(get.get("port")).as(probe).isEqualTo("management");
            http.get().uri((String) get.get("path")).exchange().expectStatus().isOk();
        }
        Map<String, Object> monitor = new Yaml().load(Files.readString(manifests.resolve("servicemonitor.yaml")));
        Map<String, Object> endpoint = ((List<Map<String, Object>>) ((Map<String, Object>) monitor.get("spec")).get("endpoints")).get(0);
        http.get().uri((String) endpoint.get("path")).exchange().expectStatus().isOk();
        // the Service's and ServiceMonitor's ports are the container's
        Map<String, Object> service = new Yaml().load(Files.readString(manifests.resolve("service.yaml")));
        List<Map<String, Object>> servicePorts = (List<Map<String, Object>>) ((Map<String, Object>) service.get("spec")).get("ports");
        assertThat(servicePorts).allSatisfy(port -> assertThat(ports).containsKey((String) port.get("targetPort")));
        assertThat(servicePorts).extracting(port -> port.get("name")).contains(endpoint.get("port"));
        // hardened as an SRE expects: non-root, read-only root, no privilege escalation, resources set
        Map<String, Object> security = (Map<String, Object>) container.get("securityContext");
        assertThat(security).containsEntry("readOnlyRootFilesystem", true).containsEntry("allowPrivilegeEscalation", false);
        assertThat((Map<String, Object>) pod.get("securityContext")).containsEntry("runAsNonRoot", true);
        assertThat(container).containsKey("resources");
    }

    private void assertEveryMetricScraped(String file, List<String> expressions) {
        Set<String> queried = expressions.stream().flatMap(expression -> metricNames(expression).stream())
                .filter(name -> !PROMETHEUS_OWN.contains(name)).collect(Collectors.toCollection(TreeSet::new));
        assertThat(queried).as(file + " queries metrics").isNotEmpty();
        // some series appear only after a flush or a count of the fleet: wait for them a little
        Set<String> missing = new TreeSet<>(queried);
        Await.until(Duration.ofSeconds(20), () -> {
            missing.retainAll(queried);
            missing.removeAll(scrapedNames());
            return missing.isEmpty();
        });
        assertThat(missing).as("metrics " + file + " queries that the gateway does not export").isEmpty();
    }

    private Set<String> scrapedNames() {
        String scrape = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port")).build()
                .get().uri("/actuator/prometheus").exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        return scrape.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toSet());
    }

    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*+");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");

    /** The metric names of a PromQL expression: identifiers outside strings, matchers, ranges and groupings that call nothing. */
    static Set<String> metricNames(String expression) {
        String bare = QUOTED.matcher(expression).replaceAll("\"\"");
        bare = bare.replaceAll("\\{[^}]*\\}", " ").replaceAll("\\[[^]]*\\]", " ");
        bare = GROUPING.matcher(bare).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(bare);
        while (identifier.find()) {
            String name = identifier.group();
            int end = identifier.end();
            boolean calls = bare.substring(end).stripLeading().startsWith("(");
            if (!calls && !KEYWORDS.contains(name.toLowerCase()) && !name.startsWith("$")) {
                names.add(name);
            }
        }
        return names;
    }

    @Test
    void metricNamesReadsPromqlAsPrometheusDoes() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (method, le) (rate(fleetgate_grpc_server_calls_seconds_bucket{job=~\"$job\"}[5m])))"))
                .containsExactly("fleetgate_grpc_server_calls_seconds_bucket");
        assertThat(metricNames("max by (tenant) (a{x=\"y\"}) / max by (tenant) (sum by (tenant, instance) (b)) > 0.05 and c == 0 or up"))
                .containsExactly("a", "b", "c", "up");
    }

    private static void collectExpressions(JsonNode node, List<String> into) {
        if (node.isObject()) {
            JsonNode expression = node.get("expr");
            if (expression != null && expression.isString()) {
                into.add(expression.asString());
            }
            node.values().forEach(child -> collectExpressions(child, into));
        } else if (node.isArray()) {
            node.values().forEach(child -> collectExpressions(child, into));
        }
    }

    private static String run(Path directory, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
        return output;
    }
}
