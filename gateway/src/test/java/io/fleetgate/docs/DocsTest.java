package io.fleetgate.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.fleetgate.grpc.GrpcServer;
import io.fleetgate.platform.GatewayStartup;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.MonitoringProto;
import io.fleetgate.proto.SweepResultsAck;
import io.fleetgate.proto.SweepResultsBatch;
import io.fleetgate.proto.SyncConfigRequest;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.proto.SyncDevicesResponse;
import io.fleetgate.proto.SyncServiceHeartbeatRequest;
import io.fleetgate.proto.SyncServiceHelloRequest;
import io.fleetgate.test.AdminClient;
import io.fleetgate.test.Await;
import io.fleetgate.test.Gateways;
import io.fleetgate.test.GrpcClients;
import io.fleetgate.test.TestDatabase;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.health.v1.HealthProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.json.JsonMapper;

/**
 * The docs cannot drift: against a running gateway, every configuration variable they name is one
 * the application reads (and every one it reads is documented), every metric they name is exported
 * (and every fleetgate_ metric exported is documented), every curl example of the API reference
 * answers 2xx, every grpcurl example is a valid call that succeeds, and the API reference names
 * every RPC, message and field of the contract.
 */
class DocsTest {

    private static final String PASSWORD = "docs-admin-password";
    private static final Path DOCS = Path.of("docs");
    private static ConfigurableApplicationContext gateway;
    private static ManagedChannel channel;
    private static WebTestClient admin;
    private static final JsonMapper JSON = JsonMapper.shared();

    @BeforeAll
    static void start() {
        gateway = Gateways.start(TestDatabase.createDatabase("fleetgate_docs"), Map.of(
                "fleetgate.platform.admin-password", PASSWORD,
                // both: the legacy KV path's metrics exist too
                "fleetgate.sweep.source", "both",
                // the agents' metrics (a refusal among them) show within a second
                "fleetgate.agent.poll-flush-interval", "200ms",
                "fleetgate.agent.metrics-interval", "500ms",
                "fleetgate.availability.metrics-interval", "500ms",
                "fleetgate.kv.bucket", "fleetgate-docs-" + UUID.randomUUID().toString().substring(0, 8)));
        gateway.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
        channel = GrpcClients.channel(gateway.getBean(GrpcServer.class).port());
        admin = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port"))
                .responseTimeout(Duration.ofSeconds(30)).defaultHeaders(h -> h.setBasicAuth("admin", PASSWORD)).build();
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        gateway.close();
    }

    private static String read(String file) throws IOException {
        return Files.readString(file.equals("README.md") ? Path.of(file) : DOCS.resolve(file));
    }

    @Test
    void everyDocumentedVariableIsReadByTheApplicationAndEveryOneItReadsIsDocumented() throws IOException {
        String yaml = new ClassPathResource("application.yaml").getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
        Set<String> read = matches(Pattern.compile("\\$\\{((?:FLEETGATE|SERVER)_[A-Z0-9_]+)"), yaml);
        // and those read before Spring starts (FLEETGATE_LOG_FORMAT picks the logging format)
        read.addAll(matches(Pattern.compile("System\\.getenv\\(\"(FLEETGATE_[A-Z0-9_]+)\"\\)"),
                Files.readString(Path.of("gateway/src/main/java/io/fleetgate/GatewayApplication.java"))));
        for (String doc : List.of("operations.md", "README.md", "migration.md", "api.md", "security.md")) {
            // FLEETGATE_TEST_* are the test suite's own (README names them), not the gateway's
            Set<String> named = matches(Pattern.compile("\\b((?:FLEETGATE_(?!TEST_)[A-Z0-9_]+)|SERVER_PORT)\\b"), read(doc));
            assertThat(read).as(doc + " names only variables the application reads").containsAll(named);
        }
        assertThat(read).as("application.yaml was read").hasSizeGreaterThan(30);
        assertThat(matches(Pattern.compile("`((?:FLEETGATE_[A-Z0-9_]+)|SERVER_PORT)`"), read("operations.md")))
                .as("operations.md documents every variable the application reads").containsAll(read);
    }

