package io.fleetgate.device;

import io.fleetgate.error.GatewayException;
import io.fleetgate.security.GatewayUser;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** REST: canonical devices (SPEC 13.4) — the filtered list, the summary, one device, unmerge. */
@RestController
@RequestMapping("/api/v1/devices")
class DeviceController {

    private final DeviceService service;

    DeviceController(DeviceService service) {
        this.service = service;
    }

    @GetMapping
    Mono<DeviceViews.Page> list(@AuthenticationPrincipal GatewayUser actor,
                                @RequestParam(name = "tenant_id", required = false) @Nullable UUID tenant,
                                @RequestParam(required = false) @Nullable String q,
                                @RequestParam(required = false) @Nullable String ip,
                                @RequestParam(required = false) @Nullable String cidr,
                                @RequestParam(required = false) @Nullable String mac,
                                @RequestParam(name = "source_id", required = false) @Nullable UUID source,
                                @RequestParam(name = "agent_uid", required = false) @Nullable String agent,
                                @RequestParam(required = false) @Nullable String availability,
                                @RequestParam(required = false) @Nullable Integer limit,
                                @RequestParam(required = false) @Nullable String after) {
        return Mono.fromCallable(() -> DeviceQuery.parse(tenant, q, ip, cidr, mac, source, agent, availability, limit, after))
                .flatMap(query -> service.page(actor, query));
    }

    /** A tenant admin's own tenant unless one is named; platform admins name one. */
    @GetMapping("/summary")
    Mono<DeviceViews.Summary> summary(@AuthenticationPrincipal GatewayUser actor,
                                      @RequestParam(name = "tenant_id", required = false) @Nullable UUID tenant) {
        UUID scoped = tenant != null ? tenant : actor.tenantId();
        if (scoped == null) {
            return Mono.error(GatewayException.invalid("tenant_id", "required for platform admins"));
        }
        return service.summary(actor, scoped);
    }

    @GetMapping("/{tenant}/{canonical}")
    Mono<DeviceViews.Detail> detail(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID tenant, @PathVariable UUID canonical) {
        return service.detail(actor, tenant, canonical);
    }

    /** Which source record to split out of the device, and why. */
    record UnmergeRequest(@Nullable UUID discoveredDeviceId, @Nullable String reason) {
    }

    @PostMapping("/{tenant}/{canonical}/unmerge")
    Mono<DeviceViews.Split> unmerge(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID tenant, @PathVariable UUID canonical,
                                    @RequestBody UnmergeRequest request) {
        return service.unmerge(actor, tenant, canonical, request.discoveredDeviceId(), request.reason());
    }
}
