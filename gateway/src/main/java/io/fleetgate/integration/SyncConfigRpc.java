package io.fleetgate.integration;

import io.fleetgate.client.sync.discovery.Discovery;
import io.fleetgate.proto.IntegrationSourceConfig;
import io.fleetgate.proto.SyncConfigRequest;
import io.fleetgate.proto.SyncConfigResponse;
import io.fleetgate.security.Caller;
import io.fleetgate.sweep.ConfigHash;
import io.fleetgate.tenant.SaasQuota;
import io.fleetgate.tenant.TenantService;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * GetSyncConfig: the enabled integration sources assigned to the calling sync service (for the
 * platform sync, those of every tenant, each tagged with its tenant), credentials decrypted
 * for that caller only, versioned by content. Sources the SaaS sync runs carry their tenant's
 * quota of devices per run ({@link Discovery#MAX_DEVICES}), which the sync client stops at.
 */
@Component
public class SyncConfigRpc {

    private static final Logger log = LoggerFactory.getLogger(SyncConfigRpc.class);
    private static final TypeReference<Map<String, String>> CREDENTIALS = new TypeReference<>() {
    };

    private final IntegrationSourceRepository repository;
    private final CredentialCipher cipher;
    private final TenantService tenants;
    private final JsonMapper json = JsonMapper.shared();

    SyncConfigRpc(IntegrationSourceRepository repository, CredentialCipher cipher, TenantService tenants) {
        this.repository = repository;
        this.cipher = cipher;
        this.tenants = tenants;
    }

    public Mono<SyncConfigResponse> getSyncConfig(Caller caller, SyncConfigRequest request) {
        return Mono.defer(() -> {
            caller.requireSyncService("GetSyncConfig");
            UUID syncService = caller.actingSyncService(request.getSyncServiceId(), "GetSyncConfig");
            Mono<Function<UUID, SaasQuota>> quotas = caller.isPlatformSync() ? tenants.saasQuotas() : Mono.just(tenant -> null);
            return quotas.flatMap(quota -> repository.enabledFor(syncService)
                    .map(source -> config(source, quota.apply(source.tenantId())))
                    .collectList()
                    .map(sources -> respond(sources, request.getConfigVersion())));
        });
    }

    static SyncConfigResponse respond(List<IntegrationSourceConfig> sources, String knownVersion) {
        SyncConfigResponse content = SyncConfigResponse.newBuilder().addAllSources(sources).build();
        String version = ConfigHash.of(content);
        if (version.equals(knownVersion)) {
            return SyncConfigResponse.newBuilder().setConfigVersion(version).setNotModified(true).build();
        }
        return content.toBuilder().setConfigVersion(version).build();
    }

    /** The source as the sync service runs it; {@code quota} is the tenant's on the SaaS sync, null elsewhere. */
    private IntegrationSourceConfig config(IntegrationSource source, SaasQuota quota) {
        IntegrationSourceConfig.Builder config = IntegrationSourceConfig.newBuilder()
                .setId(source.id().toString())
                .setTenantId(source.tenantId().toString())
                .setName(source.name())
                .setSourceType(source.sourceType())
                .setEndpoint(source.endpoint() == null ? "" : source.endpoint())
                .setAgentUid(source.agentUid() == null ? "" : source.agentUid())
                .setPartition(source.partition())
                .setPollIntervalSec(source.pollIntervalSec())
                .addAllSweepModes(source.sweepModes());
        source.defaultPorts().forEach(config::addDefaultPorts);
        source.settings().forEach((key, value) -> config.putSettings(key, SettingValues.text(value)));
        if (quota != null) {
            config.putSettings(Discovery.MAX_DEVICES, Integer.toString(quota.maxDevicesPerRun()));
        }
        if (source.encryptedCredentials() != null) {
            try {
                config.putAllCredentials(json.readValue(cipher.decrypt(source.encryptedCredentials(), source.id()), CREDENTIALS));
            } catch (RuntimeException e) {
                log.error("Integration source {}: credentials cannot be decrypted ({}); sent without them. "
                        + "Is FLEETGATE_CREDENTIALS_KEY the key they were stored with?", source.id(), e.getMessage());
            }
        }
        return config.build();
    }
}