    @Test
    void everyDocumentedMetricIsExportedAndEveryExportedFleetgateMetricIsDocumented() throws Exception {
        Vars vars = fleet("metrics");
        HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
        var agent = GrpcClients.blocking(channel, vars.get("AGENT_TOKEN"));
        agent.hello(AgentHelloRequest.newBuilder().setAgentId("agent-1").build());
        String version = agent.getConfig(AgentConfigRequest.newBuilder().setAgentId("agent-1").build()).getConfigVersion();
        agent.getConfig(AgentConfigRequest.newBuilder().setAgentId("agent-1").setRejectedConfigVersion(version).setRejectReason("docs").build());
        GrpcClients.reactor(channel, vars.get("SYNC_TOKEN")).syncDevices(Flux.just(SyncDevicesRequest.newBuilder().setBatchSeq(1)
                .setIntegrationSourceId(vars.get("SOURCE_ID")).addDevices(io.fleetgate.proto.DiscoveredDevice.newBuilder()
                        .setDeviceId("metrics-1").setSourceType("faker").addIpAddresses("127.10.9.1")).build())).blockLast(Duration.ofSeconds(30));
        // agent-1 sweeps it (the source's default agent) and reports it up
        GrpcClients.reactor(channel, vars.get("AGENT_TOKEN")).reportSweepResults(Flux.just(SweepResultsBatch.newBuilder()
                .setAgentId("agent-1").setBatchSeq(1).setSweepComplete(true)
                .addHosts(io.fleetgate.proto.HostResult.newBuilder().setIp("127.10.9.1").setIcmpAvailable(true)).build()))
                .blockLast(Duration.ofSeconds(30));
        Set<String> names = new TreeSet<>();
        Await.until(Duration.ofSeconds(20), () -> {
            String exported = admin.get().uri("/actuator/prometheus").exchange().expectBody(String.class).returnResult().getResponseBody();
            exported.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                    .map(line -> line.replaceAll("[{ ].*", "").replaceAll("_(bucket|count|sum|max)$", "")).forEach(names::add);
            return names.contains("fleetgate_agent_config_rejections_total") && names.contains("fleetgate_agents")
                    && names.contains("fleetgate_devices_availability") && names.contains("fleetgate_sweep_results_hosts_total");
        });
        Set<String> documented = matches(Pattern.compile("(?m)^\\| `([a-z0-9_]+)` \\| (?:timer|counter|gauge|summary)"), read("operations.md"));
        assertThat(documented).as("the metrics table was read").hasSizeGreaterThan(20);
        assertThat(names).as("exported metrics").containsAll(documented);
        assertThat(documented).as("documented metrics").containsAll(names.stream().filter(n -> n.startsWith("fleetgate_")).toList());
    }

    @Test
    void theApiReferenceNamesEveryRpcMessageAndFieldOfTheContract() throws IOException {
        String api = read("api.md");
        List<String> missing = new ArrayList<>();
        for (Descriptors.ServiceDescriptor service : MonitoringProto.getDescriptor().getServices()) {
            service.getMethods().stream().map(Descriptors.MethodDescriptor::getName).filter(rpc -> !api.contains(rpc)).forEach(missing::add);
        }
        for (Descriptors.Descriptor message : MonitoringProto.getDescriptor().getMessageTypes()) {
            if (!api.contains(message.getName())) {
                missing.add(message.getName());
            }
            message.getFields().stream().filter(field -> !api.contains("`" + field.getName() + "`"))
                    .forEach(field -> missing.add(message.getName() + "." + field.getName()));
        }
        assertThat(missing).as("named nowhere in api.md").isEmpty();
    }

    @Test
    void everyCurlExampleOfTheApiReferenceRuns() throws IOException {
        Map<String, String> vars = new HashMap<>(Map.of("P", PASSWORD));
        List<String> commands = Shell.commands(read("api.md"), "curl");
        assertThat(commands).hasSizeGreaterThanOrEqualTo(12);
        List<Pattern> described = describedOperations();
        for (String command : commands) {
            List<String> words = Shell.words(command, vars);
            String method = null;
            String body = null;
            String url = null;
            for (int i = 1; i < words.size(); i++) {
                switch (words.get(i)) {
                    case "-u", "-H" -> i++;
                    case "-X" -> method = words.get(++i);
                    case "-d" -> body = words.get(++i);
                    default -> url = words.get(i);
                }
            }
            method = method != null ? method : body != null ? "POST" : "GET";
            String path = url.replaceFirst("^http://localhost:8080", "");
            String operation = method + " " + path.replaceFirst("\\?.*$", "");
            if (path.startsWith("/api/v1/") && !path.startsWith("/api/v1/openapi.json")) {
                assertThat(described).as(command + ": in /api/v1/openapi.json").anyMatch(pattern -> pattern.matcher(operation).matches());
            }
            var spec = admin.method(HttpMethod.valueOf(method)).uri(path);
            var result = (body == null ? spec : spec.contentType(MediaType.APPLICATION_JSON).bodyValue(body))
                    .exchange().expectBody(String.class).returnResult();
            assertThat(result.getStatus().is2xxSuccessful()).as(command + " -> " + result.getStatus() + " " + result.getResponseBody()).isTrue();
            remember(path, method, result.getResponseBody(), vars);
        }
        assertThat(vars).containsKeys("TENANT_ID", "TOKEN_ID", "SYNC_SERVICE_ID", "SOURCE_ID");
    }

