package io.fleetgate.agent;

import io.fleetgate.security.GatewayUser;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** REST: the agent fleet (SPEC 13.4) — pages of agents with their status, one agent with its desired config, the summary. */
@RestController
@RequestMapping("/api/v1/agents")
class AgentController {

    private final AgentService service;

    AgentController(AgentService service) {
        this.service = service;
    }

    @GetMapping
    Mono<AgentJson.Page> list(@AuthenticationPrincipal GatewayUser actor,
                              @RequestParam(name = "tenant_id", required = false) @Nullable UUID tenant,
                              @RequestParam(required = false) @Nullable String liveness,
                              @RequestParam(required = false) @Nullable String status,
                              @RequestParam(required = false) @Nullable String q,
                              @RequestParam(required = false) @Nullable Integer limit,
                              @RequestParam(required = false) @Nullable String after) {
        return Mono.fromCallable(() -> AgentQuery.parse(tenant, liveness, status, q, limit, after))
                .flatMap(query -> service.page(actor, query)).map(AgentJson.Page::of);
    }

    @GetMapping("/summary")
    Mono<AgentJson.Summary> summary(@AuthenticationPrincipal GatewayUser actor,
                                    @RequestParam(name = "tenant_id", required = false) @Nullable UUID tenant) {
        UUID scoped = actor.isPlatformAdmin() ? tenant : actor.tenantId();
        return service.summary(actor, tenant).map(summary -> AgentJson.Summary.of(scoped, summary));
    }

    /** Agent ids may hold '/', so the id is the rest of the path. */
    @GetMapping("/{tenant}/{*agent}")
    Mono<AgentJson.Detail> detail(@AuthenticationPrincipal GatewayUser actor, @PathVariable UUID tenant, @PathVariable String agent) {
        return service.detail(actor, tenant, agent.startsWith("/") ? agent.substring(1) : agent).map(AgentJson.Detail::of);
    }
}
