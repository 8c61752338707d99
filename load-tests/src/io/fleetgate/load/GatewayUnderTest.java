package io.fleetgate.load;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway a benchmark measures: {@code target/fleetgate.jar} in its own JVM (so its memory
 * is its own), on a fresh database of the benchmark's PostgreSQL, on free loopback ports.
 */
final class GatewayUnderTest implements AutoCloseable {

    static final String ADMIN_PASSWORD = "load-test-admin-password";
    static final String PLATFORM_TOKEN = "fgp_load-test-platform-token-0123456789";

    private final Process process;
    private final Path log;
    final int httpPort;
    final int grpcPort;
    final String database;
    final Postgres postgres;
    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.shared();
    private String session;
    private AutovacuumStandIn autovacuum;

    /** The PostgreSQL server benchmarks use: BENCH_DATABASE_URL (postgresql://host:port), user BENCH_DATABASE_USER. */
    record Postgres(String host, int port, String user, String password) {
        static Postgres fromEnvironment() {
            String url = System.getenv().getOrDefault("BENCH_DATABASE_URL", "postgresql://127.0.0.1:5432");
            String hostPort = url.replaceFirst("^postgresql://", "").replaceFirst("/.*$", "");
            return new Postgres(hostPort.substring(0, hostPort.lastIndexOf(':')),
                    Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1)),
                    System.getenv().getOrDefault("BENCH_DATABASE_USER", "postgres"),
                    System.getenv().getOrDefault("BENCH_DATABASE_PASSWORD", ""));
        }

        Connection connect(String database) throws SQLException {
            return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, user, password);
        }

        String createDatabase(String prefix) throws SQLException {
            String name = prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
            try (Connection c = connect("postgres")) {
                c.createStatement().execute("CREATE DATABASE " + name);
            }
            return name;
        }

        void dropDatabase(String name) {
            if (System.getenv("BENCH_KEEP_DATABASE") != null) {
                System.err.println("kept database " + name + " (BENCH_KEEP_DATABASE)");
                return;
            }
            try (Connection c = connect("postgres")) {
                c.createStatement().execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (SQLException e) {
                System.err.println("could not drop " + name + ": " + e.getMessage());
            }
        }
    }

    private GatewayUnderTest(Process process, Path log, int httpPort, int grpcPort, String database, Postgres postgres) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
        this.grpcPort = grpcPort;
        this.database = database;
        this.postgres = postgres;
    }

    static GatewayUnderTest start(String heap, Map<String, String> extraEnvironment) throws Exception {
        Postgres postgres = Postgres.fromEnvironment();
        String database = postgres.createDatabase("fleetgate_bench");
        int httpPort = freePort();
        int grpcPort = freePort();
        Path jar = Path.of("target", "fleetgate.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("build first: ./mvnw -DskipTests package");
        }
        Path log = Files.createTempFile("fleetgate-bench-", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // the whole heap from the start, as operations.md advises and the image does
                "-Xms" + heap, "-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError", "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("FLEETGATE_DATABASE_URL", "postgresql://" + postgres.host() + ":" + postgres.port() + "/" + database);
        env.put("FLEETGATE_DATABASE_USER", postgres.user());
        env.put("FLEETGATE_DATABASE_PASSWORD", postgres.password());
        env.put("FLEETGATE_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("FLEETGATE_PLATFORM_SYNC_TOKEN", PLATFORM_TOKEN);
        env.put("FLEETGATE_PLATFORM_SYNC_IN_PROCESS", "false");
        env.put("FLEETGATE_CREDENTIALS_KEY", Base64.getEncoder().encodeToString(new byte[32]));
        env.put("FLEETGATE_GRPC_ADDRESS", "127.0.0.1");
        env.put("FLEETGATE_GRPC_PORT", String.valueOf(grpcPort));
        env.put("SERVER_PORT", String.valueOf(httpPort));
        String javaOptions = System.getenv("BENCH_GATEWAY_JAVA_OPTIONS");
        if (javaOptions != null) {
            env.put("JAVA_TOOL_OPTIONS", javaOptions); // e.g. a flight recording of the gateway
        }
        env.putAll(extraEnvironment);
        GatewayUnderTest gateway = new GatewayUnderTest(builder.start(), log, httpPort, grpcPort, database, postgres);
        gateway.awaitReady();
        gateway.autovacuum = AutovacuumStandIn.startIfNeeded(postgres, database);
        return gateway;
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("gateway exited; its log: " + log);
            }
            try {
                var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/health/readiness")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("gateway not ready after 120 s; its log: " + log);
    }

    /** A REST call as the platform admin; returns the JSON body as a map (or list). */
    Object rest(String method, String path, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " -> " + response.statusCode() + " " + response.body());
        }
        return response.body().isEmpty() ? null : json.readValue(response.body(), Object.class);
    }

    /**
     * A GET as the platform admin signed in through the UI's form: one bcrypt check at sign-in,
     * none per call (HTTP Basic checks the password on every request), as the UI's own calls go.
     */
    Object sessionGet(String path) throws Exception {
        return json.readValue(sessionText(path, "application/json"), Object.class);
    }

    /** A page or a JSON answer of the signed-in session, as text. */
    String sessionText(String path, String accept) throws Exception {
        if (session == null) {
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/login")).build(),
                    HttpResponse.BodyHandlers.ofString());
            var token = java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page.body());
            if (!token.find()) {
                throw new IllegalStateException("no CSRF token on the sign-in page");
            }
            String form = "username=admin&password=" + ADMIN_PASSWORD + "&_csrf=" + token.group(1);
            HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/login"))
                    .header("Cookie", cookie(page)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            session = cookie(signedIn);
        }
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .header("Cookie", session).header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " -> " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    /** A JSON POST of the signed-in session, with a CSRF token of it (taken from a page's form). */
    Object sessionPost(String path, Object body, String csrf) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .header("Cookie", session).header("X-CSRF-TOKEN", csrf).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("POST " + path + " -> " + response.statusCode() + " " + response.body());
        }
        return json.readValue(response.body(), Object.class);
    }

    private static String cookie(HttpResponse<?> response) {
        return response.headers().allValues("set-cookie").stream().filter(c -> c.startsWith("SESSION="))
                .map(c -> c.substring(0, c.indexOf(';') < 0 ? c.length() : c.indexOf(';'))).findFirst()
                .orElseThrow(() -> new IllegalStateException("no session cookie: " + response.statusCode()));
    }

    @SuppressWarnings("unchecked")
    String createTenant(String slug) throws Exception {
        return (String) ((Map<String, Object>) rest("POST", "/api/v1/tenants", Map.of("slug", slug, "name", slug))).get("id");
    }

    /** An on-prem sync service of the tenant: {id, credential}. */
    @SuppressWarnings("unchecked")
    Map<String, Object> onboardSyncService(String tenant, String name) throws Exception {
        return (Map<String, Object>) rest("POST", "/api/v1/sync-services", Map.of("tenant_id", tenant, "name", name));
    }

    @SuppressWarnings("unchecked")
    String createSource(String tenant, String syncService, String name, Map<String, Object> extra) throws Exception {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("tenant_id", tenant, "name", name, "source_type", "faker",
                "sync_service_id", syncService));
        body.putAll(extra);
        return (String) ((Map<String, Object>) rest("POST", "/api/v1/integration-sources", body)).get("id");
    }

    /** A new agent enrollment token of the tenant. */
    @SuppressWarnings("unchecked")
    String agentToken(String tenant) throws Exception {
        return (String) ((Map<String, Object>) rest("POST", "/api/v1/tenants/" + tenant + "/agent-tokens", null)).get("token");
    }

    /** The first column of the first row of a query on the gateway's database, as a number. */
    long queryLong(String sql) throws Exception {
        try (Connection c = postgres.connect(database); var rows = c.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /**
     * A table's updates so far, the share of them HOT (no index entry written) and its size: what
     * rewriting rows in place did to it. A backend reports its statistics up to seconds after its
     * transactions, so read it a while after the writes.
     */
    String updatesOf(String table) throws Exception {
        String stats = "FROM pg_stat_user_tables WHERE relname = '" + table + "'";
        long updates = queryLong("SELECT n_tup_upd " + stats);
        long hot = queryLong("SELECT n_tup_hot_upd " + stats);
        return String.format("%,d updates of %s, %.0f %% of them HOT (no index entry written); the table %,d MiB", updates, table,
                updates == 0 ? 0.0 : 100.0 * hot / updates, queryLong("SELECT pg_table_size('" + table + "')") >> 20);
    }

    /** A value of the gateway's Prometheus output (summed over matching lines), or NaN. */
    double metric(String prefix) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(line -> line.startsWith(prefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).reduce(Double::sum).orElse(Double.NaN);
    }

    /** Heap in use right after a full collection (jcmd GC.run), in MiB: what is live, not what waits to be collected. */
    double liveHeapMiB() throws Exception {
        Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(process.pid()), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!gc.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || gc.exitValue() != 0) {
            throw new IllegalStateException("jcmd GC.run failed on the gateway");
        }
        return metric("jvm_memory_used_bytes{application=\"fleetgate\",area=\"heap\"") / (1 << 20);
    }

    /** The gateway process's peak resident set size in MiB (VmHWM), or -1 where /proc is missing. */
    double peakRssMiB() {
        return procStatus("VmHWM:");
    }

    double rssMiB() {
        return procStatus("VmRSS:");
    }

    private double procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    boolean alive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        if (autovacuum != null) {
            autovacuum.close();
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        if (!"keep".equals(System.getenv("BENCH_KEEP_DATABASE"))) {
            postgres.dropDatabase(database);
        }
    }

    static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
