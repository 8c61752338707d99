package io.fleetgate.client.agent;

import io.fleetgate.client.Backoff;
import io.fleetgate.client.ClientHost;
import io.fleetgate.client.GatewayAddress;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.AgentHelloResponse;
import io.fleetgate.proto.ReactorAgentGatewayServiceGrpc;
import io.fleetgate.sweepjson.SweepFile;
import io.fleetgate.sweepjson.SweepPlan;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The reference agent: Hello, then WatchConfig, so a changed sweep config arrives as soon as the
 * gateway has built it, and is applied to the sweep service at once, without a restart; each
 * config it takes or refuses is acknowledged with a GetConfig. A gateway without WatchConfig
 * (UNIMPLEMENTED), or with every watch slot taken (RESOURCE_EXHAUSTED), is polled with GetConfig on
 * a jittered interval instead (jitter at start and on every tick), sending the version it has. When GetConfig carries no sweep config, or the gateway cannot be
 * reached at start, it sweeps what the local {@code sweep.json} says. It never reads a KV store
 * unless told to ({@link KvSweepSource}, for the legacy path).
 */
public final class AgentRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AgentRunner.class);
    private static final Duration START_DEADLINE = Duration.ofSeconds(5);
    /** Longer than the gateway's own bound on a call (FLEETGATE_GRPC_CALL_TIMEOUT, 10 s by default). */
    private static final Duration POLL_DEADLINE = Duration.ofSeconds(30);
    /** Host results per ReportSweepResults batch: a few hundred kilobytes at most. */
    static final int RESULTS_BATCH = 1000;

    /**
     * How the agent runs. {@code kv} is null unless it reads the legacy KV store; a config with more
     * than {@code maxTargets} targets is refused; {@code watch} false polls even a gateway that
     * offers WatchConfig.
     */
    public record Options(GatewayAddress gateway, String agentId, @Nullable Path sweepFile, @Nullable Path resultsFile,
                          @Nullable Duration pollOverride, @Nullable KvSweepSource kv, int maxTargets, boolean watch) {

        public Options(GatewayAddress gateway, String agentId, @Nullable Path sweepFile, @Nullable Path resultsFile,
                       @Nullable Duration pollOverride, @Nullable KvSweepSource kv) {
            this(gateway, agentId, sweepFile, resultsFile, pollOverride, kv, AgentLimits.DEFAULT_MAX_TARGETS, true);
        }
    }

    private final Options options;
    private final ManagedChannel channel;
    private final ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub stub;
    private final SweepService sweeps;
    private final ResultReporter reporter;
    private final AgentLimits limits;
    private final AtomicReference<String> version = new AtomicReference<>("");
    private final AtomicReference<Refusal> refused = new AtomicReference<>(Refusal.NONE);
    private final AtomicReference<String> tenant = new AtomicReference<>();
    private volatile Disposable polling;
    private final Sinks.One<Throwable> stopped = Sinks.one();

    public AgentRunner(Options options, Clock clock) {
        this.options = options;
        this.channel = options.gateway().channel();
        this.stub = options.gateway().authenticated(ReactorAgentGatewayServiceGrpc.newReactorStub(channel));
        this.sweeps = new SweepService(options.resultsFile(), clock);
        this.reporter = new ResultReporter(stub, options.agentId(), sweeps.results(), RESULTS_BATCH, 2, Duration.ofSeconds(1),
                Duration.ofSeconds(30));
        this.limits = new AgentLimits(options.maxTargets());
    }

    public SweepService sweeps() {
        return sweeps;
    }

    /** Sweeps whose results reached the gateway so far. */
    public long sweepsReported() {
        return reporter.delivered();
    }

    /** A config version the agent could not apply, and why; reported on every poll until a newer one applies. */
    record Refusal(String version, String reason) {
        static final Refusal NONE = new Refusal("", "");
    }

    /** The version the agent refused last ("" when none since it last applied one). */
    public String refusedVersion() {
        return refused.get().version();
    }


    /** The config version the agent applied (the last one it took from GetConfig). */
    public String version() {
        return version.get();
    }

    public void start() {
        polling = hello()
                .timeout(START_DEADLINE)
                .onErrorResume(error -> !Backoff.refusedCredential(error), error -> {
                    log.warn("Gateway not reachable at start ({}); sweeping from {} until it is", error.toString(), fallbackName());
                    return fallback().then(hello().retryWhen(Backoff.transientFailures(Duration.ofSeconds(1), Duration.ofSeconds(30))));
                })
                .flatMap(hello -> {
                    Duration interval = options.pollOverride() != null ? options.pollOverride()
                            : Duration.ofSeconds(Math.max(1, hello.getConfigPollIntervalSec()));
                    Mono<Void> polling = Mono.delay(firstPollDelay(hello, interval))
                            .then(poll().then(Mono.defer(() -> Mono.delay(jitter(interval, 0.1)))).repeat().then());
                    if (!options.watch()) {
                        return polling;
                    }
                    return watch(Duration.ofSeconds(Math.max(1, hello.getConfigPollIntervalSec())))
                            .onErrorResume(AgentRunner::watchNotOffered, error -> {
                                log.info("The gateway offers no watch ({}): polling GetConfig every {} s", Status.fromThrowable(error).getCode(),
                                        interval.toSeconds());
                                return polling;
                            });
                })
                .subscribe(ignored -> { }, error -> {
                    log.error("Agent stopped: {}", error.toString());
                    stopped.tryEmitValue(error);
                });
    }

    /** Completes with the error that stopped the agent (a refused token, say); never while it runs. */
    public Mono<Throwable> stopped() {
        return stopped.asMono();
    }

    /**
     * An agent with nothing to sweep, or told its config is outdated, fetches at once; otherwise the
     * first poll lands anywhere in the first interval, so a fleet restarted together spreads out.
     */
    private Duration firstPollDelay(AgentHelloResponse hello, Duration interval) {
        return hello.getConfigOutdated() || version.get().isEmpty() ? Duration.ZERO : jitter(interval, 1.0);
    }

    private Mono<AgentHelloResponse> hello() {
        // deferred: a reactor-grpc call cannot be subscribed twice, and retries subscribe again
        return Mono.defer(() -> stub.hello(AgentHelloRequest.newBuilder()
                        .setAgentId(options.agentId())
                        .setVersion(ClientHost.version())
                        .setHostname(ClientHost.hostname())
                        .addAllCapabilities(List.of("icmp", "tcp", "tcp_connect"))
                        .setConfigVersion(version.get())
                        .build()))
                .doOnNext(hello -> tenant.set(hello.getTenantId()))
                .doOnNext(hello -> log.info("Hello accepted: agent {} of tenant {}, poll interval {} s{}", hello.getAgentId(),
                        hello.getTenantId(), hello.getConfigPollIntervalSec(), hello.getConfigOutdated() ? ", config outdated" : ""));
    }

    /**
     * Watches for as long as the agent runs: each full config is applied or refused, then
     * acknowledged with a GetConfig; a broken watch, or one silent for two keep-alive intervals (a
     * half-open connection), is opened again with backoff, the current sweep going on meanwhile.
     */
    private Mono<Void> watch(Duration keepAlive) {
        Duration silence = keepAlive.multipliedBy(2).plus(POLL_DEADLINE);
        return Flux.defer(() -> stub.watchConfig(request()))
                .doOnSubscribe(subscription -> log.info("Watching the gateway's WatchConfig: changes are pushed"))
                .timeout(silence)
                .concatMap(response -> response.getNotModified() ? Mono.<Void>empty() : handle(response).then(poll()))
                .doOnError(error -> {
                    if (!watchNotOffered(error) && !Backoff.refusedCredential(error)) {
                        log.warn("WatchConfig broke ({}); opening it again, the current sweep config goes on", error.toString());
                    }
                })
                .retryWhen(Backoff.transientFailures(Duration.ofSeconds(1), Duration.ofSeconds(30))
                        .filter(error -> !watchNotOffered(error) && (Backoff.transientFailure(error) || error instanceof TimeoutException)))
                .repeat()
                .then();
    }

    /** UNIMPLEMENTED (an older gateway) or RESOURCE_EXHAUSTED (its watches are all taken): poll instead. */
    private static boolean watchNotOffered(Throwable error) {
        Status.Code code = Status.fromThrowable(error).getCode();
        return code == Status.Code.UNIMPLEMENTED || code == Status.Code.RESOURCE_EXHAUSTED;
    }

    private AgentConfigRequest request() {
        return AgentConfigRequest.newBuilder().setAgentId(options.agentId())
                .setConfigVersion(version.get())
                .setRejectedConfigVersion(refused.get().version())
                .setRejectReason(refused.get().reason())
                .build();
    }

    /** One GetConfig; failures are logged and the current sweep goes on, but a refused token stops the agent. */
    Mono<Void> poll() {
        return Mono.defer(() -> stub.getConfig(request()))
                // a gateway that stopped answering must not stop the polling with it
                .timeout(POLL_DEADLINE)
                .flatMap(this::handle)
                .onErrorResume(error -> !Backoff.refusedCredential(error), error -> {
                    log.warn("GetConfig failed ({}); keeping the current sweep config", error.toString());
                    return Mono.empty();
                });
    }

    private Mono<Void> handle(AgentConfigResponse response) {
        if (response.getNotModified()) {
            return Mono.empty();
        }
        if (response.hasSweep()) {
            SweepPlan plan = null;
            String refusal;
            try {
                plan = SweepPlan.fromGetConfig(response.getConfigVersion(), response.getSweep());
                refusal = limits.refusal(plan).orElse(null);
            } catch (IllegalArgumentException e) {
                refusal = e.getMessage() == null ? "invalid config" : e.getMessage();
            }
            if (refusal != null) {
                refuse(response.getConfigVersion(), refusal);
            } else {
                apply(response.getConfigVersion(), plan);
            }
            return Mono.empty();
        }
        version.set(response.getConfigVersion());
        refused.set(Refusal.NONE);
        log.info("GetConfig carries no sweep config (version {}); using {}", response.getConfigVersion(), fallbackName());
        return fallback();
    }

    /** Sweeps the plan from now on; a refusal before it is over (logged: the transition back to an applied config). */
    private void apply(String newVersion, SweepPlan plan) {
        sweeps.apply(plan);
        Refusal before = refused.getAndSet(Refusal.NONE);
        version.set(newVersion);
        if (!before.version().isEmpty()) {
            log.info("Config version {} applied; no longer refusing version {}", newVersion, before.version());
        }
    }

    /**
     * Keeps the last good config and says so on every poll until a newer version applies (the
     * NACK); the reason is sent as it is: the gateway cuts and cleans it.
     */
    private void refuse(String refusedVersion, String reason) {
        Refusal before = refused.getAndSet(new Refusal(refusedVersion, reason));
        if (!before.version().equals(refusedVersion)) {
            log.warn("Refused config version {} ({}); keeping version {}", refusedVersion, reason,
                    version.get().isEmpty() ? "none" : version.get());
        }
    }

    /** The sweep config from elsewhere: the KV store when told to read it, else the local sweep.json. */
    private Mono<Void> fallback() {
        if (options.kv() != null) {
            return options.kv().read(tenant.get(), options.agentId()).doOnNext(sweeps::apply)
                    .doOnError(error -> log.warn("Cannot read the sweep config from the KV store: {}", error.getMessage()))
                    .onErrorResume(error -> Mono.empty())
                    .then();
        }
        sweepFile();
        return Mono.empty();
    }

    private void sweepFile() {
        Path file = options.sweepFile();
        if (file == null || !Files.exists(file)) {
            log.warn("No sweep config to fall back to ({}): nothing to sweep yet", file == null ? "no --sweep-file" : file + " missing");
            return;
        }
        try {
            sweeps.apply(SweepFile.read(file));
        } catch (Exception e) {
            log.error("Cannot use {}: {}", file, e.getMessage());
        }
    }

    private String fallbackName() {
        return options.kv() != null ? "the KV store" : options.sweepFile() == null ? "nothing (no --sweep-file)" : options.sweepFile().toString();
    }

    private static Duration jitter(Duration interval, double fraction) {
        long millis = interval.toMillis();
        long spread = (long) (millis * fraction);
        if (fraction >= 1.0) {
            return Duration.ofMillis(ThreadLocalRandom.current().nextLong(millis + 1)); // anywhere in the first interval
        }
        return Duration.ofMillis(Math.max(1, millis + ThreadLocalRandom.current().nextLong(-spread, spread + 1)));
    }



    @Override
    public void close() {
        Disposable current = polling;
        if (current != null) {
            current.dispose();
        }
        reporter.close();
        sweeps.close();
        ClientHost.close(channel);
    }
}
