package io.fleetgate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.Await;
import io.fleetgate.test.GatewayProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * operations.md's backup of a gateway on its embedded PostgreSQL, done as written: stop the
 * gateway, copy FLEETGATE_DATA_DIR (the database and credentials.key), start a gateway on the copy
 * elsewhere; what the first one stored is there. And FLEETGATE_EMBEDDED_DATABASE_PORT puts the
 * embedded database on a port of one's choosing, for pg_dump.
 */
class EmbeddedBackupTest {

    private static final String PASSWORD = "backup-admin-password";
    private static final Pattern HTTP_PORT = Pattern.compile("UI and REST at http://localhost:(\\d+)/");

    @TempDir
    Path machine;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void aColdCopyOfTheDataFolderRestoresTheGatewayElsewhere() throws Exception {
        Path data = machine.resolve("data");
        Path restored = machine.resolve("restored");
        int databasePort = Await.freePort();
        try (GatewayProcess gateway = embedded(data, databasePort)) {
            assertThat(gateway.log()).anyMatch(line -> line.contains("started embedded PostgreSQL on port " + databasePort));
            int port = httpPort(gateway);
            assertThat(send(port, "POST", "/api/v1/tenants", "{\"slug\": \"kept\", \"name\": \"Kept in the backup\"}").statusCode()).isBetween(200, 299);
        }
        assertThat(data.resolve("credentials.key")).exists();
        copy(data, restored);

        try (GatewayProcess gateway = embedded(restored, 0)) {
            HttpResponse<String> tenants = send(httpPort(gateway), "GET", "/api/v1/tenants", null);
            assertThat(tenants.statusCode()).isEqualTo(200);
            assertThat(tenants.body()).contains("\"slug\":\"kept\"", "Kept in the backup");
        }
    }

    private static GatewayProcess embedded(Path data, int databasePort) throws Exception {
        GatewayProcess gateway = GatewayProcess.start("unused", Map.of(
                "FLEETGATE_DATABASE_URL", "", "FLEETGATE_DATABASE_USER", "", "FLEETGATE_DATABASE_PASSWORD", "",
                "FLEETGATE_CREDENTIALS_KEY", "",
                "FLEETGATE_DATA_DIR", data.toString(),
                "FLEETGATE_EMBEDDED_DATABASE_PORT", String.valueOf(databasePort),
                "FLEETGATE_ADMIN_PASSWORD", PASSWORD));
        gateway.awaitReady(Duration.ofSeconds(120));
        return gateway;
    }

    private static int httpPort(GatewayProcess gateway) {
        String ready = gateway.log().stream().filter(line -> line.contains("Fleetgate ready")).findFirst().orElseThrow();
        Matcher port = HTTP_PORT.matcher(ready);
        assertThat(port.find()).as(ready).isTrue();
        return Integer.parseInt(port.group(1));
    }

    private HttpResponse<String> send(int port, String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes()));
        request = json == null ? request.GET()
                : request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(file -> {
                try {
                    Path target = to.resolve(from.relativize(file).toString());
                    // with its attributes: PostgreSQL refuses a data directory others may read
                    Files.copy(file, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
