package io.fleetgate.grpc;

import static io.fleetgate.test.GrpcClients.codeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.security.CredentialKind;
import io.fleetgate.security.CredentialService;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.core.publisher.Mono;

/** The gRPC server over a real port: health, reflection, authentication, limits, metrics. */
@Tag("change-feed")
class GrpcServerTest extends GatewayTest {

    @Autowired
    CredentialService credentials;

    /** Sends raw bytes as the request of a unary method. */
    private Status.Code garbage(String method, io.grpc.Metadata headers) {
        io.grpc.MethodDescriptor.Marshaller<byte[]> bytes = new io.grpc.MethodDescriptor.Marshaller<>() {
            @Override
            public java.io.InputStream stream(byte[] value) {
                return new java.io.ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(java.io.InputStream stream) {
                try {
                    return stream.readAllBytes();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        var descriptor = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder().setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(method).setRequestMarshaller(bytes).setResponseMarshaller(bytes).build();
        io.grpc.Channel channel = io.grpc.ClientInterceptors.intercept(channel(),
                io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
        return GrpcClients.codeOf(() -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel, descriptor,
                io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}));
    }

    @Test
    void aRequestThatIsNotAValidMessageIsAnInvalidArgument() {
        assertThat(garbage("grpc.health.v1.Health/Check", new io.grpc.Metadata())).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(garbage("monitoring.AgentGatewayService/GetConfig", GrpcClients.bearer(agentToken(createTenant("garbage")))))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        // and the service still answers well-formed requests
        assertThat(HealthGrpc.newBlockingStub(channel()).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void healthSaysServing() {
        var health = HealthGrpc.newBlockingStub(channel());
        assertThat(health.check(HealthCheckRequest.newBuilder().build()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService("monitoring.AgentGatewayService").build()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    @SuppressWarnings("deprecation")
    void reflectionV1alphaListsTheGatewayServiceToo() throws Exception {
        CompletableFuture<List<String>> services = new CompletableFuture<>();
        var requests = io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel()).serverReflectionInfo(new StreamObserver<>() {
            @Override
            public void onNext(io.grpc.reflection.v1alpha.ServerReflectionResponse response) {
                services.complete(response.getListServicesResponse().getServiceList().stream()
                        .map(io.grpc.reflection.v1alpha.ServiceResponse::getName).toList());
            }

            @Override
            public void onError(Throwable t) {
                services.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        requests.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("").build());
        assertThat(services.get(10, TimeUnit.SECONDS)).contains("monitoring.AgentGatewayService", "grpc.health.v1.Health");
        requests.onCompleted();
    }

    @Test
    void reflectionListsTheGatewayService() throws Exception {
        CompletableFuture<List<String>> services = new CompletableFuture<>();
        var requests = ServerReflectionGrpc.newStub(channel()).serverReflectionInfo(new StreamObserver<>() {
            @Override
            public void onNext(ServerReflectionResponse response) {
                services.complete(response.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).toList());
            }

            @Override
            public void onError(Throwable t) {
                services.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        assertThat(services.get(10, TimeUnit.SECONDS))
                .contains("monitoring.AgentGatewayService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection");
        requests.onCompleted();
    }

    @Test
    void callsWithoutAValidCredentialAreUnauthenticated() {
        AgentHelloRequest hello = AgentHelloRequest.newBuilder().setAgentId("agent-1").build();
        assertThat(codeOf(() -> GrpcClients.blocking(channel(), null).hello(hello))).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(codeOf(() -> GrpcClients.blocking(channel(), "fga_not-a-real-token-at-all-000000").hello(hello)))
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(codeOf(() -> GrpcClients.blocking(channel(), "short").hello(hello))).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aRevokedAgentTokenStopsWorkingBeforeTheDeleteAnswers() {
        var tenant = createTenant("revoke");
        AgentHelloRequest hello = AgentHelloRequest.newBuilder().setAgentId("agent-1").build();
        // the revoking replica used to clear its cache only when its own NOTIFY came back, some
        // milliseconds after the DELETE answered: 1 to 3 of 50 tries still passed
        for (int attempt = 0; attempt < 25; attempt++) {
            var issued = issueAgentToken(tenant);
            String token = (String) issued.get("token");
            assertThat(codeOf(() -> GrpcClients.blocking(channel(), token).hello(hello))).isEqualTo(Status.Code.OK); // now cached

            admin().delete().uri("/api/v1/tenants/{id}/agent-tokens/{token}", tenant, issued.get("id"))
                    .exchange().expectStatus().isNoContent();

            assertThat(codeOf(() -> GrpcClients.blocking(channel(), token).hello(hello))).as("attempt %d", attempt)
                    .isEqualTo(Status.Code.UNAUTHENTICATED);
        }
    }

    @Test
    void theRevokingReplicaForgetsTheCredentialAtCommitNotWhenItsNotifyComesBack() {
        var tenant = createTenant("revoke-at-once");
        for (int attempt = 0; attempt < 10; attempt++) {
            var issued = issueAgentToken(tenant);
            String token = (String) issued.get("token");
            UUID id = UUID.fromString((String) issued.get("id"));
            assertThat(credentials.authenticate(token).block(Duration.ofSeconds(10))).isNotNull(); // now cached
            // asked right after the commit, in the same chain: the NOTIFY cannot have come back yet
            var afterRevoke = credentials.revoke(tenant, CredentialKind.AGENT_ENROLLMENT, id)
                    .then(Mono.defer(() -> credentials.authenticate(token)).map(caller -> Status.Code.OK))
                    .onErrorResume(e -> Mono.just(GrpcErrors.toStatus(e).getStatus().getCode()));
            assertThat(afterRevoke.block(Duration.ofSeconds(10))).as("attempt %d", attempt).isEqualTo(Status.Code.UNAUTHENTICATED);
        }
    }

    @Test
    void theAgentTokenRouteRevokesOnlyAgentTokens() {
        var tenant = createTenant("kind");
        Onboarded sync = onboardSyncService(tenant);
        Object credentialId = queryValue("SELECT id FROM credentials WHERE sync_service_id = ? AND revoked_at IS NULL", sync.id());
        admin().delete().uri("/api/v1/tenants/{id}/agent-tokens/{token}", tenant, credentialId)
                .exchange().expectStatus().isNotFound();
        assertThat(queryValue("SELECT count(*) FROM credentials WHERE id = ? AND revoked_at IS NULL", credentialId)).isEqualTo(1L);
        assertThat(codeOf(() -> GrpcClients.blocking(channel(), sync.credential())
                .syncServiceHello(io.fleetgate.proto.SyncServiceHelloRequest.newBuilder().setName("x").build()))).isEqualTo(Status.Code.OK);
    }

    @Test
    void anOversizedMessageIsResourceExhausted() {
        // the test gateway accepts messages of up to 4 MB
        String token = agentToken(createTenant("oversized"));
        AgentHelloRequest huge = AgentHelloRequest.newBuilder().setAgentId("agent-1").setHostname("x".repeat(5 * 1024 * 1024)).build();
        assertThat(codeOf(() -> GrpcClients.blocking(channel(), token).hello(huge))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void callsAreCountedByMethodAndStatus() {
        HealthGrpc.newBlockingStub(channel()).check(HealthCheckRequest.newBuilder().build());
        codeOf(() -> GrpcClients.blocking(channel(), null).hello(AgentHelloRequest.getDefaultInstance()));
        String metrics = anonymous().get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics)
                .contains("fleetgate_grpc_server_calls_seconds_count{application=\"fleetgate\",method=\"grpc.health.v1.Health/Check\",status=\"OK\"}")
                .contains("fleetgate_grpc_server_calls_seconds_count{application=\"fleetgate\",method=\"monitoring.AgentGatewayService/Hello\",status=\"UNAUTHENTICATED\"}");
    }
}
