package io.fleetgate.agent;

import io.fleetgate.error.GatewayException;
import io.fleetgate.security.GatewayUser;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.Function;
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

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** Longer than any agent id can be: a prefix past it matches nothing, so it is refused as a mistake. */
    private static final int MAX_PREFIX = 200;

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
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            return Mono.error(GatewayException.invalid("limit", "from 1 to " + MAX_LIMIT));
        }
        String prefix = q == null || q.isBlank() ? null : q.strip();
        if (prefix != null && prefix.length() > MAX_PREFIX) {
            return Mono.error(GatewayException.invalid("q", "at most " + MAX_PREFIX + " characters"));
        }
        AgentQuery.Position position = null;
        if (after != null && !after.isEmpty()) {
            position = AgentCursor.decode(after).orElse(null);
            if (position == null) {
                return Mono.error(GatewayException.invalid("after", "not a cursor this API returned"));
            }
        }
        AgentStatus.Liveness wantedLiveness = wireValue("liveness", liveness, AgentStatus.Liveness.values(), AgentStatus.Liveness::wireName);
        AgentStatus.ConfigStatus wantedStatus = wireValue("status", status, AgentStatus.ConfigStatus.values(), AgentStatus.ConfigStatus::wireName);
        return service.page(actor, new AgentQuery(tenant, wantedLiveness, wantedStatus, prefix, position, size)).map(AgentJson.Page::of);
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
        String id = agent.startsWith("/") ? agent.substring(1) : agent;
        if (!AgentIds.isValid(id)) {
            return Mono.error(GatewayException.notFound("no such agent in tenant " + tenant));
        }
        return service.detail(actor, tenant, id).map(AgentJson.Detail::of);
    }

    /** The constant whose wire name is {@code value}, null for no value; a 400 naming the parameter otherwise. */
    private static <E extends Enum<E>> @Nullable E wireValue(String parameter, @Nullable String value, E[] values, Function<E, String> wireName) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        return Arrays.stream(values).filter(v -> wireName.apply(v).equals(value)).findFirst()
                .orElseThrow(() -> GatewayException.invalid(parameter, "one of "
                        + String.join(", ", Arrays.stream(values).map(wireName).toList())));
    }
}
