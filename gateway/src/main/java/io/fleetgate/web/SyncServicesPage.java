package io.fleetgate.web;

import io.fleetgate.error.GatewayException;
import io.fleetgate.grpc.GrpcServer;
import io.fleetgate.integration.IntegrationSourceService;
import io.fleetgate.integration.SourceUsage;
import io.fleetgate.security.GatewayUser;
import io.fleetgate.syncservice.SyncService;
import io.fleetgate.syncservice.SyncServiceService;
import io.fleetgate.tenant.Tenant;
import io.fleetgate.tenant.TenantService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Infrastructure → Sync Services, for platform admins only (others get the 403 page): the SaaS
 * sync, the on-prem ones, onboarding with a one-time credential, details and rotation.
 */
@Controller
class SyncServicesPage {

    private final SyncServiceService syncServices;
    private final IntegrationSourceService sources;
    private final TenantService tenants;
    private final GrpcServer grpc;

    SyncServicesPage(SyncServiceService syncServices, IntegrationSourceService sources, TenantService tenants, GrpcServer grpc) {
        this.syncServices = syncServices;
        this.sources = sources;
        this.tenants = tenants;
        this.grpc = grpc;
    }

    @GetMapping("/infrastructure/sync-services")
    Mono<Rendering> list(@AuthenticationPrincipal GatewayUser me) {
        return platformAdminOnly(me, () -> Mono.zip(syncServices.visibleTo(me, null).collectList(), tenantNames(me))
                .map(data -> Rendering.view("infrastructure/sync-services")
                        .modelAttribute("saas", data.getT1().stream().filter(SyncService::isPlatformSync).findFirst().orElse(null))
                        .modelAttribute("onPrem", data.getT1().stream().filter(s -> !s.isPlatformSync()).toList())
                        .modelAttribute("tenantNames", data.getT2())
                        .build()));
    }

    @GetMapping("/infrastructure/sync-services/new")
    Mono<Rendering> newForm(@AuthenticationPrincipal GatewayUser me, @RequestParam(required = false) String tenant) {
        return platformAdminOnly(me, () -> onboardForm(me, "", tenant == null ? "" : tenant, Map.of()));
    }

    @PostMapping("/infrastructure/sync-services")
    Mono<Rendering> onboard(@AuthenticationPrincipal GatewayUser me, ServerWebExchange exchange) {
        return platformAdminOnly(me, () -> exchange.getFormData().flatMap(form -> {
            String name = form.getFirst("name");
            String tenant = form.getFirst("tenantId");
            return Mono.fromCallable(() -> UUID.fromString(tenant == null ? "" : tenant))
                    .onErrorMap(IllegalArgumentException.class, e -> GatewayException.invalid("tenant_id", "choose a tenant"))
                    .flatMap(tenantId -> syncServices.onboard(me, tenantId, name))
                    .map(onboarded -> credentialPage(exchange, onboarded.syncService(), onboarded.credential(), false))
                    .onErrorResume(GatewayException.class, e -> e.reason() == GatewayException.Reason.INVALID_ARGUMENT
                            || e.reason() == GatewayException.Reason.ALREADY_EXISTS
                            ? onboardForm(me, name, tenant, Map.of(e.field() == null ? "name" : e.field(), e.getMessage()))
                            : Mono.error(e));
        }));
    }

    private Mono<Rendering> onboardForm(GatewayUser me, String name, String tenant, Map<String, String> errors) {
        return tenants.visibleTo(me).filter(t -> !t.isPlatform()).collectList()
                .map(list -> Rendering.view("infrastructure/onboard")
                        .modelAttribute("tenants", list)
                        .modelAttribute("name", name == null ? "" : name)
                        .modelAttribute("tenantId", tenant == null ? "" : tenant)
                        .modelAttribute("errors", errors)
                        .build());
    }

    @GetMapping("/infrastructure/sync-services/{id}")
    Mono<Rendering> details(@AuthenticationPrincipal GatewayUser me, @PathVariable UUID id) {
        return platformAdminOnly(me, () -> Mono.zip(syncServices.visible(me, id), sources.usage(me, id).collectList(), tenantNames(me))
                .map(data -> Rendering.view("infrastructure/details")
                        .modelAttribute("sync", data.getT1())
                        .modelAttribute("integrations", data.getT2())
                        .modelAttribute("deviceCount", data.getT2().stream().mapToLong(SourceUsage::deviceCount).sum())
                        .modelAttribute("tenantNames", data.getT3())
                        .modelAttribute("tenantName", data.getT3().getOrDefault(data.getT1().tenantId(), ""))
                        .build()));
    }

    @PostMapping("/infrastructure/sync-services/{id}/rotate")
    Mono<Rendering> rotate(@AuthenticationPrincipal GatewayUser me, @PathVariable UUID id, ServerWebExchange exchange) {
        return platformAdminOnly(me, () -> syncServices.visible(me, id).flatMap(sync -> syncServices.rotateCredential(me, id)
                .map(credential -> credentialPage(exchange, sync, credential, true))));
    }

    /** Sync services are platform infrastructure: every page here is for platform admins only. */
    private static Mono<Rendering> platformAdminOnly(GatewayUser me, Supplier<Mono<Rendering>> page) {
        return me.isPlatformAdmin() ? page.get() : Mono.just(UiErrors.forbidden());
    }

    /** The one time a credential is shown: with the exact command that starts a sync service with it. */
    private Rendering credentialPage(ServerWebExchange exchange, SyncService sync, String credential, boolean rotated) {
        String host = exchange.getRequest().getURI().getHost();
        String command = "java -jar fleetgate.jar sync --gateway " + (host == null ? "localhost" : host) + ":" + grpc.port()
                + " --token " + credential;
        return Rendering.view("infrastructure/credential")
                .modelAttribute("sync", sync)
                .modelAttribute("credential", credential)
                .modelAttribute("command", command)
                .modelAttribute("rotated", rotated)
                .build();
    }

    private Mono<Map<UUID, String>> tenantNames(GatewayUser me) {
        return tenants.visibleTo(me).collectList().map(SyncServicesPage::names);
    }

    private static Map<UUID, String> names(List<Tenant> tenants) {
        Map<UUID, String> names = new HashMap<>();
        tenants.forEach(t -> names.put(t.id(), t.name()));
        return names;
    }
}
