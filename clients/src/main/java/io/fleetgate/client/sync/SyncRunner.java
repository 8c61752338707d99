package io.fleetgate.client.sync;

import io.fleetgate.client.Backoff;
import io.fleetgate.client.ClientHost;
import io.fleetgate.client.GatewayAddress;
import io.fleetgate.client.sync.discovery.ArmisDiscovery;
import io.fleetgate.client.sync.discovery.Discovery;
import io.fleetgate.client.sync.discovery.FakerDiscovery;
import io.fleetgate.client.sync.discovery.HttpJson;
import io.fleetgate.client.sync.discovery.NetboxDiscovery;
import io.fleetgate.net.OutboundPolicy;
import io.fleetgate.proto.IntegrationSourceConfig;
import io.fleetgate.proto.ReactorAgentGatewayServiceGrpc;
import io.fleetgate.proto.SyncConfigRequest;
import io.fleetgate.proto.SyncConfigResponse;
import io.fleetgate.proto.SyncServiceHeartbeatRequest;
import io.fleetgate.proto.SyncServiceHelloRequest;
import io.fleetgate.proto.SyncServiceHelloResponse;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A sync service: registers (SyncServiceHello), heartbeats, keeps its integration sources in
 * step with GetSyncConfig, and runs each source's discovery on the source's poll interval,
 * streaming the devices through SyncDevices. The same code runs as {@code fleetgate.jar sync}
 * and, for the SaaS sync service, inside the gateway.
 */
