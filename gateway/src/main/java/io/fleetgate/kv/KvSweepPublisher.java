package io.fleetgate.kv;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.Changes;
import io.fleetgate.sweep.AgentConfig;
import io.fleetgate.sweep.AgentConfigCache;
import io.fleetgate.sweepjson.KvKeys;
import io.fleetgate.sweepjson.SweepFile;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The legacy path (FLEETGATE_SWEEP_SOURCE = {@code kv} or {@code both}): every agent's sweep
 * config, in the original sweep.json format, is put into a NATS JetStream KV bucket whenever it
 * changes. Changes come from the same notifications that refresh the config cache. NATS being
 * away never fails ingest or GetConfig: configs not yet published stay pending and are retried
 * every {@code retryEvery}; each failure is logged (once per outage) and counted. With
 * {@code getconfig} this bean does not exist and nothing connects to NATS.
 */
@Component
@Conditional(SweepSourceIncludesKv.class)
class KvSweepPublisher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(KvSweepPublisher.class);

    private final KvProperties properties;
    private final AgentConfigCache configs;
    private final AgentDirectory directory;
    private final Changes feed;
    private final Set<AgentDirectory.AgentKey> pending = ConcurrentHashMap.newKeySet();
    private final Map<String, String> published = new ConcurrentHashMap<>();
    private final Sinks.Many<Boolean> wake = Sinks.many().multicast().directBestEffort();
    private final AtomicBoolean failing = new AtomicBoolean();
    private final Counter puts;
    private final Counter failures;
    private final Counter tooLarge;
    /** key → the config version that exceeded NATS's max payload: that version is never tried again. */
    private final Map<String, String> refused = new ConcurrentHashMap<>();
    private volatile Connection connection;
    private volatile KeyValue bucket;
    private volatile Disposable running;

    KvSweepPublisher(KvProperties properties, AgentConfigCache configs, AgentDirectory directory, Changes feed,
                     MeterRegistry registry) {
        this.properties = properties;
        this.configs = configs;
        this.directory = directory;
        this.feed = feed;
        this.puts = Counter.builder("fleetgate.kv.publishes").description("sweep configs put into the KV store").register(registry);
        this.tooLarge = Counter.builder("fleetgate.kv.publish.too.large")
                .description("sweep configs larger than the NATS server's max payload: not published, not retried").register(registry);
        this.failures = Counter.builder("fleetgate.kv.publish.failures")
                .description("sweep configs that could not be put into the KV store (retried)").register(registry);
        Gauge.builder("fleetgate.kv.pending", pending, Set::size).description("agents whose sweep config waits to be put into the KV store")
                .register(registry);
        Gauge.builder("fleetgate.kv.connected", this, publisher -> publisher.bucket != null ? 1 : 0)
                .description("1 while the KV store is reachable").register(registry);
    }

    @Override
    public void start() {
        Options options = new Options.Builder()
                .server(properties.url())
                .connectionTimeout(Duration.ofSeconds(2))
                .reconnectWait(Duration.ofSeconds(1))
                .maxReconnects(-1)
                .connectionListener(this::connectionEvent)
                .errorListener(new io.nats.client.ErrorListener() {
                })
                .build();
        try {
            Nats.connectAsynchronously(options, true); // keeps trying while NATS is away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Flux<Change> changes = feed.changes();
        running = Flux.merge(
                        changes.concatMap(this::affected).doOnNext(pending::add).map(key -> true),
                        Flux.interval(properties.retryEvery()).map(tick -> true),
                        wake.asFlux())
                .onBackpressureLatest()
                .concatMap(tick -> publishPending(), 1)
                .subscribe();
        log.info("Legacy KV path on: sweep configs go to bucket '{}' of {}", properties.bucket(), properties.url());
    }

    private void connectionEvent(Connection conn, ConnectionListener.Events event) {
        if (event == ConnectionListener.Events.CONNECTED || event == ConnectionListener.Events.RECONNECTED) {
            connection = conn;
            Mono.fromCallable(() -> openBucket(conn)).subscribeOn(Schedulers.boundedElastic())
                    .subscribe(kv -> {
                        bucket = kv;
                        log.info("KV store connected ({}); publishing pending sweep configs", properties.url());
                        // republish everything: what was put while we were away is unknown
                        published.clear();
                        directory.agents(null).doOnNext(pending::add).then(Mono.fromRunnable(() -> wake.tryEmitNext(true)))
                                .subscribe();
                    }, error -> log.warn("KV bucket '{}' unusable: {}", properties.bucket(), error.toString()));
        } else if (event == ConnectionListener.Events.DISCONNECTED || event == ConnectionListener.Events.CLOSED) {
            bucket = null;
        }
    }

    private KeyValue openBucket(Connection conn) throws IOException, JetStreamApiException {
        var management = conn.keyValueManagement();
        if (!management.getBucketNames().contains(properties.bucket())) {
            management.create(KeyValueConfiguration.builder().name(properties.bucket()).storageType(StorageType.File).build());
        }
        return conn.keyValue(properties.bucket());
    }

    /** The agents a change concerns. */
    private Flux<AgentDirectory.AgentKey> affected(Change change) {
        if (change instanceof Change.AgentsChanged agents) {
            return Flux.fromIterable(agents.agentUids()).map(agent -> new AgentDirectory.AgentKey(agents.tenantId(), agent));
        }
        if (change instanceof Change.TenantChanged tenant) {
            return directory.agents(tenant.tenantId()).onErrorResume(error -> Flux.empty());
        }
        if (change instanceof Change.Resync) {
            return directory.agents(null).onErrorResume(error -> Flux.empty());
        }
        return Flux.empty();
    }

    private Mono<Void> publishPending() {
        KeyValue kv = bucket;
        if (kv == null || pending.isEmpty()) {
            if (kv == null && !pending.isEmpty() && failing.compareAndSet(false, true)) {
                log.warn("KV store {} not reachable: {} sweep configs wait to be published (retried every {})",
                        properties.url(), pending.size(), properties.retryEvery());
            }
            if (kv == null) {
                failures.increment(pending.isEmpty() ? 0 : 1);
            }
            return Mono.empty();
        }
        return Flux.fromIterable(Set.copyOf(pending))
                .concatMap(key -> publish(kv, key)
                        .doOnSuccess(done -> pending.remove(key))
                        .onErrorResume(error -> {
                            failures.increment();
                            if (failing.compareAndSet(false, true)) {
                                log.warn("Publishing sweep configs to the KV store failed ({}); retrying every {}",
                                        error.toString(), properties.retryEvery());
                            }
                            return Mono.empty();
                        }))
                .then(Mono.fromRunnable(() -> {
                    if (pending.isEmpty() && failing.compareAndSet(true, false)) {
                        log.info("KV store reachable again; pending sweep configs published");
                    }
                }));
    }

    private Mono<Void> publish(KeyValue kv, AgentDirectory.AgentKey agent) {
        String key = KvKeys.of(properties.keyTemplate(), agent.tenant().toString(), agent.agent());
        // in turn: nobody waits on a publication, and it must not push agents' polls back in a storm
        return configs.currentInTurn(agent.tenant(), agent.agent()).flatMap(config -> {
            if (config.version().equals(published.get(key)) || config.version().equals(refused.get(key))) {
                return Mono.empty();
            }
            byte[] body = json(config);
            long maxPayload = maxPayload();
            if (body.length > maxPayload) {
                // the same version never fits: refuse it once, loudly; its next version is tried again
                refused.put(key, config.version());
                tooLarge.increment();
                log.warn("Sweep config of agent {} (tenant {}, version {}) is {} bytes, over the NATS server's max payload of {}: "
                                + "not published, and the bucket keeps the agent's previous config. Raise max_payload, or use "
                                + "GetConfig (FLEETGATE_SWEEP_SOURCE=getconfig)", agent.agent(), agent.tenant(), config.version(),
                        body.length, maxPayload);
                return Mono.empty();
            }
            return Mono.fromCallable(() -> kv.put(key, body))
                    .subscribeOn(Schedulers.boundedElastic())
                    .doOnNext(revision -> {
                        published.put(key, config.version());
                        puts.increment();
                    })
                    .then();
        });
    }

    /** What the connected server accepts in one message (1 MiB unless configured otherwise). */
    private long maxPayload() {
        Connection current = connection;
        long max = current == null || current.getServerInfo() == null ? 0 : current.getServerInfo().getMaxPayload();
        return max > 0 ? max : Long.MAX_VALUE;
    }

    private static byte[] json(AgentConfig config) {
        return SweepFile.write(config.sweep()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void stop() {
        Disposable current = running;
        if (current != null) {
            current.dispose();
        }
        Connection conn = connection;
        if (conn != null) {
            try {
                conn.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running != null && !running.isDisposed();
    }
}
