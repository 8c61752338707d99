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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * WatchConfig (SPEC 13.2): the first message answers as GetConfig would; after it a message goes
 * out only when the agent's desired config changes (pushed as soon as the config is rebuilt after
 * the change's notification), and a {@code not_modified} keep-alive every poll interval, which
 * also re-reads the config (so a watch stays right while the change feed is down) and records the
 * agent as alive. Open watches are bounded in all and per tenant; on shutdown every watch ends
 * UNAVAILABLE and the agent re-opens it elsewhere.
 *
 * <p>A watch is a small object, not a reactive pipeline: one listener in the config cache, one
 * entry here, and one shared ticker for every keep-alive. An open watch then costs little more
 * than gRPC's own stream, which is what 100,000 of them on one gateway need.
 */
@Component
public class ConfigWatchRpc implements SmartLifecycle {

    /** Where a watch's messages go: the gRPC stream, seen through what the watch needs of it. */
    public interface Outbound {

        /** Whether the transport takes more now; a keep-alive is skipped when it does not. */
        boolean ready();

        void send(AgentConfigResponse response);

        /** Ends the stream with this error. */
        void end(Throwable error);
    }

    /** An open watch; closing it (the agent went away) is idempotent. */
    public interface Handle {
        void close();
    }

    private static final Duration TICK = Duration.ofSeconds(1);

    private final AgentConfigCache configs;
    private final PollRecorder polls;
    private final ConfigAnswers answers;
    private final Clock clock;
    private final Duration keepAlive;
    private final Slots<UUID> slots;
    private final Map<Watch, Boolean> open = new ConcurrentHashMap<>();
    private volatile boolean draining;
    private volatile @Nullable Disposable ticker;

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

    /** Opens a watch, or throws what to answer instead (a refused caller, a bad request, bounds reached, shutting down). */
    public Handle open(Caller caller, AgentConfigRequest request, Outbound out) {
        caller.requireAgent("WatchConfig");
        String agent = AgentRpc.agentId(request.getAgentId());
        PlainText.check("config_version", request.getConfigVersion(), AgentRpc.MAX_VERSION);
        PlainText.check("rejected_config_version", request.getRejectedConfigVersion(), AgentRpc.MAX_VERSION);
        if (draining) {
            throw shuttingDown();
        }
        UUID tenant = caller.tenantId();
        Slots.Full full = slots.tryOpen(tenant);
        if (full != null) {
            throw GatewayException.exhausted(full == Slots.Full.KEY
                    ? "the tenant has the most open watches FLEETGATE_MAX_WATCHES_PER_TENANT allows: poll GetConfig instead"
                    : "this gateway has the most open watches FLEETGATE_MAX_WATCHES allows: poll GetConfig instead");
        }
        Watch watch = new Watch(tenant, agent, request, out, clock.millis() + keepAlive.toMillis());
        watch.registration = configs.watch(tenant, agent, watch::offer);
        open.put(watch, Boolean.TRUE);
        // after registering: a config built from here on reaches the watch, this one or a later one
        configs.current(tenant, agent).subscribe(watch::offer, watch::fail);
        return watch::close;
    }

    /** Keep-alives of the watches due now; runs every second. */
    void tick() {
        long now = clock.millis();
        for (Watch watch : open.keySet()) {
            if (watch.dueAt <= now) {
                watch.dueAt = now + keepAlive.toMillis();
                if (watch.out.ready()) {
                    // in turn: nobody waits on a keep-alive, and a storm's rebuild brings the push anyway
                    configs.currentInTurn(watch.tenant, watch.agent).subscribe(watch::keepAlive, watch::fail);
                }
            }
        }
    }

    /** Shutdown: every open watch (and any opened after) ends UNAVAILABLE, which agents answer by watching another replica. */
    public void drain() {
        draining = true;
        for (Watch watch : open.keySet()) {
            watch.fail(shuttingDown());
        }
    }

    int openWatches() {
        return open.size();
    }

    private static GatewayException shuttingDown() {
        return GatewayException.unavailable("the gateway is shutting down: open the watch again (on another replica)");
    }

    /** One agent's watch. Its methods are synchronized: a gRPC stream takes one message at a time. */
    private final class Watch {
        final UUID tenant;
        final String agent;
        final AgentConfigRequest request;
        final Outbound out;
        volatile long dueAt;
        AgentConfigCache.@Nullable Registration registration;
        /** The version last told to the agent; null before its first answer. */
        private @Nullable String told;
        private boolean closed;

        Watch(UUID tenant, String agent, AgentConfigRequest request, Outbound out, long dueAt) {
            this.tenant = tenant;
            this.agent = agent;
            this.request = request;
            this.out = out;
            this.dueAt = dueAt;
        }

        synchronized void offer(AgentConfig config) {
            long start = System.nanoTime();
            if (closed) {
                return;
            }
            if (told == null) {
                // as GetConfig: a refused version counts as held, so it is never resent (no resend loop)
                polls.record(PollRecorder.Poll.of(tenant, agent, clock.instant(), request, intervalSec(), config));
                told = config.version();
                out.send(ConfigAnswers.agentHas(config, request.getConfigVersion(), request.getRejectedConfigVersion())
                        ? answers.notModified(config, start) : answers.full(config, start));
            } else if (!config.version().equals(told)) {
                told = config.version();
                out.send(answers.full(config, start));
            }
        }

        synchronized void keepAlive(AgentConfig config) {
            if (closed || told == null) {
                return;
            }
            if (!config.version().equals(told)) {
                offer(config); // a push the change feed missed (it was down): delivered now
                return;
            }
            polls.record(PollRecorder.Poll.keepAlive(tenant, agent, clock.instant(), intervalSec(), config));
            out.send(ConfigAnswers.keepAlive(config));
        }

        void fail(Throwable error) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                out.end(error);
            }
            close();
        }

        void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            if (registration != null) {
                registration.close();
            }
            open.remove(this);
            slots.close(tenant);
        }

        private int intervalSec() {
            return (int) keepAlive.toSeconds();
        }
    }

    @Override
    public void start() {
        ticker = Flux.interval(TICK, TICK).onBackpressureDrop().subscribe(n -> tick());
    }

    @Override
    public void stop() {
        Disposable current = ticker;
        if (current != null) {
            current.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        Disposable current = ticker;
        return current != null && !current.isDisposed();
    }
}
