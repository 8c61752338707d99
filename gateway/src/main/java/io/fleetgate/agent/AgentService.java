package io.fleetgate.agent;

import io.fleetgate.availability.AvailabilityService;
import io.fleetgate.error.GatewayException;
import io.fleetgate.security.AgentIds;
import io.fleetgate.security.GatewayUser;
import io.fleetgate.sweep.AgentConfig;
import io.fleetgate.sweep.AgentConfigCache;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/** What operators see of agents: pages of the fleet with each agent's status, one agent, the summary. */
@Service
public class AgentService {

    /** Desired versions the summary lists (the most common ones): every agent may have a config of its own. */
    static final int SUMMARY_VERSIONS = 20;

    private final AgentRepository repository;
    private final AgentConfigCache configs;
    private final AvailabilityService sweeps;
    private final AgentProperties properties;
    private final Clock clock;
    private final SummarySnapshots summaries;

    AgentService(AgentRepository repository, AgentConfigCache configs, AvailabilityService sweeps, AgentProperties properties, Clock clock) {
        this.repository = repository;
        this.sweeps = sweeps;
        this.configs = configs;
        this.properties = properties;
        this.clock = clock;
        this.summaries = new SummarySnapshots(clock, properties.summaryMaxAge());
    }

    /** A page of agents and the position after its last one, when there may be more. */
    public record Page(List<AgentView> items, AgentQuery.@Nullable Position next) {

        /** {@code next} as the opaque cursor the API and the UI hand back as {@code after}. */
        public @Nullable String nextCursor() {
            return next == null ? null : AgentCursor.encode(next);
        }
    }

    /** One agent with the config the gateway would hand it now, and its latest sweep as its results came in (null: none yet). */
    public record Detail(AgentView agent, AgentConfig desired, AvailabilityService.@Nullable Sweep lastSweep) {
    }

    /** Tenant admins see their own tenant's agents whatever filter they ask for; platform admins all, or one tenant's. */
    public Mono<Page> page(GatewayUser actor, AgentQuery query) {
        AgentQuery scoped = actor.isPlatformAdmin() ? query : withTenant(query, actor.tenantId());
        if (!actor.isPlatformAdmin() && query.tenant() != null && !query.tenant().equals(actor.tenantId())) {
            return Mono.just(new Page(List.of(), null));
        }
        return repository.page(scoped, clock.instant(), properties.configPollInterval()).collectList()
                .map(items -> new Page(items, items.size() < scoped.limit() ? null : positionOf(items.get(items.size() - 1))));
    }

    /** One agent the actor may see; NOT_FOUND for an unknown agent and for another tenant's alike. */
    public Mono<Detail> detail(GatewayUser actor, UUID tenant, String agent) {
        if (!actor.mayManage(tenant) || !AgentIds.isValid(agent)) {
            return Mono.error(notFound(tenant));
        }
        return repository.find(tenant, agent, clock.instant(), properties.configPollInterval())
                .switchIfEmpty(Mono.error(() -> notFound(tenant)))
                .flatMap(view -> Mono.zip(configs.current(tenant, agent), sweeps.lastSweep(tenant, agent).map(Optional::of)
                                .defaultIfEmpty(Optional.empty()))
                        .map(found -> new Detail(view, found.getT1(), found.getT2().orElse(null))));
    }

    /** The summary of the actor's scope, as counted at most FLEETGATE_AGENT_SUMMARY_MAX_AGE ago ({@link SummarySnapshots}). */
    public Mono<AgentSummary> summary(GatewayUser actor, @Nullable UUID tenant) {
        UUID scoped = actor.isPlatformAdmin() ? tenant : actor.tenantId();
        if (!actor.isPlatformAdmin() && tenant != null && !tenant.equals(actor.tenantId())) {
            return Mono.error(GatewayException.notFound("no tenant " + tenant));
        }
        return summaries.get(scoped, now -> repository.summary(scoped, now, properties.configPollInterval(), SUMMARY_VERSIONS));
    }

    private static AgentQuery.Position positionOf(AgentView last) {
        return new AgentQuery.Position(last.tenantId(), last.agentUid());
    }

    private static AgentQuery withTenant(AgentQuery query, UUID tenant) {
        return new AgentQuery(tenant, query.liveness(), query.status(), query.prefix(), query.after(), query.limit());
    }

    private static GatewayException notFound(UUID tenant) {
        return GatewayException.notFound("no such agent in tenant " + tenant);
    }
}
