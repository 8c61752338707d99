package io.fleetgate.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.Changes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
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
        // the change lands as the build starts reading, before its config is in the cache: the
        // build is marked stale, so the config that may predate the change is answered, not kept
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

    @Test
    void pastItsByteBudgetTheCacheEvictsWhateverTheEntryCount() {
        CachedAgentConfigs cache = cache(1000, 1000, DataSize.ofBytes(3 * oneConfigWeight()), 8);
        for (String agent : List.of("a1", "a2", "a3", "a4")) {
            version(cache, TENANT, agent);
        }
        assertThat(cache.bytesCached()).isLessThanOrEqualTo(3 * oneConfigWeight());
        version(cache, TENANT, "a1");
        assertThat(loader.loads("a1")).as("the least recently used went first").isEqualTo(2);
        version(cache, TENANT, "a4");
        assertThat(loader.loads("a4")).isEqualTo(1);
    }

    @Test
    void aBurstOfMissesBuildsAtMostTheBoundAtOnceAndTheRestQueue() {
        CachedAgentConfigs cache = cache(1000, 1000, DataSize.ofMegabytes(1), 3);
        loader.hold();
        List<Mono<AgentConfig>> burst = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            burst.add(cache.current(TENANT, "agent-" + i));
        }
        StepVerifier.create(Flux.merge(burst).count())
                .then(() -> assertThat(loader.reading()).as("reads started while the first three are held").isEqualTo(3))
                .then(loader::releaseAll)
                .expectNext(50L)
                .verifyComplete();
        assertThat(loader.mostReadingAtOnce()).isEqualTo(3);
    }

    @Test
    void aStormOfChangesCostsAboutOneBuildPerWatchedAgent() {
        CachedAgentConfigs cache = cache(1000, 1000, DataSize.ofMegabytes(1), 1);
        List<String> seen = new CopyOnWriteArrayList<>();
        cache.watch(TENANT, "a1", config -> seen.add(config.version()));
        cache.watch(TENANT, "a2", config -> { });
        version(cache, TENANT, "a1");
        version(cache, TENANT, "a2");
        assertThat(List.of(loader.loads("a1"), loader.loads("a2"))).containsExactly(1, 1);

        loader.hold();
        // a1's rebuild runs (held), a2's waits for the one slot while ten more changes name both
        for (int i = 0; i < 10; i++) {
            feed.emit(new Change.AgentsChanged(TENANT, List.of("a1", "a2")));
        }
        loader.releaseAll();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> loader.loads("a2") == 2 && loader.loads("a1") == 3);
        // a1's build was reading when the changes came: stale, answered, then built once more for its watcher;
        // a2's was still queued: it read after the last change, once
        assertThat(List.of(loader.loads("a1"), loader.loads("a2"))).containsExactly(3, 2);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 3);
        assertThat(seen).as("each config built for the watcher reached it, the latest last").doesNotHaveDuplicates();
        version(cache, TENANT, "a1");
        assertThat(loader.loads("a1")).as("the rebuild after the storm was kept").isEqualTo(3);
    }

    @Test
    void aPollDuringAStormGoesAheadOfTheWatchersRebuilds() {
        CachedAgentConfigs cache = aStormWithW1Reading();
        StepVerifier.create(cache.current(TENANT, "poller"))
                .then(loader::releaseAll)
                .expectNextCount(1)
                .verifyComplete();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> loader.reads.size() == 5);
        assertThat(loader.reads).as("the poll's build right after the one already reading").containsExactly("w1", "poller", "w2", "w3", "w4");
    }

    @Test
    void workNobodyWaitsOnJoinsAQueuedRebuildWithoutMovingItAhead() {
        CachedAgentConfigs cache = aStormWithW1Reading();
        var keepAlive = cache.currentInTurn(TENANT, "w4").toFuture(); // a watch's keep-alive, come due
        StepVerifier.create(cache.current(TENANT, "poller"))
                .then(loader::releaseAll)
                .expectNextCount(1)
                .verifyComplete();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> loader.reads.size() == 5 && keepAlive.isDone());
        assertThat(loader.reads).as("w4's rebuild stays in its turn; the poll still goes first").containsExactly("w1", "poller", "w2", "w3", "w4");
        assertThat(loader.loads("w4")).as("the keep-alive shared the watcher's rebuild").isEqualTo(2);
    }

    @Test
    void aWatcherReceivesItsRebuiltConfigWithoutAsking() {
        CachedAgentConfigs cache = cache(100, 100);
        List<String> seen = new CopyOnWriteArrayList<>();
        var watch = cache.watch(TENANT, "a1", config -> seen.add(config.version()));
        version(cache, TENANT, "a1");
        feed.emit(new Change.AgentsChanged(TENANT, List.of("a2")));
        feed.emit(new Change.AgentsChanged(TENANT, List.of("a1")));
        feed.emit(new Change.TenantChanged(TENANT));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 3);
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(loader.loads("a2")).as("nobody watches a2: nothing built for it").isZero();
        watch.close();
        feed.emit(new Change.AgentsChanged(TENANT, List.of("a1")));
        assertThat(loader.loads("a1")).as("a watch that ended costs no build").isEqualTo(3);
    }

    /** One build at a time; a change to four watched agents and a poller: w1's rebuild reads (held), w2..w4 queue behind it. */
    private CachedAgentConfigs aStormWithW1Reading() {
        CachedAgentConfigs cache = cache(1000, 1000, DataSize.ofMegabytes(1), 1);
        List<String> watched = List.of("w1", "w2", "w3", "w4");
        for (String agent : watched) {
            cache.watch(TENANT, agent, config -> { });
            version(cache, TENANT, agent);
        }
        version(cache, TENANT, "poller");
        loader.reads.clear();
        loader.hold();
        List<String> named = new ArrayList<>(watched);
        named.add("poller");
        feed.emit(new Change.AgentsChanged(TENANT, named));
        return cache;
    }

    private long oneConfigWeight() {
        return cache(10, 10).current(TENANT, "weigh").map(AgentConfig::weight).block(Duration.ofSeconds(5));
    }

    private CachedAgentConfigs cache(int maxEntries, int maxEntriesPerTenant) {
        return cache(maxEntries, maxEntriesPerTenant, DataSize.ofMegabytes(64), 8);
    }

    private CachedAgentConfigs cache(int maxEntries, int maxEntriesPerTenant, DataSize maxBytes, int buildsAtOnce) {
        SweepProperties properties = new SweepProperties(SweepSource.GETCONFIG, List.of("icmp", "tcp"), Duration.ofMinutes(5),
                List.of(22, 443), 256, Duration.ofSeconds(2), 50_000, DataSize.ofMegabytes(3), maxEntries, maxEntriesPerTenant,
                maxBytes, buildsAtOnce);
        return new CachedAgentConfigs(loader, properties, feed, Clock.systemUTC(), new SweepMetrics(new SimpleMeterRegistry()));
    }

    private static String version(CachedAgentConfigs cache, UUID tenant, String agent) {
        return cache.current(tenant, agent).map(AgentConfig::version).block(Duration.ofSeconds(5));
    }

    /** One device per agent, its port changing with every load, so that each build is a new version. */
    private static final class Loader implements SweepInputs {

        private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
        private final AtomicInteger reading = new AtomicInteger();
        final List<String> reads = new CopyOnWriteArrayList<>();
        private final AtomicInteger mostReading = new AtomicInteger();
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
                reads.add(agent);
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
                mostReading.accumulateAndGet(reading.incrementAndGet(), Math::max);
                // counted down before the build hears of it (doFinally would run after the next build started)
                return gate.asMono().thenReturn(inputs).doOnTerminate(reading::decrementAndGet);
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

        /** Releases the held reads, and any that start until none is left, then stops holding. */
        void releaseAll() {
            while (!held.isEmpty() || reading.get() > 0) {
                for (Sinks.Empty<Void> gate; (gate = held.poll()) != null; ) {
                    gate.tryEmitEmpty();
                }
                Thread.onSpinWait();
            }
            holding.set(false);
        }

        int reading() {
            return reading.get();
        }

        int mostReadingAtOnce() {
            return mostReading.get();
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
