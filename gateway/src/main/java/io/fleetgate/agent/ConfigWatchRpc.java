package io.fleetgate.agent;

import io.fleetgate.concurrency.Slots;
import io.fleetgate.error.GatewayException;
import io.fleetgate.error.PlainText;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.security.Caller;
import io.fleetgate.sweep.AgentConfig;
import io.fleetgate.sweep.AgentConfigCache;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * WatchConfig (SPEC 13.2): the first message answers as GetConfig would; after it a message goes
 * out only when the agent's desired config changes (pushed as soon as the config is rebuilt after
 * the change's notification), and a {@code not_modified} keep-alive every poll interval, which
 * also re-reads the config (so a watch stays right while the change feed is down) and records the
 * agent as alive. Open watches are bounded in all and per tenant; on shutdown every watch ends
 * UNAVAILABLE and the agent re-opens it elsewhere.
 */
@Component
public class ConfigWatchRpc {

    private final AgentConfigCache configs;
    private final PollRecorder polls;
    private final ConfigAnswers answers;
    private final Clock clock;
    private final Duration keepAlive;
    private final Slots<UUID> slots;
    private final Sinks.Empty<Void> draining = Sinks.empty();

    ConfigWatchRpc(AgentConfigCache configs, PollRecorder polls, ConfigAnswers answers, AgentProperties properties, Clock clock,
                   AgentMetrics metrics) {
        this.configs = configs;
        this.polls = polls;
        this.answers = answers;
        this.clock = clock;
        this.keepAlive = properties.configPollInterval();
        this.slots = new Slots<>(properties.maxWatches(), properties.maxWatchesPerTenant());
        metrics.watches(slots::open);
    }

    /** The version the stream last told the agent (null before its first answer): it is not sent again. */
    private static final class Told {
        @Nullable String version;
    }

    public Flux<AgentConfigResponse> watch(Caller caller, AgentConfigRequest request) {
        return Flux.defer(() -> {
            caller.requireAgent("WatchConfig");
            String agent = AgentRpc.agentId(request.getAgentId());
            PlainText.check("config_version", request.getConfigVersion(), AgentRpc.MAX_VERSION);
            PlainText.check("rejected_config_version", request.getRejectedConfigVersion(), AgentRpc.MAX_VERSION);
            UUID tenant = caller.tenantId();
            Slots.Full full = slots.tryOpen(tenant);
            if (full != null) {
                return Flux.error(GatewayException.exhausted(full == Slots.Full.KEY
                        ? "the tenant has the most open watches FLEETGATE_MAX_WATCHES_PER_TENANT allows: poll GetConfig instead"
                        : "this gateway has the most open watches FLEETGATE_MAX_WATCHES allows: poll GetConfig instead"));
            }
            int intervalSec = (int) keepAlive.toSeconds();
            Told told = new Told();
            Flux<Event> changes = configs.watch(tenant, agent).map(config -> new Event(config, false));
            Flux<Event> ticks = Flux.interval(keepAlive).onBackpressureDrop()
                    .concatMap(tick -> configs.current(tenant, agent).map(config -> new Event(config, true)), 0);
            return Flux.merge(changes, ticks)
                    .<AgentConfigResponse>handle((event, sink) -> {
                        long start = System.nanoTime();
                        AgentConfig config = event.config();
                        if (told.version == null) {
                            // as GetConfig: a refused version counts as held, so it is never resent (no resend loop)
                            polls.record(PollRecorder.Poll.of(tenant, agent, clock.instant(), request, intervalSec, config));
                            boolean has = ConfigAnswers.agentHas(config, request.getConfigVersion(), request.getRejectedConfigVersion());
                            told.version = config.version();
                            sink.next(has ? answers.notModified(config, start) : answers.full(config, start));
                        } else if (!config.version().equals(told.version)) {
                            told.version = config.version();
                            sink.next(answers.full(config, start));
                        } else if (event.keepAlive()) {
                            polls.record(PollRecorder.Poll.keepAlive(tenant, agent, clock.instant(), intervalSec, config));
                            sink.next(answers.notModified(config, start));
                        }
                    })
                    .mergeWith(draining.asMono().then(Mono.error(() -> GatewayException.unavailable(
                            "the gateway is shutting down: open the watch again (on another replica)"))))
                    .doFinally(signal -> slots.close(tenant));
        });
    }

    /** Shutdown: every open watch (and any opened after) ends UNAVAILABLE, which agents answer by watching another replica. */
    public void drain() {
        draining.tryEmitEmpty();
    }

    private record Event(AgentConfig config, boolean keepAlive) {
    }
}
