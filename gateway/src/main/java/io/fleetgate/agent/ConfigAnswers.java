package io.fleetgate.agent;

import com.google.protobuf.UnknownFieldSet;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.sweep.AgentConfig;
import io.fleetgate.sweep.SweepProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** The two answers GetConfig and WatchConfig give: {@code not_modified}, or the full config; timed by outcome. */
@Component
class ConfigAnswers {

    private static final JsonMapper JSON = JsonMapper.shared();

    private final AgentProperties properties;
    private final boolean sweepInGetConfig;
    private final Timer notModified;
    private final Timer full;

    ConfigAnswers(AgentProperties properties, SweepProperties sweep, MeterRegistry registry) {
        this.properties = properties;
        this.sweepInGetConfig = sweep.source().inGetConfig();
        this.notModified = Timer.builder("fleetgate.getconfig.requests").description("GetConfig answers, by outcome")
                .tag("outcome", "not_modified").publishPercentileHistogram().register(registry);
        this.full = Timer.builder("fleetgate.getconfig.requests").description("GetConfig answers, by outcome")
                .tag("outcome", "full").publishPercentileHistogram().register(registry);
    }

    /**
     * {@code not_modified} when the agent applied the desired version, and also when it refused it:
     * a refused config is never resent in full (no resend loop) until the desired version changes.
     */
    static boolean agentHas(AgentConfig config, String applied, String rejected) {
        return config.version().equals(applied) || config.version().equals(rejected);
    }

    AgentConfigResponse notModified(AgentConfig config, long startNanos) {
        notModified.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        return keepAlive(config);
    }

    /** A watch's keep-alive: not an answer to anything, so not timed as one. */
    static AgentConfigResponse keepAlive(AgentConfig config) {
        return AgentConfigResponse.newBuilder().setNotModified(true).setConfigVersion(config.version()).build();
    }

    AgentConfigResponse full(AgentConfig config, long startNanos) {
        AgentConfigResponse.Builder response = AgentConfigResponse.newBuilder()
                .setConfigVersion(config.version())
                .setConfigTimestamp(config.builtAt().getEpochSecond())
                .setHeartbeatIntervalSec((int) properties.heartbeatInterval().toSeconds())
                .setConfigPollIntervalSec((int) properties.configPollInterval().toSeconds())
                .setConfigJson(com.google.protobuf.ByteString.copyFrom(configJson(config)));
        if (sweepInGetConfig) {
            // FLEETGATE_SWEEP_SOURCE=kv: the version still tells the agent when to read the KV store again.
            // The sweep goes out as the cached bytes, written as field 10 verbatim: on the wire that is
            // the message itself, without parsing it into objects only to serialize them again.
            response.setUnknownFields(UnknownFieldSet.newBuilder()
                    .addField(AgentConfigResponse.SWEEP_FIELD_NUMBER,
                            UnknownFieldSet.Field.newBuilder().addLengthDelimited(config.sweepBytes()).build())
                    .build());
        }
        full.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        return response.build();
    }

    /** Extensible JSON beside the typed sweep: how many targets there were before any cut. */
    private static byte[] configJson(AgentConfig config) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("targets", config.targets());
        json.put("targets_before_cut", config.targetsBeforeCut());
        json.put("truncated", config.truncated());
        return JSON.writeValueAsBytes(json);
    }
}
