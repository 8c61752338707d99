package io.fleetgate.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetgate.error.GatewayException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CallerTest {

    private final UUID tenant = UUID.randomUUID();
    private final UUID otherTenant = UUID.randomUUID();
    private final UUID syncService = UUID.randomUUID();
    private final Caller agent = new Caller(UUID.randomUUID(), CredentialKind.AGENT_ENROLLMENT, tenant, null);
    private final Caller onPrem = new Caller(UUID.randomUUID(), CredentialKind.SYNC_SERVICE, tenant, syncService);
    private final Caller platform = new Caller(UUID.randomUUID(), CredentialKind.PLATFORM_SYNC, UUID.randomUUID(), syncService);

    @Test
    void theTenantComesFromTheCredential() {
        assertThat(agent.actingTenant("", "op")).isEqualTo(tenant);
        assertThat(agent.actingTenant(tenant.toString(), "op")).isEqualTo(tenant);
        assertThat(reason(() -> agent.actingTenant(otherTenant.toString(), "op"))).isEqualTo(GatewayException.Reason.PERMISSION_DENIED);
        assertThat(reason(() -> onPrem.actingTenant(otherTenant.toString(), "op"))).isEqualTo(GatewayException.Reason.PERMISSION_DENIED);
        assertThat(reason(() -> agent.actingTenant("not-a-uuid", "op"))).isEqualTo(GatewayException.Reason.INVALID_ARGUMENT);
    }

    @Test
    void thePlatformSyncNamesTheTenantItActsFor() {
        assertThat(platform.actingTenant(otherTenant.toString(), "op")).isEqualTo(otherTenant);
        assertThat(reason(() -> platform.actingTenant("", "op"))).isEqualTo(GatewayException.Reason.INVALID_ARGUMENT);
    }

    @Test
    void aSyncServiceActsOnlyAsItself() {
        assertThat(onPrem.actingSyncService("", "op")).isEqualTo(syncService);
        assertThat(onPrem.actingSyncService(syncService.toString(), "op")).isEqualTo(syncService);
        assertThat(reason(() -> onPrem.actingSyncService(UUID.randomUUID().toString(), "op")))
                .isEqualTo(GatewayException.Reason.PERMISSION_DENIED);
    }

    @Test
    void rolesOfCredentials() {
        assertThat(agent.requireAgent("op")).isSameAs(agent);
        assertThatThrownBy(() -> agent.requireSyncService("op")).isInstanceOf(GatewayException.class);
        assertThatThrownBy(() -> onPrem.requireAgent("op")).isInstanceOf(GatewayException.class);
        assertThat(platform.requireSyncService("op")).isSameAs(platform);
    }

    private static GatewayException.Reason reason(Runnable call) {
        try {
            call.run();
        } catch (GatewayException e) {
            return e.reason();
        }
        throw new AssertionError("no failure");
    }
}
