package io.fleetgate.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetgate.test.Await;
import io.fleetgate.test.GatewayProcess;
import io.fleetgate.test.TestDatabase;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A gateway process as a Kubernetes pod runs it: the UI and REST over HTTPS from PEM files
 * (FLEETGATE_HTTP_TLS_CERT/KEY), actuator on a port of its own (FLEETGATE_MANAGEMENT_PORT), and
 * JSON logs (FLEETGATE_LOG_FORMAT=json) whose lines about a tenant or sync service carry it as a field.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpEdgeTest {

    private static final String PASSWORD = "edge-admin-password";
    private static final Pattern READY = Pattern.compile("UI and REST at (https?)://localhost:(\\d+)/ , gRPC on port \\d+");

    private Path certificates;
    private GatewayProcess gateway;
    private HttpClient https;
    private HttpClient plain;
    private String scheme;
    private int port;
    private int managementPort;

    @BeforeAll
    void aGatewayWithHttpsAManagementPortAndJsonLogs() throws Exception {
        certificates = Files.createTempDirectory("fleetgate-http-tls");
        Path certificate = certificates.resolve("http.crt");
        Path key = certificates.resolve("http.key");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key.toString(), "-out", certificate.toString()).redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0).as("openssl made a certificate").isTrue();

        managementPort = Await.freePort();
        gateway = GatewayProcess.start(TestDatabase.createDatabase("fleetgate_edge"), Map.of(
                "FLEETGATE_HTTP_TLS_CERT", certificate.toString(),
                "FLEETGATE_HTTP_TLS_KEY", key.toString(),
                "FLEETGATE_MANAGEMENT_PORT", String.valueOf(managementPort),
                "FLEETGATE_LOG_FORMAT", "json",
                "FLEETGATE_ADMIN_PASSWORD", PASSWORD));
        gateway.awaitReady(Duration.ofSeconds(90));
        String ready = gateway.log().stream().filter(line -> line.contains("Fleetgate ready")).findFirst().orElseThrow();
        Matcher ports = READY.matcher(JsonMapper.shared().readTree(ready).get("message").asString());
        assertThat(ports.find()).as(ready).isTrue();
        scheme = ports.group(1);
        port = Integer.parseInt(ports.group(2));

        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream pem = Files.newInputStream(certificate)) {
            trusted.setCertificateEntry("gateway", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        https = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
        plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    void stop() throws Exception {
        gateway.close();
    }

    @Test
    void theUiAndRestAnswerOverHttpsOnly() throws Exception {
        assertThat(scheme).isEqualTo("https");
        assertThat(https.send(get("https", port, "/login"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(https.send(get("https", port, "/api/v1/tenants"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> plain.send(get("http", port, "/login"), HttpResponse.BodyHandlers.ofString()))
                .as("plain HTTP to the TLS port").isInstanceOf(java.io.IOException.class);
    }

    @Test
    void actuatorAnswersOnTheManagementPortAndNoLongerOnTheUisPort() throws Exception {
        HttpResponse<String> readiness = plain.send(get("http", managementPort, "/actuator/health/readiness"), HttpResponse.BodyHandlers.ofString());
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"UP\"");
        HttpResponse<String> scrape = plain.send(get("http", managementPort, "/actuator/prometheus"), HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("fleetgate_grpc_server_active_calls");
        assertThat(https.send(get("https", port, "/actuator/health"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }

    @Test
    void everyLogLineIsJsonAndALineAboutASyncServiceNamesItsTenantAndItInFields() throws Exception {
        String tenant = field(post("/api/v1/tenants", "{\"slug\": \"edge\", \"name\": \"edge\"}"), "id");
        String syncService = field(post("/api/v1/sync-services", "{\"tenant_id\": \"" + tenant + "\", \"name\": \"dc1\"}"), "id");
        Await.until(Duration.ofSeconds(10), () -> gateway.log().stream().anyMatch(line -> line.contains("onboarded")));
        List<String> lines = gateway.log();
        List<JsonNode> json = lines.stream().filter(line -> line.startsWith("{")).map(line -> JsonMapper.shared().readTree(line)).toList();
        assertThat(json).as("JSON lines").hasSizeGreaterThan(10);
        assertThat(json).allMatch(line -> line.has("@timestamp") && line.has("message"));
        JsonNode onboarded = json.stream().filter(line -> line.get("message").asString().contains("onboarded")).findFirst().orElseThrow();
        assertThat(onboarded.get("tenant").asString()).isEqualTo(tenant);
        assertThat(onboarded.get("sync_service").asString()).isEqualTo(syncService);
        // what is not JSON is what the JVM itself prints before logging starts, if anything
        assertThat(lines.stream().filter(line -> !line.startsWith("{")).filter(line -> line.contains(" INFO ") || line.contains(" WARN ")))
                .as("human-readable log lines").isEmpty();
    }

    private HttpRequest get(String scheme, int port, String path) {
        return HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + path)).header("Authorization", basic())
                .timeout(Duration.ofSeconds(10)).GET().build();
    }

    private String post(String path, String json) throws Exception {
        HttpResponse<String> response = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .header("Authorization", basic()).header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return response.body();
    }

    private static String field(String json, String name) {
        return JsonMapper.shared().readTree(json).get(name).asString();
    }

    private static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes());
    }
}
