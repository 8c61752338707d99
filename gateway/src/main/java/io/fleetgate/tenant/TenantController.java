package io.fleetgate.tenant;

import io.fleetgate.security.GatewayUser;
import io.fleetgate.security.Role;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
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
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** REST: tenants, their agent enrollment tokens, their users and their SaaS sync quota. */
@RestController
@RequestMapping("/api/v1/tenants")
class TenantController {

    private final TenantService tenants;

    TenantController(TenantService tenants) {
        this.tenants = tenants;
    }

    record CreateTenant(
            @NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}", message = "lower-case letters, digits and '-', at most 63") String slug,
            @NotBlank @Size(max = 200) String name) {
    }

    record TenantView(UUID id, String slug, String name, boolean isPlatform) {
        static TenantView of(Tenant tenant) {
            return new TenantView(tenant.id(), tenant.slug(), tenant.name(), tenant.isPlatform());
        }
    }

    record CreateToken(@Size(max = 100) String label) {
    }

    record TokenView(UUID id, String token) {
    }

    record CreateUser(
            @NotBlank @Pattern(regexp = "[A-Za-z0-9._@-]{1,64}", message = "letters, digits and . _ @ -, at most 64") String username,
            @NotBlank @Size(min = 12, max = 200, message = "between 12 and 200 characters") String password,
            @NotNull Role role) {
    }

    /** Overrides of the SaaS sync quotas; an absent (null) field returns to the gateway's default. */
    record QuotaOverride(
            @Min(0) @Max(100_000) Integer maxSources,
            @Min(1) @Max(10_000_000) Integer maxDevicesPerRun,
            @Min(10) @Max(604_800) Integer minPollIntervalSec) {
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Mono<TenantView> create(@AuthenticationPrincipal GatewayUser actor, @Valid @RequestBody CreateTenant body) {
        return tenants.create(actor, body.slug(), body.name().strip()).map(TenantView::of);
    }

    @GetMapping
    Flux<TenantView> list(@AuthenticationPrincipal GatewayUser actor) {
        return tenants.visibleTo(actor).map(TenantView::of);
    }

    @GetMapping("/{id}")
    Mono<TenantView> get(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID id) {
        return tenants.managed(actor, id).map(TenantView::of);
    }

    @PostMapping("/{id}/agent-tokens")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<TokenView> createAgentToken(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID id,
                                     @Valid @RequestBody(required = false) CreateToken body) {
        return tenants.issueAgentToken(actor, id, body == null ? null : body.label())
                .map(issued -> new TokenView(issued.id(), issued.token()));
    }

    @DeleteMapping("/{id}/agent-tokens/{tokenId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> revokeAgentToken(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID id, @PathVariable UUID tokenId) {
        return tenants.revokeAgentToken(actor, id, tokenId);
    }

    @PostMapping("/{id}/users")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<TenantService.NewUser> createUser(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID id,
                              @Valid @RequestBody CreateUser body) {
        return tenants.createUser(actor, id, body.username(), body.password(), body.role());
    }

    @GetMapping("/{id}/saas-quota")
    Mono<SaasQuota> saasQuota(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID id) {
        return tenants.saasQuota(actor, id);
    }

    @PutMapping("/{id}/saas-quota")
    Mono<SaasQuota> overrideSaasQuota(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID id,
                                      @Valid @RequestBody QuotaOverride body) {
        return tenants.overrideSaasQuota(actor, id, body.maxSources(), body.maxDevicesPerRun(), body.minPollIntervalSec());
    }
}
