package io.fleetgate.syncservice;

import io.fleetgate.security.GatewayUser;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** REST: sync services, on-prem onboarding and credentials. */
@RestController
@RequestMapping("/api/v1/sync-services")
class SyncServiceController {

    private final SyncServiceService service;

    SyncServiceController(SyncServiceService service) {
        this.service = service;
    }

    record Onboard(@NotNull UUID tenantId, @NotBlank @Size(max = 100) String name) {
    }

    record OnboardedView(UUID id, String name, UUID tenantId, String credential) {
    }

    record CredentialView(String credential) {
    }

    @GetMapping
    Flux<SyncServiceView> list(@AuthenticationPrincipal GatewayUser actor, @RequestParam(name = "tenant_id", required = false) UUID tenant) {
        return service.visibleTo(actor, tenant).map(SyncServiceView::of);
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Mono<OnboardedView> onboard(@AuthenticationPrincipal GatewayUser actor, @Valid @RequestBody Onboard body) {
        return service.onboard(actor, body.tenantId(), body.name())
                .map(o -> new OnboardedView(o.syncService().id(), o.syncService().name(), o.syncService().tenantId(), o.credential()));
    }

    @PostMapping("/{id}/credentials")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<CredentialView> rotate(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID id) {
        return service.rotateCredential(actor, id).map(CredentialView::new);
    }

    @DeleteMapping("/{id}/credentials")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> revoke(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID id) {
        return service.revokeCredentials(actor, id);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> delete(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID id) {
        return service.delete(actor, id);
    }
}
