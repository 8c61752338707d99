package io.fleetgate.web;

import io.fleetgate.device.DeviceQuery;
import io.fleetgate.device.DeviceService;
import io.fleetgate.device.DeviceViews;
import io.fleetgate.error.GatewayException;
import io.fleetgate.integration.IntegrationSource;
import io.fleetgate.integration.IntegrationSourceService;
import io.fleetgate.security.GatewayUser;
import io.fleetgate.tenant.Tenant;
import io.fleetgate.tenant.TenantService;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/**
 * Devices: the canonical devices of one tenant (summary cards the page fills from the API, a search box that takes a hostname,
 * an IP, a CIDR or a MAC, source and agent filters, cursor pages) and one device (its source
 * records side by side, who sweeps it, its merge history, and the unmerge form).
 */
@Controller
class DevicesPage {

    static final int PAGE_SIZE = 50;

    private final DeviceService devices;
    private final TenantService tenants;
    private final IntegrationSourceService sources;

    DevicesPage(DeviceService devices, TenantService tenants, IntegrationSourceService sources) {
        this.devices = devices;
        this.tenants = tenants;
        this.sources = sources;
    }

    @GetMapping("/devices")
    Mono<Rendering> list(@AuthenticationPrincipal GatewayUser me, @RequestParam(required = false) @Nullable UUID tenant,
                         @RequestParam(required = false) @Nullable String q,
                         @RequestParam(name = "source_id", required = false) @Nullable UUID source,
                         @RequestParam(name = "agent_uid", required = false) @Nullable String agent,
                         @RequestParam(required = false) @Nullable String availability,
                         @RequestParam(required = false) @Nullable String after) {
        return tenants.visibleTo(me).collectList().flatMap(visible -> {
            Tenant selected = TenantChoice.choose(visible, tenant);
            Rendering.Builder<?> page = Rendering.view("devices/list").modelAttribute("tenants", visible).modelAttribute("tenant", selected);
            if (selected == null) {
                return Mono.just(page.build());
            }
            page.modelAttribute("q", q == null ? "" : q).modelAttribute("sourceId", source == null ? "" : source.toString())
                    .modelAttribute("agentUid", agent == null ? "" : agent).modelAttribute("availability", availability == null ? "" : availability);
            Mono<DeviceViews.Page> found = Mono.fromCallable(() -> DeviceQuery.parse(selected.id(), q, null, null, null, source, agent,
                            availability, PAGE_SIZE, after))
                    .flatMap(query -> devices.page(me, query))
                    .onErrorResume(GatewayException.class, e -> e.reason() == GatewayException.Reason.INVALID_ARGUMENT
                            ? Mono.fromRunnable(() -> page.modelAttribute("error", e.getMessage()).status(HttpStatus.BAD_REQUEST))
                            .thenReturn(new DeviceViews.Page(List.of(), null))
                            : Mono.error(e));
            // the summary counts a whole tenant (a second at a million devices): the page asks the API for it once loaded
            return Mono.zip(found, sources.list(me, selected.id()).collectList())
                    .map(data -> page
                            .modelAttribute("summaryApi", UriComponentsBuilder.fromPath("/api/v1/devices/summary")
                                    .queryParam("tenant_id", selected.id()).encode().build().toUriString())
                            .modelAttribute("devices", data.getT1().items())
                            .modelAttribute("sources", data.getT2())
                            .modelAttribute("byAddress", data.getT1().items().stream().anyMatch(item -> item.matchedIp() != null))
                            .modelAttribute("firstUrl", after == null || after.isEmpty() ? null : url(selected.id(), q, source, agent, availability, null))
                            .modelAttribute("nextUrl", data.getT1().next() == null ? null
                                    : url(selected.id(), q, source, agent, availability, data.getT1().next()))
                            .build());
        });
    }

    @GetMapping("/devices/{tenant}/{canonical}")
    Mono<Rendering> detail(@AuthenticationPrincipal GatewayUser me, @PathVariable UUID tenant, @PathVariable UUID canonical,
                           @RequestParam(name = "split_from", required = false) @Nullable UUID splitFrom) {
        return detailPage(me, tenant, canonical).map(page -> page.modelAttribute("splitFrom", splitFrom).build());
    }

    /** What the unmerge form posts: which record to split out, and why. */
    record UnmergeForm(@Nullable String discoveredDeviceId, @Nullable String reason) {
    }

    @PostMapping("/devices/{tenant}/{canonical}/unmerge")
    Mono<Rendering> unmerge(@AuthenticationPrincipal GatewayUser me, @PathVariable UUID tenant, @PathVariable UUID canonical,
                            @ModelAttribute UnmergeForm form) {
        return Mono.fromCallable(() -> recordId(form.discoveredDeviceId()))
                .flatMap(record -> devices.unmerge(me, tenant, canonical, record, form.reason()))
                .map(split -> Rendering.redirectTo("/devices/" + tenant + "/" + split.canonicalDeviceId() + "?split_from="
                        + split.fromCanonicalDeviceId()).build())
                .onErrorResume(GatewayException.class, e -> e.reason() != GatewayException.Reason.INVALID_ARGUMENT
                        && e.reason() != GatewayException.Reason.CONFLICT ? Mono.error(e)
                        : detailPage(me, tenant, canonical).map(page -> page.modelAttribute("unmergeError", e.getMessage())
                                .modelAttribute("unmergeRecord", form.discoveredDeviceId())
                                .status(e.reason() == GatewayException.Reason.CONFLICT ? HttpStatus.CONFLICT : HttpStatus.BAD_REQUEST)
                                .build()));
    }

    private Mono<Rendering.Builder<?>> detailPage(GatewayUser me, UUID tenant, UUID canonical) {
        return Mono.zip(devices.detail(me, tenant, canonical), tenants.managed(me, tenant), sources.list(me, tenant).collectList())
                .map(data -> {
                    Map<UUID, String> sourceNames = data.getT3().stream()
                            .collect(Collectors.toMap(IntegrationSource::id, IntegrationSource::name));
                    return Rendering.view("devices/detail")
                            .modelAttribute("device", data.getT1())
                            .modelAttribute("tenant", data.getT2())
                            .modelAttribute("sourceNames", sourceNames);
                });
    }

    private static @Nullable UUID recordId(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(text.strip());
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalid("discovered_device_id", "not a source record id");
        }
    }

    private static String url(UUID tenant, @Nullable String q, @Nullable UUID source, @Nullable String agent, @Nullable String availability,
                              @Nullable String after) {
        UriComponentsBuilder url = UriComponentsBuilder.fromPath("/devices").queryParam("tenant", tenant);
        if (q != null && !q.isBlank()) {
            url.queryParam("q", q);
        }
        if (source != null) {
            url.queryParam("source_id", source);
        }
        if (agent != null && !agent.isBlank()) {
            url.queryParam("agent_uid", agent);
        }
        if (availability != null && !availability.isBlank()) {
            url.queryParam("availability", availability);
        }
        if (after != null) {
            url.queryParam("after", after);
        }
        return url.encode().build().toUriString();
    }
}
