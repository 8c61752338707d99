package io.fleetgate.web;

import io.fleetgate.agent.AgentQuery;
import io.fleetgate.agent.AgentService;
import io.fleetgate.agent.AgentStatus;
import io.fleetgate.agent.AgentSummary;
import io.fleetgate.proto.DeviceTarget;
import io.fleetgate.proto.SweepConfig;
import io.fleetgate.security.GatewayUser;
import io.fleetgate.tenant.Tenant;
import io.fleetgate.tenant.TenantService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/**
 * Agents: the fleet of one tenant (summary cards, a filtered, searchable, paginated table) and
 * one agent (its versions, its refusal, what it should sweep). The pages refresh their statuses
 * from the agents API, which answers the same query.
 */
@Controller
class AgentsPage {

    static final int PAGE_SIZE = 50;
    /** Targets one agent's page lists; the API has them all. */
    static final int TARGETS_SHOWN = 200;

    private final AgentService agents;
    private final TenantService tenants;

    AgentsPage(AgentService agents, TenantService tenants) {
        this.agents = agents;
        this.tenants = tenants;
    }

    @GetMapping("/agents")
    Mono<Rendering> list(@AuthenticationPrincipal GatewayUser me, @RequestParam(required = false) @Nullable UUID tenant,
                         @RequestParam(required = false) @Nullable String liveness, @RequestParam(required = false) @Nullable String status,
                         @RequestParam(required = false) @Nullable String q, @RequestParam(required = false) @Nullable String after) {
        return tenants.visibleTo(me).collectList().flatMap(visible -> {
            Tenant selected = TenantChoice.choose(visible, tenant);
            if (selected == null) {
                return Mono.just(Rendering.view("agents/list").modelAttribute("tenants", visible).modelAttribute("tenant", null).build());
            }
            AgentQuery query = AgentQuery.parse(selected.id(), liveness, status, q, PAGE_SIZE, after);
            return Mono.zip(agents.summary(me, selected.id()), agents.page(me, query))
                    .map(data -> Rendering.view("agents/list")
                            .modelAttribute("tenants", visible)
                            .modelAttribute("tenant", selected)
                            .modelAttribute("summary", data.getT1())
                            .modelAttribute("counts", counts(data.getT1()))
                            .modelAttribute("agents", data.getT2().items())
                            .modelAttribute("livenesses", AgentStatus.Liveness.values())
                            .modelAttribute("statuses", AgentStatus.ConfigStatus.values())
                            .modelAttribute("liveness", liveness == null ? "" : liveness)
                            .modelAttribute("status", status == null ? "" : status)
                            .modelAttribute("q", q == null ? "" : q)
                            .modelAttribute("firstUrl", after == null || after.isEmpty() ? null
                                    : url("/agents", selected.id(), "tenant", liveness, status, q, null))
                            .modelAttribute("nextUrl", data.getT2().nextCursor() == null ? null
                                    : url("/agents", selected.id(), "tenant", liveness, status, q, data.getT2().nextCursor()))
                            // what the page shows, asked of the API again for live statuses
                            .modelAttribute("listApi", url("/api/v1/agents", selected.id(), "tenant_id", liveness, status, q, after)
                                    + "&limit=" + PAGE_SIZE)
                            .modelAttribute("summaryApi", url("/api/v1/agents/summary", selected.id(), "tenant_id", null, null, null, null))
                            .build());
        });
    }

    /** Agent ids may hold '/', so the id is the rest of the path. */
    @GetMapping("/agents/{tenant}/{*agent}")
    Mono<Rendering> detail(@AuthenticationPrincipal GatewayUser me, @PathVariable UUID tenant, @PathVariable String agent) {
        String id = agent.startsWith("/") ? agent.substring(1) : agent;
        return agents.detail(me, tenant, id).zipWith(tenants.managed(me, tenant)).map(data -> {
            SweepConfig sweep = data.getT1().desired().sweep();
            List<DeviceTarget> targets = sweep.getDeviceTargetsList();
            return Rendering.view("agents/detail")
                    .modelAttribute("agent", data.getT1().agent())
                    .modelAttribute("desired", data.getT1().desired())
                    .modelAttribute("lastSweep", data.getT1().lastSweep())
                    .modelAttribute("sweep", sweep)
                    .modelAttribute("targets", targets.subList(0, Math.min(TARGETS_SHOWN, targets.size())))
                    .modelAttribute("moreTargets", Math.max(0, targets.size() - TARGETS_SHOWN))
                    .modelAttribute("tenant", data.getT2())
                    .modelAttribute("listApi", UriComponentsBuilder.fromPath("/api/v1/agents").queryParam("tenant_id", tenant)
                            .queryParam("q", id).queryParam("limit", PAGE_SIZE).encode().build().toUriString())
                    .build();
        });
    }

    /** The summary's counts by wire name: liveness and config status names never overlap. */
    private static Map<String, Long> counts(AgentSummary summary) {
        Map<String, Long> counts = new HashMap<>();
        summary.byLiveness().forEach((liveness, n) -> counts.put(liveness.wireName(), n));
        summary.byConfigStatus().forEach((status, n) -> counts.put(status.wireName(), n));
        return counts;
    }

    private static String url(String path, UUID tenant, String tenantParameter, @Nullable String liveness, @Nullable String status,
                              @Nullable String q, @Nullable String after) {
        UriComponentsBuilder url = UriComponentsBuilder.fromPath(path).queryParam(tenantParameter, tenant);
        for (String[] parameter : new String[][]{{"liveness", liveness}, {"status", status}, {"q", q}, {"after", after}}) {
            if (parameter[1] != null && !parameter[1].isBlank()) {
                url.queryParam(parameter[0], parameter[1]);
            }
        }
        return url.encode().build().toUriString();
    }
}
