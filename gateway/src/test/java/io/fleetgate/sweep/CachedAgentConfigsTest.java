package io.fleetgate.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.Changes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** The config cache's rules, with the database replaced by a loader the test holds and releases. */
class CachedAgentConfigsTest {

    private static final UUID TENANT = UUID.randomUUID();
    private static final UUID OTHER_TENANT = UUID.randomUUID();

    private final Loader loader = new Loader();
    private final Feed feed = new Feed();

    @Test
    void anUnchangedAgentsConfigIsBuiltOnceAndThenServedFromMemory() {
        CachedAgentConfigs cache = cache(100, 100);
        String first = version(cache, TENANT, "a1");
        assertThat(version(cache, TENANT, "a1")).isEqualTo(first);
        assertThat(loader.loads("a1")).isEqualTo(1);
    }

    @Test
    void concurrentMissesForOneAgentShareOneBuild() {
        CachedAgentConfigs cache = cache(100, 100);
        loader.hold();
        Mono<AgentConfig> first = cache.current(TENANT, "a1");
        Mono<AgentConfig> second = cache.current(TENANT, "a1");
        StepVerifier.create(Flux.merge(first, second).map(AgentConfig::version).collectList())
                .then(loader::release)
                .assertNext(versions -> assertThat(versions).hasSize(2).containsOnly(versions.get(0)))
                .verifyComplete();
        assertThat(loader.loads("a1")).isEqualTo(1);
    }

    @Test
    void aChangeSeenWhileBuildingKeepsThatBuildOutOfTheCache() {
        CachedAgentConfigs cache = cache(100, 100);
        loader.hold();
        StepVerifier.create(cache.current(TENANT, "a1"))
                .then(() -> feed.emit(new Change.AgentsChanged(TENANT, List.of("a1"))))
                .then(loader::release)
                .expectNextCount(1)
                .verifyComplete();
        version(cache, TENANT, "a1");
        assertThat(loader.loads("a1")).as("the build that predates the change was answered, not kept").isEqualTo(2);
    }

    @Test
    void aChangeThatArrivesBeforeTheBuildIsCachedStillWins() {
        CachedAgentConfigs cache = cache(100, 100);
        // the change lands while the build is being set up, before its entry is in the cache: only
        // the generation stamp taken before the build can tell that the config may predate it
        loader.beforeNextRead(() -> feed.emit(new Change.TenantChanged(TENANT)));
        version(cache, TENANT, "a1");
        version(cache, TENANT, "a1");
        assertThat(loader.loads("a1")).isEqualTo(2);
    }

    @Test
    void aChangeDropsOnlyWhatItNames() {
        CachedAgentConfigs cache = cache(100, 100);
        for (String agent : List.of("a1", "a2")) {
            version(cache, TENANT, agent);
        }
        version(cache, OTHER_TENANT, "b1");

        feed.emit(new Change.AgentsChanged(TENANT, List.of("a1")));
        version(cache, TENANT, "a1");
        version(cache, TENANT, "a2");
        assertThat(List.of(loader.loads("a1"), loader.loads("a2"))).containsExactly(2, 1);

        feed.emit(new Change.TenantChanged(TENANT));
        version(cache, TENANT, "a2");
        version(cache, OTHER_TENANT, "b1");
        assertThat(List.of(loader.loads("a2"), loader.loads("b1"))).as("only the tenant's configs").containsExactly(2, 1);

        feed.emit(new Change.Resync());
        version(cache, OTHER_TENANT, "b1");
        assertThat(loader.loads("b1")).as("a reconnection drops everything").isEqualTo(2);
    }

    @Test
    void whileTheFeedIsDownEveryCallBuildsAndNothingIsKept() {
        CachedAgentConfigs cache = cache(100, 100);
        version(cache, TENANT, "a1");
        feed.live.set(false);
        version(cache, TENANT, "a1");
        version(cache, TENANT, "a1");
        assertThat(loader.loads("a1")).isEqualTo(3);
        feed.live.set(true);
        feed.emit(new Change.Resync()); // what the feed says when it is back
        version(cache, TENANT, "a1");
        version(cache, TENANT, "a1");
        assertThat(loader.loads("a1")).isEqualTo(4);
    }

