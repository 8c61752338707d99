package io.fleetgate.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.Await;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as a newcomer runs it, with the embedded PostgreSQL, in its own JVM: on SIGTERM the
 * gateway shuts down first and the database after it, never under a gateway still draining.
 */
class EmbeddedShutdownTest {

    @Test
    void onSigtermTheEmbeddedDatabaseStopsAfterTheGateway(@TempDir Path dir) throws Exception {
        int http = freePort();
        Path log = dir.resolve("gateway.log");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process gateway = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.fleetgate.Fleetgate",
                "--server.port=" + http, "--fleetgate.grpc.port=0", "--fleetgate.grpc.address=127.0.0.1",
                "--fleetgate.platform.sync.in-process=false", "--fleetgate.database.data-dir=" + dir.resolve("data"),
                "--fleetgate.platform.admin-password=embedded-shutdown-password"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest readiness = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/actuator/health/readiness")).build();
            Await.until(Duration.ofSeconds(120), () -> {
                assertThat(gateway.isAlive()).as("gateway running; log in " + log).isTrue();
                try {
                    return client.send(readiness, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException notYet) {
                    return false; // still starting
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            gateway.destroy(); // SIGTERM
            assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            gateway.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(output).contains("Commencing graceful shutdown").doesNotContain("Change feed lost its database connection");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