public final class SyncRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SyncRunner.class);

    /** How the runner behaves. */
    public record Options(GatewayAddress gateway, String name, int batchSize, int window, Duration configRefresh,
                          Duration firstBackoff, Duration maxBackoff, OutboundPolicy outbound) {

        /** An on-prem sync service's defaults: its sources may be anywhere in its owner's network. */
        public static Options defaults(GatewayAddress gateway) {
            return new Options(gateway, ClientHost.hostname(), 1000, 2, Duration.ofSeconds(60), Duration.ofMillis(500), Duration.ofSeconds(30),
                    OutboundPolicy.anywhere());
        }

        public Options withOutbound(OutboundPolicy policy) {
            return new Options(gateway, name, batchSize, window, configRefresh, firstBackoff, maxBackoff, policy);
        }
    }

    private final Options options;
    private final HttpJson http;
    private final ManagedChannel channel;
    private final ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub stub;
    private final Map<String, Running> sources = new ConcurrentHashMap<>();
    private final Sinks.Many<DiscoveryReport> reports = Sinks.many().multicast().directBestEffort();
    private final AtomicReference<String> lastFailure = new AtomicReference<>();
    private final Sinks.Many<Long> refreshes = Sinks.many().multicast().directBestEffort();
    private volatile Disposable main;

    private record Running(IntegrationSourceConfig config, Disposable schedule) {
    }

    public SyncRunner(Options options) {
        this.options = options;
        this.http = new HttpJson(options.outbound());
        this.channel = options.gateway().channel();
        this.stub = options.gateway().authenticated(ReactorAgentGatewayServiceGrpc.newReactorStub(channel));
    }

    /** Every discovery's report, as it finishes. */
    public Flux<DiscoveryReport> reports() {
        return reports.asFlux();
    }

    /** Starts in the background: registration, heartbeats, config refreshes, discoveries. */
    public void start() {
        main = hello()
                .flatMapMany(hello -> Flux.merge(heartbeats(hello), configs(hello)))
                .subscribe(ignored -> { }, error -> log.error("Sync runner stopped", error));
    }

    /** Asks GetSyncConfig now rather than at the next refresh (the gateway's own runner does on every change). */
    public void refreshNow() {
        refreshes.tryEmitNext(0L);
    }

    /** Registers, discovers every enabled source once, and completes with the reports. */
    public Mono<List<DiscoveryReport>> runOnce() {
        return hello().flatMap(hello -> Mono.defer(() -> stub.getSyncConfig(SyncConfigRequest.newBuilder().build()))
                .retryWhen(Backoff.transientFailures(options.firstBackoff(), options.maxBackoff()))
                .flatMapMany(config -> Flux.fromIterable(config.getSourcesList()))
                .concatMap(source -> discoverAndSend(hello, source, 0))
                .collectList());
    }

    private Mono<SyncServiceHelloResponse> hello() {
        // deferred: a reactor-grpc call cannot be subscribed twice, and retries subscribe again
        return Mono.defer(() -> stub.syncServiceHello(SyncServiceHelloRequest.newBuilder()
                        .setName(options.name())
                        .setVersion(ClientHost.version())
                        .addAllCapabilities(List.of("faker", "netbox", "armis"))
                        .setHostname(ClientHost.hostname())
                        .build()))
                .doOnError(error -> log.warn("SyncServiceHello failed ({}); retrying", error.toString()))
                .retryWhen(Backoff.transientFailures(options.firstBackoff(), options.maxBackoff()))
                .doOnNext(hello -> log.info("Registered as sync service {} of tenant {} (heartbeat every {} s)",
                        hello.getSyncServiceId(), hello.getTenantId(), hello.getHeartbeatIntervalSec()));
    }

    private Flux<Object> heartbeats(SyncServiceHelloResponse hello) {
        Duration every = Duration.ofSeconds(Math.max(1, hello.getHeartbeatIntervalSec()));
        return Flux.interval(every, every)
                .onBackpressureDrop()
                .concatMap(tick -> {
                    String failure = lastFailure.get();
                    return stub.syncServiceHeartbeat(SyncServiceHeartbeatRequest.newBuilder()
                                    .setSyncServiceId(hello.getSyncServiceId())
                                    .setHealthy(failure == null)
                                    .setMessage(failure == null ? "" : failure.length() > 900 ? failure.substring(0, 900) : failure)
                                    .build())
                            .timeout(every)
                            .doOnError(error -> log.warn("Heartbeat failed: {}", error.toString()))
                            .onErrorResume(error -> Mono.empty());
                }, 0)
                .cast(Object.class);
    }

    private Flux<Object> configs(SyncServiceHelloResponse hello) {
        AtomicReference<String> version = new AtomicReference<>("");
        // latest, not drop: a change announced while a fetch is in flight may be newer than what that fetch reads
        return Flux.merge(Flux.interval(Duration.ZERO, options.configRefresh()), refreshes.asFlux())
                .onBackpressureLatest()
                .concatMap(tick -> stub.getSyncConfig(SyncConfigRequest.newBuilder().setSyncServiceId(hello.getSyncServiceId())
                                .setConfigVersion(version.get()).build())
                        .doOnNext(config -> {
                            if (!config.getNotModified()) {
                                version.set(config.getConfigVersion());
                                apply(hello, config);
                            }
                        })
                        .doOnError(error -> log.warn("GetSyncConfig failed: {}", error.toString()))
                        .onErrorResume(error -> Mono.empty()), 0)
                .cast(Object.class);
    }

    /** Keeps a schedule per enabled source: new ones start, changed ones restart, removed ones stop. */
    private void apply(SyncServiceHelloResponse hello, SyncConfigResponse config) {
        Set<String> current = new HashSet<>();
        for (IntegrationSourceConfig source : config.getSourcesList()) {
            current.add(source.getId());
            Running running = sources.get(source.getId());
            if (running != null && running.config().equals(source)) {
                continue;
            }
            if (running != null) {
                running.schedule().dispose();
            }
            sources.put(source.getId(), new Running(source, schedule(hello, source)));
            log.info("Source '{}' ({}) of tenant {}: discovery every {} s", source.getName(), source.getSourceType(),
                    source.getTenantId(), source.getPollIntervalSec());
        }
        sources.entrySet().removeIf(entry -> {
            if (!current.contains(entry.getKey())) {
                entry.getValue().schedule().dispose();
                log.info("Source '{}' no longer assigned: stopped", entry.getValue().config().getName());
                return true;
            }
            return false;
        });
    }

    private Disposable schedule(SyncServiceHelloResponse hello, IntegrationSourceConfig source) {
        Duration interval = Duration.ofSeconds(Math.max(1, source.getPollIntervalSec()));
        // jitter, so many sources (and sync services) do not all start at once
        Duration first = Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.min(1000, interval.toMillis()) + 1));
        AtomicInteger runs = new AtomicInteger();
        return Flux.interval(first, interval)
                .onBackpressureDrop()
                .concatMap(tick -> discoverAndSend(hello, source, runs.getAndIncrement()), 0)
                .subscribe();
    }

    private Mono<DiscoveryReport> discoverAndSend(SyncServiceHelloResponse hello, IntegrationSourceConfig source, int run) {
        long start = System.nanoTime();
        BatchSender sender = new BatchSender(stub, hello.getSyncServiceId(), options.batchSize(), options.window(),
                options.firstBackoff(), options.maxBackoff());
        return Mono.defer(() -> discovery(source, http).discover(run))
                .flatMap(inventory -> sender.send(source, inventory).map(delivery -> new DiscoveryReport(source.getId(),
                        source.getName(), source.getSourceType(), run, inventory.size(), inventory.size(), delivery.created(),
                        delivery.updated(), delivery.rejected(), delivery.batches(), delivery.resent(),
                        Duration.ofNanos(System.nanoTime() - start), null)))
                .onErrorResume(error -> Mono.just(new DiscoveryReport(source.getId(), source.getName(), source.getSourceType(), run,
                        0, 0, 0, 0, 0, 0, 0, Duration.ofNanos(System.nanoTime() - start), error.toString())))
                .doOnNext(this::report);
    }

    private void report(DiscoveryReport report) {
        if (report.succeeded()) {
            lastFailure.set(null);
            log.info("Discovery of '{}' ({}) run {}: found {}, sent {}, created {}, updated {}, rejected {} in {} ms ({} batches, {} resent)",
                    report.sourceName(), report.sourceType(), report.run(), report.found(), report.sent(), report.created(),
                    report.updated(), report.rejected(), report.took().toMillis(), report.batches(), report.resentBatches());
        } else {
            lastFailure.set("source '" + report.sourceName() + "': " + report.error());
            log.warn("Discovery of '{}' ({}) run {} failed after {} ms: {}", report.sourceName(), report.sourceType(), report.run(),
                    report.took().toMillis(), report.error());
        }
        reports.tryEmitNext(report);
    }

    static Discovery discovery(IntegrationSourceConfig source, HttpJson http) {
        return switch (source.getSourceType()) {
            case "faker" -> new FakerDiscovery(source.getSettingsMap());
            case "netbox" -> new NetboxDiscovery(source.getEndpoint(), source.getCredentialsMap(), source.getSettingsMap(), http);
            case "armis" -> new ArmisDiscovery(source.getEndpoint(), source.getCredentialsMap(), source.getSettingsMap(), http);
            default -> throw new IllegalArgumentException("unknown source type " + source.getSourceType());
        };
    }



    @Override
    public void close() {
        Disposable current = main;
        if (current != null) {
            current.dispose();
        }
        sources.values().forEach(running -> running.schedule().dispose());
        sources.clear();
        ClientHost.close(channel);
        http.close();
    }
}
