package io.fleetgate.agent;

import io.fleetgate.error.GatewayException;
import io.fleetgate.error.PlainText;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.AgentHelloResponse;
import io.fleetgate.security.AgentIds;
import io.fleetgate.security.Caller;
import io.fleetgate.sweep.AgentConfig;
import io.fleetgate.sweep.AgentConfigCache;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Hello and GetConfig. GetConfig of an unchanged agent is answered from memory: the credential
 * and the config both come from caches kept current by change notifications.
 */
@Component
public class AgentRpc {

    static final int MAX_VERSION = 128;
    static final int MAX_REJECT_REASON = 1000;

    private final AgentRepository agents;
    private final PollRecorder polls;
    private final AgentConfigCache configs;
    private final AgentProperties properties;
    private final ConfigAnswers answers;
    private final Clock clock;

    AgentRpc(AgentRepository agents, PollRecorder polls, AgentConfigCache configs, AgentProperties properties, ConfigAnswers answers,
             Clock clock) {
        this.agents = agents;
        this.polls = polls;
        this.configs = configs;
        this.properties = properties;
        this.answers = answers;
        this.clock = clock;
    }

    public Mono<AgentHelloResponse> hello(Caller caller, AgentHelloRequest request) {
        return Mono.defer(() -> {
            caller.requireAgent("Hello");
            String agent = agentId(request.getAgentId());
            HelloBounds.check(request);
            return agents.hello(caller.tenantId(), agent, blankToNull(request.getHostname()), blankToNull(request.getVersion()),
                            List.copyOf(request.getCapabilitiesList()), blankToNull(request.getPartition()),
                            Map.copyOf(request.getLabelsMap()), blankToNull(request.getConfigVersion()), clock.instant(),
                            properties.maxAgentsPerTenant())
                    .filter(stored -> stored)
                    .switchIfEmpty(Mono.error(() -> GatewayException.exhausted("the tenant has "
                            + properties.maxAgentsPerTenant() + " agents, the most FLEETGATE_MAX_AGENTS_PER_TENANT allows")))
                    .then(configs.current(caller.tenantId(), agent))
                    .map(config -> AgentHelloResponse.newBuilder()
                            .setAccepted(true)
                            .setAgentId(agent)
                            .setTenantId(caller.tenantId().toString())
                            .setHeartbeatIntervalSec((int) properties.heartbeatInterval().toSeconds())
                            .setConfigPollIntervalSec((int) properties.configPollInterval().toSeconds())
                            .setConfigOutdated(!config.version().equals(request.getConfigVersion()))
                            .setServerTime(clock.instant().getEpochSecond())
                            .build());
        });
    }

    public Mono<AgentConfigResponse> getConfig(Caller caller, AgentConfigRequest request) {
        long start = System.nanoTime();
        return Mono.defer(() -> {
            String agent = checked(caller, request);
            return configs.current(caller.tenantId(), agent).map(config -> answer(caller, agent, request, config, start));
        });
    }

    /**
     * GetConfig's answer when the agent's config is in memory, null when it has to be built or the
     * request is refused ({@link #getConfig} then answers, or says why): every poll of a running
     * fleet is answered here without a reactive pipeline, a scheduled timeout or a database.
     */
    public @Nullable AgentConfigResponse answerFromMemory(Caller caller, AgentConfigRequest request) {
        long start = System.nanoTime();
        String agent;
        try {
            agent = checked(caller, request);
        } catch (GatewayException refused) {
            return null;
        }
        AgentConfig config = configs.cached(caller.tenantId(), agent);
        return config == null ? null : answer(caller, agent, request, config, start);
    }

    /** The agent id of a GetConfig the caller may make; INVALID_ARGUMENT or PERMISSION_DENIED otherwise. */
    private static String checked(Caller caller, AgentConfigRequest request) {
        caller.requireAgent("GetConfig");
        String agent = agentId(request.getAgentId());
        PlainText.check("config_version", request.getConfigVersion(), MAX_VERSION);
        PlainText.check("rejected_config_version", request.getRejectedConfigVersion(), MAX_VERSION);
        return agent;
    }

    private AgentConfigResponse answer(Caller caller, String agent, AgentConfigRequest request, AgentConfig config, long start) {
        // in memory only: written behind, so an unchanged agent's poll still touches no database
        polls.record(PollRecorder.Poll.of(caller.tenantId(), agent, clock.instant(), request,
                (int) properties.configPollInterval().toSeconds(), config));
        return ConfigAnswers.agentHas(config, request.getConfigVersion(), request.getRejectedConfigVersion())
                ? answers.notModified(config, start)
                : answers.full(config, start);
    }

    static String agentId(String value) {
        String id = value.strip();
        if (!AgentIds.isValid(id)) {
            throw GatewayException.invalid("agent_id", "required, matching " + AgentIds.PATTERN.pattern());
        }
        return id;
    }

    static @Nullable String blankToNull(String value) {
        return value.isBlank() ? null : value.strip();
    }
}
