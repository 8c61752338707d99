package io.fleetgate.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A gateway in its own JVM, started as a user would ({@code io.fleetgate.Fleetgate} with the
 * test classpath), for what only separate processes show: replicas starting at the same moment.
 */
public final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    private GatewayProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::read, "gateway-process-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a gateway on the given database of the test server with extra environment variables. */
    public static GatewayProcess start(String database, Map<String, String> environment) throws IOException {
        TestDatabase.Server server = TestDatabase.server();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.fleetgate.Fleetgate",
                "--server.port=0", "--fleetgate.grpc.port=0", "--fleetgate.grpc.address=127.0.0.1"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("FLEETGATE_DATABASE_URL", server.url(database));
        env.put("FLEETGATE_DATABASE_USER", server.user());
        env.put("FLEETGATE_DATABASE_PASSWORD", server.password());
        env.put("FLEETGATE_PLATFORM_SYNC_IN_PROCESS", "false");
        env.put("FLEETGATE_CREDENTIALS_KEY", GatewayTest.CREDENTIALS_KEY);
        env.putAll(environment);
        return new GatewayProcess(builder.start());
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                log.add(line);
                if (line.contains("Fleetgate ready")) {
                    ready.complete(null);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
        ready.completeExceptionally(new IllegalStateException("gateway exited before it was ready:\n" + String.join("\n", log)));
    }

    public void awaitReady(Duration timeout) throws Exception {
        ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Everything the process has printed so far. */
    public List<String> log() {
        return List.copyOf(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