    /** Every operation of /api/v1/openapi.json as a pattern of "METHOD /path" (a path variable matches one segment). */
    private List<Pattern> describedOperations() {
        JsonNode paths = JSON.readTree(admin.get().uri("/api/v1/openapi.json").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody()).get("paths");
        List<Pattern> operations = new ArrayList<>();
        for (String path : paths.propertyNames()) {
            String template = Pattern.quote(path).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q");
            for (String method : paths.get(path).propertyNames()) {
                operations.add(Pattern.compile(method.toUpperCase() + " " + template));
            }
        }
        return operations;
    }

    /** Ids the calls return, under the names the next examples use. */
    private static void remember(String path, String method, String body, Map<String, String> vars) {
        if (!method.equals("POST") || body == null || body.isBlank()) {
            return;
        }
        JsonNode json = JSON.readTree(body);
        String id = json.path("id").asString(null);
        if (path.equals("/api/v1/tenants")) {
            vars.put("TENANT_ID", id);
        } else if (path.endsWith("/agent-tokens")) {
            vars.put("TOKEN_ID", id);
        } else if (path.equals("/api/v1/sync-services")) {
            vars.put("SYNC_SERVICE_ID", id);
        } else if (path.equals("/api/v1/integration-sources")) {
            vars.put("SOURCE_ID", id);
        }
    }

    @Test
    void everyGrpcurlExampleIsAValidCallThatSucceeds() throws Exception {
        Vars vars = fleet("grpcurl");
        List<String> commands = Shell.commands(read("api.md"), "grpcurl");
        assertThat(commands).hasSizeGreaterThanOrEqualTo(9);
        for (String command : commands) {
            List<String> words = Shell.words(command, vars.values);
            String token = null;
            String data = null;
            List<String> positional = new ArrayList<>();
            for (int i = 1; i < words.size(); i++) {
                switch (words.get(i)) {
                    case "-plaintext" -> { }
                    case "-H" -> token = words.get(++i).replaceFirst("^authorization: Bearer ", "");
                    case "-d" -> data = words.get(++i);
                    case "-max-time" -> i++; // a watch is ended by the example itself: the call here takes its first message
                    default -> positional.add(words.get(i));
                }
            }
            assertThat(positional.get(0)).isEqualTo("localhost:50051");
            if (positional.get(1).equals("list")) {
                continue; // reflection: GrpcServerTest lists the services
            }
            String[] method = positional.get(1).split("/");
            Descriptors.MethodDescriptor descriptor = service(method[0]).findMethodByName(method[1]);
            assertThat(descriptor).as(positional.get(1)).isNotNull();
            List<Message> messages = new ArrayList<>();
            try (MappingIterator<JsonNode> nodes = JSON.readerFor(JsonNode.class).readValues(data)) {
                while (nodes.hasNext()) { // grpcurl takes a stream's messages one after another
                    DynamicMessage.Builder builder = DynamicMessage.newBuilder(descriptor.getInputType());
                    JsonFormat.parser().merge(nodes.next().toString(), builder); // an unknown field fails here
                    messages.add(builder.build());
                }
            }
            call(positional.get(1), token, messages);
        }
    }

