package io.fleetgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.proto.AgentGatewayServiceGrpc;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.AgentHelloResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * fleetgate-agent.jar as a host that only sweeps gets it: small, without Spring or PostgreSQL,
 * and a working agent (its gRPC transport and name resolution survive the shading).
 */
class ClientJarIT {

    private static final Path JAR = Path.of("target", "fleetgate-agent.jar");

    @Test
    void theThinJarIsSmallAndHoldsNoSpringAndNoPostgresql() throws IOException {
        assertThat(Files.size(JAR)).as("bytes").isLessThan(20L * 1024 * 1024);
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> server = jar.stream().map(entry -> entry.getName())
                    .filter(name -> name.startsWith("org/springframework/") || name.startsWith("io/zonky/")
                            || name.endsWith(".txz") || name.startsWith("org/postgresql/") || name.startsWith("io/r2dbc/"))
                    .limit(5).toList();
            assertThat(server).isEmpty();
            assertThat(jar.getEntry("io/fleetgate/client/agent/AgentRunner.class")).isNotNull();
            assertThat(jar.getEntry("io/fleetgate/client/sync/SyncRunner.class")).isNotNull();
        }
    }

    @Test
    void itPrintsItsVersionAndEachCommandsHelp() throws Exception {
        Run version = run("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("fleetgate-agent ").doesNotContain("dev");
        Run agent = run("agent", "--help");
        assertThat(agent.exit()).isZero();
        assertThat(agent.out()).contains("--gateway", "--agent-id", "--token-file");
        Run sync = run("sync", "--help");
        assertThat(sync.exit()).isZero();
        assertThat(sync.out()).contains("--gateway", "--batch-size");
    }

    @Test
    void theAgentReachesAGatewayByNameAndExitsNonZeroWhenItsTokenIsRefused() throws Exception {
        Server gateway = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new AgentGatewayServiceGrpc.AgentGatewayServiceImplBase() {
                    @Override
                    public void hello(AgentHelloRequest request, StreamObserver<AgentHelloResponse> response) {
                        response.onError(Status.UNAUTHENTICATED.withDescription("unknown token").asRuntimeException());
                    }
                }).build().start();
        try {
            Run agent = run("agent", "--gateway", "localhost:" + gateway.getPort(), "--token", "fga_refused", "--agent-id", "thin-1");
            assertThat(agent.exit()).isEqualTo(1);
            assertThat(agent.err()).contains("the gateway refused the token (UNAUTHENTICATED: unknown token)");
        } finally {
            gateway.shutdownNow();
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("thin-jar", ".out");
        Path err = Files.createTempFile("thin-jar", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("fleetgate-agent.jar " + String.join(" ", args) + " did not end within 60 s");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
