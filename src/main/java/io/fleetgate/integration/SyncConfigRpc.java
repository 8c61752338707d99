package io.fleetgate.integration;

import io.fleetgate.proto.IntegrationSourceConfig;
import io.fleetgate.proto.SyncConfigRequest;
import io.fleetgate.proto.SyncConfigResponse;
import io.fleetgate.security.Caller;
import io.fleetgate.sweep.ConfigHash;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * GetSyncConfig: the enabled integration sources assigned to the calling sync service (for the
 * platform sync, those of every tenant, each tagged with its tenant), credentials decrypted
 * for that caller only, versioned by content.
 */
@Component
public class SyncConfigRpc {

    private static final Logger log = LoggerFactory.getLogger(SyncConfigRpc.class);
    private static final TypeReference<Map<String, String>> CREDENTIALS = new TypeReference<>() {
    };

    private final IntegrationSourceRepository repository;
    private final CredentialCipher cipher;
    private final JsonMapper json = JsonMapper.shared();

    SyncConfigRpc(IntegrationSourceRepository repository, CredentialCipher cipher) {
        this.repository = repository;
        this.cipher = cipher;
    }

    public Mono<SyncConfigResponse> getSyncConfig(Caller caller, SyncConfigRequest request) {
        return Mono.defer(() -> {
            caller.requireSyncService("GetSyncConfig");
            UUID syncService = caller.actingSyncService(request.getSyncServiceId(), "GetSyncConfig");
            return repository.enabledFor(syncService).map(this::config).collectList()
                    .map(sources -> respond(sources, request.getConfigVersion()));
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

    private IntegrationSourceConfig config(IntegrationSource source) {
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