    private static void call(String method, String token, List<Message> messages) throws Exception {
        switch (method) {
            case "monitoring.AgentGatewayService/Hello" -> assertThat(GrpcClients.blocking(channel, token)
                    .hello(AgentHelloRequest.parseFrom(messages.get(0).toByteString())).getAccepted()).isTrue();
            case "monitoring.AgentGatewayService/GetConfig" -> GrpcClients.blocking(channel, token)
                    .getConfig(AgentConfigRequest.parseFrom(messages.get(0).toByteString()));
            case "monitoring.AgentGatewayService/WatchConfig" -> assertThat(GrpcClients.reactor(channel, token)
                    .watchConfig(AgentConfigRequest.parseFrom(messages.get(0).toByteString())).blockFirst(Duration.ofSeconds(30))
                    .getConfigVersion()).isNotEmpty();
            case "monitoring.AgentGatewayService/SyncServiceHello" -> assertThat(GrpcClients.blocking(channel, token)
                    .syncServiceHello(SyncServiceHelloRequest.parseFrom(messages.get(0).toByteString())).getAccepted()).isTrue();
            case "monitoring.AgentGatewayService/SyncServiceHeartbeat" -> assertThat(GrpcClients.blocking(channel, token)
                    .syncServiceHeartbeat(SyncServiceHeartbeatRequest.parseFrom(messages.get(0).toByteString())).getStatus()).isEqualTo("online");
            case "monitoring.AgentGatewayService/GetSyncConfig" -> assertThat(GrpcClients.blocking(channel, token)
                    .getSyncConfig(SyncConfigRequest.parseFrom(messages.get(0).toByteString())).getSourcesCount()).isPositive();
            case "monitoring.AgentGatewayService/SyncDevices" -> {
                List<SyncDevicesRequest> batches = new ArrayList<>();
                for (Message message : messages) {
                    batches.add(SyncDevicesRequest.parseFrom(message.toByteString()));
                }
                List<SyncDevicesResponse> acks = GrpcClients.reactor(channel, token).syncDevices(Flux.fromIterable(batches))
                        .collectList().block(Duration.ofSeconds(30));
                assertThat(acks).hasSize(batches.size());
                // as the docs say: the second batch's device with a bad IP is rejected
                assertThat(acks.get(1).getRejections(0).getReason()).startsWith("invalid_ip_address");
            }
            case "monitoring.AgentGatewayService/ReportSweepResults" -> {
                List<SweepResultsBatch> batches = new ArrayList<>();
                for (Message message : messages) {
                    batches.add(SweepResultsBatch.parseFrom(message.toByteString()));
                }
                List<SweepResultsAck> acks = GrpcClients.reactor(channel, token).reportSweepResults(Flux.fromIterable(batches))
                        .collectList().block(Duration.ofSeconds(30));
                // as the docs say: the host is a target of agent-1 (the SyncDevices example stored it)
                assertThat(acks).singleElement().satisfies(ack -> assertThat(ack.getHostsAccepted()).isEqualTo(1));
            }
            case "grpc.health.v1.Health/Check" -> HealthGrpc.newBlockingStub(channel)
                    .check(HealthCheckRequest.parseFrom(messages.get(0).toByteString()));
            default -> throw new AssertionError("the docs call " + method + ", which this test does not know");
        }
    }

    private static Descriptors.ServiceDescriptor service(String name) {
        return name.startsWith("grpc.health") ? HealthProto.getDescriptor().findServiceByName("Health")
                : MonitoringProto.getDescriptor().findServiceByName(name.substring(name.lastIndexOf('.') + 1));
    }

    /** A tenant with an agent token, an on-prem sync service and a faker source on it: what the examples name. */
    private record Vars(Map<String, String> values) {
        String get(String name) {
            return values.get(name);
        }
    }

    private static Vars fleet(String slug) {
        AdminClient client = new AdminClient(gateway, PASSWORD);
        UUID tenant = client.tenant("docs-" + slug);
        Map<?, ?> sync = client.post("/api/v1/sync-services", Map.of("tenant_id", tenant.toString(), "name", "dc1"));
        String source = (String) client.post("/api/v1/integration-sources", Map.of("tenant_id", tenant.toString(), "name", "lab",
                "source_type", "faker", "sync_service_id", sync.get("id"), "agent_uid", "agent-1")).get("id");
        String agentToken = (String) client.post("/api/v1/tenants/" + tenant + "/agent-tokens", Map.of()).get("token");
        return new Vars(Map.of("AGENT_TOKEN", agentToken, "SYNC_TOKEN", (String) sync.get("credential"), "SOURCE_ID", source,
                "TENANT_ID", tenant.toString()));
    }

    private static Set<String> matches(Pattern pattern, String text) {
        Set<String> found = new TreeSet<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }
}
