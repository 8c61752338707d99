package io.fleetgate.web;

import io.fleetgate.error.GatewayException;
import io.fleetgate.integration.IntegrationSourceService;
import io.fleetgate.security.GatewayUser;
import io.fleetgate.source.SourceType;
import io.fleetgate.syncservice.SyncService;
import io.fleetgate.syncservice.SyncServiceService;
import io.fleetgate.tenant.Tenant;
import io.fleetgate.tenant.TenantService;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.reactive.result.view.Rendering;
import reactor.core.publisher.Mono;

/** Integrations: the list (with sync service availability and status), and the create/edit form. */
@Controller
class IntegrationsPage {

    private final IntegrationSourceService sources;
    private final SyncServiceService syncServices;
    private final TenantService tenants;

    IntegrationsPage(IntegrationSourceService sources, SyncServiceService syncServices, TenantService tenants) {
        this.sources = sources;
        this.syncServices = syncServices;
        this.tenants = tenants;
    }

    @GetMapping("/integrations")
    Mono<Rendering> list(@AuthenticationPrincipal GatewayUser me, @RequestParam(required = false) UUID tenant) {
        return tenants.visibleTo(me).collectList().flatMap(visible -> {
            Tenant selected = TenantChoice.choose(visible, tenant);
            if (selected == null) {
                return Mono.just(Rendering.view("integrations/list").modelAttribute("tenants", visible)
                        .modelAttribute("tenant", null).build());
            }
            return Mono.zip(sources.list(me, selected.id()).collectList(),
                            syncServices.usableBy(selected.id()).collectMap(SyncService::id),
                            sources.deviceCounts(selected.id()))
                    .map(data -> Rendering.view("integrations/list")
                            .modelAttribute("tenants", visible)
                            .modelAttribute("tenant", selected)
                            .modelAttribute("sources", data.getT1())
                            .modelAttribute("syncServices", data.getT2())
                            .modelAttribute("deviceCounts", data.getT3())
                            // the availability question of the onboarding capability, asked as the page loads
                            .modelAttribute("available", !data.getT2().isEmpty())
                            .build());
        });
    }

    @GetMapping("/integrations/new")
    Mono<Rendering> newForm(@AuthenticationPrincipal GatewayUser me, @RequestParam UUID tenant) {
        return tenants.managed(me, tenant).flatMap(t -> syncServices.usableBy(t.id()).collectList().flatMap(usable -> {
            if (usable.isEmpty()) {
                return Mono.error(GatewayException.invalid("sync_service_id", "no sync service available for " + t.name()));
            }
            return Mono.just(form(t, IntegrationForm.empty(t.id(), usable.get(0).id().toString()), usable, Map.of(), null));
        }));
    }

    @PostMapping("/integrations")
    Mono<Rendering> create(@AuthenticationPrincipal GatewayUser me, @ModelAttribute IntegrationForm form) {
        return Mono.fromCallable(() -> form.toRequest(null))
                .flatMap(request -> sources.create(me, request))
                .map(created -> Rendering.redirectTo("/integrations?tenant=" + created.tenantId()).build())
                .onErrorResume(GatewayException.class, e -> again(me, form, null, e));
    }

    @GetMapping("/integrations/{id}/edit")
    Mono<Rendering> editForm(@AuthenticationPrincipal GatewayUser me, @PathVariable UUID id) {
        return sources.visible(me, id).flatMap(source -> tenants.managed(me, source.tenantId())
                .zipWith(syncServices.usableBy(source.tenantId()).collectList())
                .map(both -> form(both.getT1(), IntegrationForm.of(source), both.getT2(), Map.of(), id)));
    }

    @PostMapping("/integrations/{id}")
    Mono<Rendering> update(@AuthenticationPrincipal GatewayUser me, @PathVariable UUID id, @ModelAttribute IntegrationForm form) {
        return sources.visible(me, id)
                .flatMap(current -> Mono.fromCallable(() -> form.toRequest(current)).flatMap(request -> sources.update(me, id, request)))
                .map(updated -> Rendering.redirectTo("/integrations?tenant=" + updated.tenantId()).build())
                .onErrorResume(GatewayException.class, e -> again(me, form, id, e));
    }

    @PostMapping("/integrations/{id}/delete")
    Mono<Rendering> delete(@AuthenticationPrincipal GatewayUser me, @PathVariable UUID id) {
        return sources.visible(me, id).flatMap(source -> sources.delete(me, id)
                .thenReturn(Rendering.redirectTo("/integrations?tenant=" + source.tenantId()).build()));
    }

    /** The form again, with what the user typed and what is wrong with it. */
    private Mono<Rendering> again(GatewayUser me, IntegrationForm form, UUID sourceId, GatewayException error) {
        if (error.reason() != GatewayException.Reason.INVALID_ARGUMENT && error.reason() != GatewayException.Reason.ALREADY_EXISTS) {
            return Mono.error(error);
        }
        Map<String, String> errors = new HashMap<>();
        errors.put(error.field() == null ? "_form" : error.field(), error.getMessage());
        UUID tenant = UUID.fromString(form.tenantId());
        return tenants.managed(me, tenant).zipWith(syncServices.usableBy(tenant).collectList())
                .map(both -> form(both.getT1(), form, both.getT2(), errors, sourceId));
    }

    private static Rendering form(Tenant tenant, IntegrationForm form, List<SyncService> usable, Map<String, String> errors,
                                  UUID sourceId) {
        return Rendering.view("integrations/form")
                .modelAttribute("tenant", tenant)
                .modelAttribute("form", form)
                .modelAttribute("usable", usable)
                .modelAttribute("sourceTypes", SourceType.ids())
                .modelAttribute("errors", new LinkedHashMap<>(errors))
                .modelAttribute("editing", sourceId != null)
                .modelAttribute("sourceId", sourceId == null ? "" : sourceId.toString())
                .build();
    }
}
