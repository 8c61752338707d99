package io.fleetgate.load;

import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.AgentGatewayServiceGrpc;
import io.fleetgate.proto.ReactorAgentGatewayServiceGrpc;
import io.fleetgate.proto.SyncDevicesRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import reactor.core.publisher.Flux;

/**
 * WatchConfig at fleet scale: A agents each owning D devices, every one watching over a few
 * multiplexed connections.
 * <ol>
 *   <li>every agent's config fetched with GetConfig (the cache holds the fleet), then the live
 *       heap after a full collection;</li>
 *   <li>every agent opens its watch and gets its first message; the live heap again: the
 *       difference, per watch, is what an open watch costs the gateway;</li>
 *   <li>rounds of changes to 1 % of the devices (all devices of 1 % of the agents, a new port):
 *       from each batch's acknowledgement (its commit) to each affected agent receiving its new
 *       config on its watch;</li>
 *   <li>with {@code --storm}: every device re-synced with a new port at once, as a source's full
 *       re-sync that changed everything would: time until every watching agent has its new config,
 *       and GetConfig latency meanwhile.</li>
 * </ol>
 */
final class WatchBenchmark {

    private WatchBenchmark() {
    }

    static void run(Options options) throws Exception {
        int agents = (int) options.number("agents", 100_000);
        int devicesPerAgent = (int) options.number("devices-per-agent", 5);
        int connections = (int) options.number("connections", 8);
        int rounds = (int) options.number("rounds", 3);
        double changeFraction = options.decimal("change-fraction", 0.01);
        String heap = options.text("heap", "512m");
        System.out.printf("watch: %,d agents x %d devices watching over %d connections; %d rounds changing %.1f %% of the devices%n",
                agents, devicesPerAgent, connections, rounds, changeFraction * 100);
        String fleetSize = String.valueOf(Math.max(100_000, agents + 1));
        try (GatewayUnderTest gateway = GatewayUnderTest.start(heap, Map.of(
                "FLEETGATE_MAX_AGENTS_PER_TENANT", fleetSize,
                "FLEETGATE_CONFIG_CACHE_MAX_ENTRIES_PER_TENANT", fleetSize,
                "FLEETGATE_CONFIG_CACHE_MAX_ENTRIES", String.valueOf(Math.max(200_000, agents + 1)),
                "FLEETGATE_MAX_WATCHES", String.valueOf(agents + 1000),
                "FLEETGATE_MAX_WATCHES_PER_TENANT", String.valueOf(agents + 1000)))) {
            String tenant = gateway.createTenant("watch");
            Map<String, Object> sync = gateway.onboardSyncService(tenant, "watch-sync");
            String source = gateway.createSource(tenant, (String) sync.get("id"), "fleet", Map.of());
            String agentToken = gateway.agentToken(tenant);
            List<ManagedChannel> channels = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                channels.add(NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort).usePlaintext().maxInboundMessageSize(64 << 20).build());
            }
            var syncStub = ReactorAgentGatewayServiceGrpc.newReactorStub(channels.get(0))
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(FanoutBenchmark.bearer((String) sync.get("credential"))));
            List<AgentGatewayServiceGrpc.AgentGatewayServiceStub> stubs = channels.stream()
                    .map(channel -> AgentGatewayServiceGrpc.newStub(channel)
                            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(FanoutBenchmark.bearer(agentToken)))).toList();
            AtomicLong seq = new AtomicLong();
            long fleetDevices = (long) agents * devicesPerAgent;
            FanoutBenchmark.ingest(syncStub, source, seq, fleetDevices, agents, 0);

            // 1. the fleet's configs, through GetConfig: the cache holds them before the watches open
            AtomicReferenceArray<String> versions = new AtomicReferenceArray<>(agents);
            long start = System.nanoTime();
            Semaphore window = new Semaphore(64);
            AtomicLong errors = new AtomicLong();
            for (int a = 0; a < agents; a++) {
                int agent = a;
                window.acquire();
                stubs.get(a % connections).getConfig(request(a, ""), observer(response -> versions.set(agent, response.getConfigVersion()),
                        errors, window::release));
            }
            window.acquire(64);
            check(errors, "GetConfig", gateway);
            System.out.printf("configs:  %,d agents fetched their config in %.1f s; cache %,.0f configs, %.1f MiB by its own count%n", agents,
                    GatewayUnderTest.since(start).toMillis() / 1000.0, gateway.metric("fleetgate_getconfig_cache_size"),
                    gateway.metric("fleetgate_getconfig_cache_bytes") / (1 << 20));
            double heapBefore = gateway.liveHeapMiB();

            // 2. every agent watches
            Watches watches = new Watches(agents, versions);
            start = System.nanoTime();
            Semaphore opening = new Semaphore(2000);
            for (int a = 0; a < agents; a++) {
                opening.acquire();
                stubs.get(a % connections).watchConfig(request(a, versions.get(a)), watches.observer(a, opening::release));
            }
            if (!watches.first.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException(watches.first.getCount() + " watches had no first message after 10 minutes");
            }
            check(watches.errors, "WatchConfig", gateway);
            double heapWatching = gateway.liveHeapMiB();
            System.out.printf("open:     %,d watches open with their first message in %.1f s (gateway counts %,.0f)%n", agents,
                    GatewayUnderTest.since(start).toMillis() / 1000.0, gateway.metric("fleetgate_watchconfig_open"));
            System.out.printf("memory:   live heap %.0f MiB before the watches, %.0f MiB with them: %.1f KiB per watch (-Xmx%s, RSS %.0f MiB)%n",
                    heapBefore, heapWatching, (heapWatching - heapBefore) * 1024 / agents, heap, gateway.rssMiB());

            // 3. rounds of changes: all devices of a spread-out 1 % of the agents get a new port
            Latencies pushed = new Latencies();
            int changedAgents = Math.max(1, (int) (agents * changeFraction));
            int stride = Math.max(1, agents / changedAgents);
            for (int round = 1; round <= rounds; round++) {
                List<Integer> changed = new ArrayList<>();
                for (int k = 0; k < changedAgents; k++) {
                    changed.add((k * stride + round) % agents);
                }
                watches.expect(changed);
                int agentsPerBatch = Math.max(1, 1000 / devicesPerAgent);
                for (int from = 0; from < changed.size(); from += agentsPerBatch) {
                    List<Integer> group = changed.subList(from, Math.min(changed.size(), from + agentsPerBatch));
                    SyncDevicesRequest.Builder batch = SyncDevicesRequest.newBuilder().setIntegrationSourceId(source).setBatchSeq(seq.incrementAndGet());
                    for (int agent : group) {
                        for (int d = 0; d < devicesPerAgent; d++) {
                            batch.addDevices(FanoutBenchmark.owned(agent + (long) d * agents, fleetDevices, agents, round));
                        }
                    }
                    syncStub.syncDevices(Flux.just(batch.build())).blockLast();
                    long acknowledged = System.nanoTime();
                    group.forEach(agent -> watches.acknowledged(agent, acknowledged));
                }
                watches.awaitExpected(Duration.ofSeconds(30), pushed);
                Thread.sleep(2000);
            }
            System.out.printf("push:     %,d agents' changes, acknowledged batch to the new config on the watch: p50 %.1f ms  p99 %.1f ms  max %.1f ms"
                            + " (%d before the acknowledgement reached the client, counted as 0; %d never arrived)%n",
                    pushed.count(), pushed.percentileMs(50), pushed.percentileMs(99), pushed.percentileMs(100), watches.early.get(),
                    watches.missing.get());

            if (options.flag("storm")) {
                storm(gateway, syncStub, stubs, source, seq, fleetDevices, agents, watches);
            }
            check(watches.errors, "WatchConfig", gateway);
            System.out.printf("          watch errors %d; peak RSS %.0f MiB%n", watches.errors.get(), gateway.peakRssMiB());
            channels.forEach(ManagedChannel::shutdownNow);
        }
    }

    /** Every device changes at once (4 streams of batches): when has every watcher its new config, and how fast is GetConfig meanwhile? */
    private static void storm(GatewayUnderTest gateway, ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub syncStub,
                              List<AgentGatewayServiceGrpc.AgentGatewayServiceStub> stubs, String source, AtomicLong seq,
                              long fleetDevices, int agents, Watches watches) throws Exception {
        List<Integer> everyone = new ArrayList<>();
        for (int a = 0; a < agents; a++) {
            everyone.add(a);
        }
        watches.expect(everyone);
        double builtBefore = gateway.metric("fleetgate_getconfig_configs_built_total");
        long start = System.nanoTime();
        Latencies during = new Latencies();
        AtomicLong pollErrors = new AtomicLong();
        Map<String, AtomicLong> errorCodes = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
        Thread polling = new Thread(() -> {
            Semaphore window = new Semaphore(16);
            int n = 0;
            while (!over.get()) {
                try {
                    window.acquire();
                } catch (InterruptedException e) {
                    return;
                }
                int agent = Math.floorMod(n++ * 7919, agents);
                long sent = System.nanoTime();
                stubs.get(agent % stubs.size()).getConfig(request(agent, watches.version(agent)),
                        observer(response -> during.record(System.nanoTime() - sent), pollErrors, window::release,
                                error -> errorCodes.computeIfAbsent(describe(Status.fromThrowable(error)), code -> new AtomicLong())
                                        .incrementAndGet()));
            }
        }, "storm-polls");
        polling.start();
        int generation = 1_000;
        Flux.range(0, (int) ((fleetDevices + 999) / 1000))
                .map(b -> {
                    SyncDevicesRequest.Builder batch = SyncDevicesRequest.newBuilder().setIntegrationSourceId(source).setBatchSeq(seq.incrementAndGet());
                    for (long i = b * 1000L; i < Math.min(fleetDevices, b * 1000L + 1000); i++) {
                        batch.addDevices(FanoutBenchmark.owned(i, fleetDevices, agents, generation));
                    }
                    return batch.build();
                })
                .groupBy(b -> b.getBatchSeq() % 4)
                .flatMap(stream -> syncStub.syncDevices(stream), 4)
                .blockLast();
        long ingested = System.nanoTime();
        everyone.forEach(agent -> watches.acknowledged(agent, start));
        Latencies rebuilt = new Latencies();
        watches.awaitExpected(Duration.ofMinutes(10), rebuilt);
        over.set(true);
        polling.interrupt();
        polling.join();
        System.out.printf("storm:    %,d devices re-synced with a new port in %.1f s; every watcher had its new config %.1f s after the storm began"
                        + " (%d never); %,.0f configs built for %,d agents%n", fleetDevices, (ingested - start) / 1e9,
                rebuilt.percentileMs(100) / 1000, watches.missing.get(),
                gateway.metric("fleetgate_getconfig_configs_built_total") - builtBefore, agents);
        System.out.printf("          GetConfig meanwhile (16 in flight): %,d calls p50 %.1f ms  p99 %.1f ms, %d errors %s%n", during.count(),
                during.percentileMs(50), during.percentileMs(99), pollErrors.get(), errorCodes);
    }

    private static String describe(Status status) {
        return status.getCode() + ": " + status.getDescription();
    }

    private static AgentConfigRequest request(int agent, String version) {
        return AgentConfigRequest.newBuilder().setAgentId(FanoutBenchmark.agentId(agent)).setConfigVersion(version == null ? "" : version).build();
    }

    private static <T> StreamObserver<T> observer(java.util.function.Consumer<T> onNext, AtomicLong errors, Runnable done) {
        return observer(onNext, errors, done, error -> { });
    }

    private static <T> StreamObserver<T> observer(java.util.function.Consumer<T> onNext, AtomicLong errors, Runnable done,
                                                  java.util.function.Consumer<Throwable> onError) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                onNext.accept(value);
            }

            @Override
            public void onError(Throwable t) {
                errors.incrementAndGet();
                onError.accept(t);
                done.run();
            }

            @Override
            public void onCompleted() {
                done.run();
            }
        };
    }

    private static void check(AtomicLong errors, String what, GatewayUnderTest gateway) {
        if (errors.get() > 0) {
            throw new IllegalStateException(errors.get() + " " + what + " calls failed; gateway log: " + gateway.log());
        }
    }

    /** Every agent's watch: the version it holds, and when a change it waits for was acknowledged. */
    private static final class Watches {
        final CountDownLatch first;
        final AtomicReferenceArray<String> versions;
        final AtomicLongArray waitingSince;
        final AtomicLongArray arrived;
        final AtomicLong errors = new AtomicLong();
        final AtomicLong early = new AtomicLong();
        final AtomicLong missing = new AtomicLong();
        private volatile List<Integer> expected = List.of();

        Watches(int agents, AtomicReferenceArray<String> versions) {
            this.first = new CountDownLatch(agents);
            this.versions = versions;
            this.waitingSince = new AtomicLongArray(agents);
            this.arrived = new AtomicLongArray(agents);
        }

        StreamObserver<AgentConfigResponse> observer(int agent, Runnable opened) {
            return new StreamObserver<>() {
                private boolean answered;

                @Override
                public void onNext(AgentConfigResponse response) {
                    if (!answered) {
                        answered = true;
                        opened.run();
                        first.countDown();
                        return;
                    }
                    if (!response.getNotModified() && !response.getConfigVersion().equals(versions.get(agent))) {
                        versions.set(agent, response.getConfigVersion());
                        arrived.compareAndSet(agent, 0, System.nanoTime());
                    }
                }

                @Override
                public void onError(Throwable t) {
                    errors.incrementAndGet();
                    if (!answered) {
                        opened.run();
                        first.countDown();
                    }
                }

                @Override
                public void onCompleted() {
                    errors.incrementAndGet(); // a watch never ends on its own
                }
            };
        }

        void expect(List<Integer> agents) {
            agents.forEach(agent -> {
                arrived.set(agent, 0);
                waitingSince.set(agent, 0);
            });
            expected = agents;
        }

        void acknowledged(int agent, long at) {
            waitingSince.set(agent, at);
        }

        String version(int agent) {
            return versions.get(agent);
        }

        long missing() {
            return expected.stream().filter(agent -> arrived.get(agent) == 0).count();
        }

        /** Waits until every expected agent has its new config (or the deadline), then records each one's wait. */
        void awaitExpected(Duration deadline, Latencies into) throws InterruptedException {
            long end = System.nanoTime() + deadline.toNanos();
            while (missing() > 0 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            for (int agent : expected) {
                long at = arrived.get(agent);
                long since = waitingSince.get(agent);
                if (at == 0) {
                    missing.incrementAndGet();
                } else if (since == 0 || at < since) {
                    early.incrementAndGet(); // pushed before the client saw the acknowledgement
                    into.record(0);
                } else {
                    into.record(at - since);
                }
            }
        }
    }
}
