package io.fleetgate.integration;

import io.fleetgate.security.GatewayUser;
import io.fleetgate.syncservice.SyncServiceService;
import io.fleetgate.syncservice.SyncServiceView;
import java.util.List;
import java.util.UUID;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * REST: one sync service with the integrations that use it and their device counts. Lives here
 * because sync services know nothing of integrations; integrations know their sync service.
 */
@RestController
class SyncServiceDetailsController {

    private final SyncServiceService syncServices;
    private final IntegrationSourceService sources;

    SyncServiceDetailsController(SyncServiceService syncServices, IntegrationSourceService sources) {
        this.syncServices = syncServices;
        this.sources = sources;
    }

    record Details(SyncServiceView syncService, List<SourceUsage> integrations, long deviceCount) {
    }

    @GetMapping("/api/v1/sync-services/{id}")
    Mono<Details> get(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID id) {
        return syncServices.visible(actor, id)
                .flatMap(service -> sources.usage(actor, id).collectList()
                        .map(usage -> new Details(SyncServiceView.of(service), usage,
                                usage.stream().mapToLong(SourceUsage::deviceCount).sum())));
    }
}