    @Test
    void aFailedBuildIsNotCached() {
        CachedAgentConfigs cache = cache(100, 100);
        loader.failNext();
        StepVerifier.create(cache.current(TENANT, "a1")).verifyErrorMessage("database unavailable");
        version(cache, TENANT, "a1");
        version(cache, TENANT, "a1");
        assertThat(loader.loads("a1")).isEqualTo(2);
    }

    @Test
    void pastItsBoundATenantLosesItsLeastRecentlyUsedConfig() {
        CachedAgentConfigs cache = cache(100, 2);
        version(cache, TENANT, "a1");
        version(cache, TENANT, "a2");
        version(cache, TENANT, "a1"); // a2 is now the least recently used
        version(cache, TENANT, "a3");
        version(cache, TENANT, "a1");
        version(cache, TENANT, "a2");
        assertThat(List.of(loader.loads("a1"), loader.loads("a2"), loader.loads("a3"))).containsExactly(1, 2, 1);
    }

    private CachedAgentConfigs cache(int maxEntries, int maxEntriesPerTenant) {
        SweepProperties properties = new SweepProperties(SweepSource.GETCONFIG, List.of("icmp", "tcp"), Duration.ofMinutes(5),
                List.of(22, 443), 256, Duration.ofSeconds(2), 50_000, DataSize.ofMegabytes(3), maxEntries, maxEntriesPerTenant);
        return new CachedAgentConfigs(loader, properties, feed, Clock.systemUTC(), new SweepMetrics(new SimpleMeterRegistry()));
    }

    private static String version(CachedAgentConfigs cache, UUID tenant, String agent) {
        return cache.current(tenant, agent).map(AgentConfig::version).block(Duration.ofSeconds(5));
    }

    /** One device per agent, its port changing with every load, so that each build is a new version. */
    private static final class Loader implements SweepInputs {

        private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
        private final Queue<Sinks.Empty<Void>> held = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean holding = new AtomicBoolean();
        private final AtomicBoolean failing = new AtomicBoolean();

        private volatile Runnable beforeRead = () -> { };

        @Override
        public Mono<Inputs> inputs(UUID tenant, String agent) {
            Runnable hook = beforeRead;
            beforeRead = () -> { };
            hook.run();
            return Mono.defer(() -> {
                int load = loads.computeIfAbsent(agent, a -> new AtomicInteger()).incrementAndGet();
                if (failing.getAndSet(false)) {
                    return Mono.error(new IllegalStateException("database unavailable"));
                }
                UUID source = UUID.nameUUIDFromBytes(agent.getBytes());
                Inputs inputs = new Inputs(List.of(new SweepInput.Device("d-" + agent, "faker", source, UUID.randomUUID(),
                        List.of("127.4.0.1"), List.of(1000 + load), List.of(), "host", null, null, null)),
                        Map.of(source, new SweepInput.Source(source, List.of(), List.of(), null, null, null, null)));
                if (!holding.get()) {
                    return Mono.just(inputs);
                }
                Sinks.Empty<Void> gate = Sinks.empty();
                held.add(gate);
                return gate.asMono().thenReturn(inputs);
            });
        }

        int loads(String agent) {
            AtomicInteger count = loads.get(agent);
            return count == null ? 0 : count.get();
        }

        void hold() {
            holding.set(true);
        }

        void release() {
            holding.set(false);
            for (Sinks.Empty<Void> gate; (gate = held.poll()) != null; ) {
                gate.tryEmitEmpty();
            }
        }

        void beforeNextRead(Runnable hook) {
            beforeRead = hook;
        }

        void failNext() {
            failing.set(true);
        }
    }

    private static final class Feed implements Changes {

        private final Sinks.Many<Change> sink = Sinks.many().multicast().directBestEffort();
        private final AtomicBoolean live = new AtomicBoolean(true);

        @Override
        public Flux<Change> changes() {
            return sink.asFlux();
        }

        @Override
        public boolean isLive() {
            return live.get();
        }

        void emit(Change change) {
            sink.tryEmitNext(change);
        }
    }
}
