package io.fleetgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.SyncServiceHelloRequest;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import io.grpc.Status;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A NUL character, which PostgreSQL's text refuses, is the client's error: 400 / INVALID_ARGUMENT naming the field, never a 500. */
class NulCharactersTest extends GatewayTest {

    @Test
    void restNamesWithANulAreRefusedNamingTheField() {
        admin().post().uri("/api/v1/tenants").bodyValue(Map.of("slug", "nul-" + UUID.randomUUID().toString().substring(0, 6), "name", "a\u0000b"))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("name")
                .jsonPath("$.detail").isEqualTo("name: contains a NUL character");
        UUID tenant = createTenant("nul");
        admin().post().uri("/api/v1/sync-services").bodyValue(Map.of("tenant_id", tenant.toString(), "name", "dc\u00001"))
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("name");
        admin().post().uri("/api/v1/integration-sources").bodyValue(Map.of("tenant_id", tenant.toString(), "name", "lab\u0000",
                        "source_type", "faker", "sync_service_id", platformSyncServiceId().toString()))
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("name");
        assertThat(queryValue("SELECT count(*) FROM tenants WHERE name LIKE 'a%b'")).isEqualTo(0L);
    }

    @Test
    void helloFieldsWithANulAreInvalidArguments() {
        UUID tenant = createTenant("nul-hello");
        assertThat(GrpcClients.codeOf(() -> GrpcClients.blocking(channel(), onboardSyncService(tenant).credential())
                .syncServiceHello(SyncServiceHelloRequest.newBuilder().setName("sync").setHostname("host\u0000name").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(GrpcClients.codeOf(() -> GrpcClients.blocking(channel(), agentToken(tenant))
                .hello(AgentHelloRequest.newBuilder().setAgentId("nul-agent").setVersion("1.0\u0000").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
}
