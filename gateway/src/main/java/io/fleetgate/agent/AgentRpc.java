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
import io.fleetgate.sweep.SweepProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hello and GetConfig. GetConfig of an unchanged agent is answered from memory: the credential
 * and the config both come from caches kept current by change notifications.
 */
@Component
public class AgentRpc {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final int MAX_VERSION = 128;
    private static final int MAX_REJECT_REASON = 1000;

    private final AgentRepository agents;
    private final PollRecorder polls;
    private final AgentConfigCache configs;
    private final AgentProperties properties;
    private final boolean sweepInGetConfig;
    private final Clock clock;
    private final Timer notModified;
    private final Timer full;

    AgentRpc(AgentRepository agents, PollRecorder polls, AgentConfigCache configs, AgentProperties properties, SweepProperties sweep,
             Clock clock, MeterRegistry registry) {
        this.agents = agents;
        this.polls = polls;
        this.sweepInGetConfig = sweep.source().inGetConfig();
        this.configs = configs;
        this.properties = properties;
        this.clock = clock;
        this.notModified = Timer.builder("fleetgate.getconfig.requests").description("GetConfig answers, by outcome")
                .tag("outcome", "not_modified").publishPercentileHistogram().register(registry);
        this.full = Timer.builder("fleetgate.getconfig.requests").description("GetConfig answers, by outcome")
                .tag("outcome", "full").publishPercentileHistogram().register(registry);
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
            caller.requireAgent("GetConfig");
            String agent = agentId(request.getAgentId());
            PlainText.check("config_version", request.getConfigVersion(), MAX_VERSION);
            PlainText.check("rejected_config_version", request.getRejectedConfigVersion(), MAX_VERSION);
            return configs.current(caller.tenantId(), agent).map(config -> {
                // in memory only: written behind, so an unchanged agent's poll still touches no database
                polls.record(new PollRecorder.Poll(caller.tenantId(), agent, clock.instant(), blankToNull(request.getConfigVersion()),
                        blankToNull(request.getRejectedConfigVersion()),
                        blankToNull(PlainText.sanitized(request.getRejectReason(), MAX_REJECT_REASON)),
                        (int) properties.configPollInterval().toSeconds(), config.version(),
                        config.sweep().getDeviceTargetsCount()));
                return respond(config, request, start);
            });
        });
    }

    /**
     * {@code not_modified} when the agent applied the desired version, and also when it refused it:
     * a refused config is never resent in full (no resend loop) until the desired version changes.
     */
    private AgentConfigResponse respond(AgentConfig config, AgentConfigRequest request, long start) {
        if (config.version().equals(request.getConfigVersion()) || config.version().equals(request.getRejectedConfigVersion())) {
            notModified.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            return AgentConfigResponse.newBuilder().setNotModified(true).setConfigVersion(config.version()).build();
        }
        AgentConfigResponse.Builder response = AgentConfigResponse.newBuilder()
                .setConfigVersion(config.version())
                .setConfigTimestamp(config.builtAt().getEpochSecond())
                .setHeartbeatIntervalSec((int) properties.heartbeatInterval().toSeconds())
                .setConfigPollIntervalSec((int) properties.configPollInterval().toSeconds())
                .setConfigJson(com.google.protobuf.ByteString.copyFrom(configJson(config)));
        if (sweepInGetConfig) {
            // FLEETGATE_SWEEP_SOURCE=kv: the version still tells the agent when to read the KV store again
            response.setSweep(config.sweep());
        }
        full.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        return response.build();
    }

    /** Extensible JSON beside the typed sweep: how many targets there were before any cut. */
    private static byte[] configJson(AgentConfig config) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("targets", config.sweep().getDeviceTargetsCount());
        json.put("targets_before_cut", config.targetsBeforeCut());
        json.put("truncated", config.truncated());
        return JSON.writeValueAsBytes(json);
    }

    private static String agentId(String value) {
        String id = value.strip();
        if (!AgentIds.isValid(id)) {
            throw GatewayException.invalid("agent_id", "required, matching " + AgentIds.PATTERN.pattern());
        }
        return id;
    }


    private static @Nullable String blankToNull(String value) {
        return value.isBlank() ? null : value.strip();
    }
}
