package io.fleetgate.integration;

import io.fleetgate.security.GatewayUser;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** REST: integration sources. Credentials go in, never out. */
@RestController
@RequestMapping("/api/v1/integration-sources")
class IntegrationSourceController {

    private final IntegrationSourceService sources;

    IntegrationSourceController(IntegrationSourceService sources) {
        this.sources = sources;
    }

    record SourceView(UUID id, UUID tenantId, String name, String sourceType, String endpoint, UUID syncServiceId,
                      String agentUid, String partition, boolean hasCredentials, int pollIntervalSec,
                      List<Integer> defaultPorts, List<String> sweepModes, Integer networkPrefix, boolean enabled,
                      Map<String, Object> settings, Instant lastSyncAt, int lastDeviceCount, Instant createdAt,
                      Instant updatedAt) {
        static SourceView of(IntegrationSource s) {
            return new SourceView(s.id(), s.tenantId(), s.name(), s.sourceType(), s.endpoint(), s.syncServiceId(),
                    s.agentUid(), s.partition(), s.encryptedCredentials() != null, s.pollIntervalSec(), s.defaultPorts(),
                    s.sweepModes(), s.networkPrefix(), s.enabled(), s.settings(), s.lastSyncAt(), s.lastDeviceCount(),
                    s.createdAt(), s.updatedAt());
        }
    }

    @GetMapping
    Flux<SourceView> list(@AuthenticationPrincipal GatewayUser actor, @RequestParam(name = "tenant_id", required = false) UUID tenant) {
        return sources.list(actor, tenant).map(SourceView::of);
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Mono<SourceView> create(@AuthenticationPrincipal GatewayUser actor, @RequestBody SourceRequest body) {
        return sources.create(actor, body).map(SourceView::of);
    }

    @GetMapping("/{id}")
    Mono<SourceView> get(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID id) {
        return sources.visible(actor, id).map(SourceView::of);
    }

    @PutMapping("/{id}")
    Mono<SourceView> update(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID id, @RequestBody SourceRequest body) {
        return sources.update(actor, id, body).map(SourceView::of);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> delete(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID id) {
        return sources.delete(actor, id);
    }
}
