package io.fleetgate.load;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.AgentGatewayServiceGrpc;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.ReactorAgentGatewayServiceGrpc;
import io.fleetgate.proto.SyncDevicesRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;

/**
 * GetConfig fan-out: A agents each owning D devices, and one agent owning a large config. Every
 * agent says Hello first, so each poll is recorded (write-behind) as in production.
 * <ol>
 *   <li>throughput: the gRPC health Check and GetConfig answered not_modified, from the same
 *       client with the same calls in flight, alternated, so their ratio is fair;</li>
 *   <li>full configs of the large agent, back to back: latency at the rate the machine sustains;</li>
 *   <li>propagation: a device of one agent changes; how long from the batch's acknowledgement
 *       until that agent's GetConfig carries the change (polled every millisecond);</li>
 *   <li>a fleet: every agent polls on a jittered interval while some devices change; errors,
 *       not_modified and full latencies.</li>
 * </ol>
 */
final class FanoutBenchmark {

    /** GetConfig answers that carried the whole config: none is expected in the not_modified rounds. */
    private static final String FULL_ANSWERS = "fleetgate_getconfig_requests_seconds_count{application=\"fleetgate\",outcome=\"full\"";

    private FanoutBenchmark() {
    }

    static void run(Options options) throws Exception {
        int agents = (int) options.number("agents", 10_000);
        int devicesPerAgent = (int) options.number("devices-per-agent", 5);
        int bigTargets = (int) options.number("big", 1000);
        int concurrency = (int) options.number("concurrency", 64);
        Duration phase = Duration.ofSeconds(options.number("phase-seconds", 10));
        int pairs = (int) options.number("throughput-rounds", 4);
        Duration poll = Duration.ofSeconds(options.number("poll-seconds", 30));
        Duration fleetRun = Duration.ofSeconds(options.number("fleet-seconds", 90));
        double changeFraction = options.decimal("change-fraction", 0.01);
        System.out.printf("fanout: %,d agents x %d devices, one agent with %,d targets; %d calls in flight; fleet polling every %ds for %ds%n",
                agents, devicesPerAgent, bigTargets, concurrency, poll.toSeconds(), fleetRun.toSeconds());

        // every agent says Hello (so its polls are recorded), agent-big too; and every agent's config
        // fits the cache (the defaults hold a tenant of 100,000 agents: this one may have one more)
        String fleetSize = String.valueOf(Math.max(100_000, agents + 1));
        try (GatewayUnderTest gateway = GatewayUnderTest.start(options.text("heap", "512m"), Map.of(
                "FLEETGATE_MAX_AGENTS_PER_TENANT", fleetSize,
                "FLEETGATE_CONFIG_CACHE_MAX_ENTRIES_PER_TENANT", fleetSize,
                "FLEETGATE_CONFIG_CACHE_MAX_ENTRIES", String.valueOf(Math.max(200_000, agents + 1)),
                // --poll-flush=1h keeps the polls in memory: the request path's cost without the database's
                "FLEETGATE_AGENT_POLL_FLUSH_INTERVAL", options.text("poll-flush", "5s")))) {
            String tenant = gateway.createTenant("fanout");
            Map<String, Object> sync = gateway.onboardSyncService(tenant, "fanout-sync");
            String source = gateway.createSource(tenant, (String) sync.get("id"), "fleet", Map.of());
            String agentToken = gateway.agentToken(tenant);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort).usePlaintext()
                    .maxInboundMessageSize(64 << 20).build();
            var syncStub = ReactorAgentGatewayServiceGrpc.newReactorStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer((String) sync.get("credential"))));
            AtomicLong seq = new AtomicLong();

            long fleetDevices = (long) agents * devicesPerAgent;
            ingest(syncStub, source, seq, fleetDevices, agents, bigTargets);

            var agentsStub = AgentGatewayServiceGrpc.newFutureStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(agentToken)));
            var health = HealthGrpc.newFutureStub(channel);
            Map<String, String> versions = new ConcurrentHashMap<>();
            long start = System.nanoTime();
            Semaphore inFlight = new Semaphore(concurrency);
            AtomicLong setupErrors = new AtomicLong();
            for (int a = 0; a <= agents; a++) {
                String agent = a == agents ? "agent-big" : agentId(a);
                inFlight.acquire();
                var first = Futures.transformAsync(agentsStub.hello(AgentHelloRequest.newBuilder().setAgentId(agent).setHostname("host-" + agent).build()),
                        hello -> agentsStub.getConfig(AgentConfigRequest.newBuilder().setAgentId(agent).build()), MoreExecutors.directExecutor());
                first.addListener(() -> {
                    try {
                        versions.put(agent, Futures.getDone(first).getConfigVersion());
                    } catch (Exception e) {
                        setupErrors.incrementAndGet();
                    }
                    inFlight.release();
                }, MoreExecutors.directExecutor());
            }
            inFlight.acquire(concurrency);
            inFlight.release(concurrency);
            if (setupErrors.get() > 0) {
                throw new IllegalStateException(setupErrors.get() + " agents failed their Hello or first GetConfig; gateway log: " + gateway.log());
            }
            System.out.printf("          %,d agents said Hello and fetched their first config in %.1f s%n", agents + 1,
                    GatewayUnderTest.since(start).toMillis() / 1000.0);
            AgentConfigResponse big = agentsStub.getConfig(AgentConfigRequest.newBuilder().setAgentId("agent-big").build()).get();
            System.out.printf("          %,d agents have their configs; the big one %,d targets, %,d bytes%n", agents,
                    big.getSweep().getDeviceTargetsCount(), big.getSerializedSize());

            // 1. throughput, alternated: health, not_modified, health, not_modified, ... (the machine's
            // speed drifts within a run: pairs of rounds side by side, and the ratio over all of them)
            // every request built before the clock starts, as the health check's is: the client shares
            // the machine, and building requests as it goes would be counted against the gateway
            HealthCheckRequest check = HealthCheckRequest.getDefaultInstance();
            AgentConfigRequest[] polls = new AgentConfigRequest[agents];
            for (int a = 0; a < agents; a++) {
                String agent = agentId(a);
                polls[a] = AgentConfigRequest.newBuilder().setAgentId(agent).setConfigVersion(versions.get(agent)).build();
                polls[a].getSerializedSize(); // memoised, as the health request's is
            }
            List<ClosedLoop.Result> healthRuns = new ArrayList<>();
            List<ClosedLoop.Result> notModifiedRuns = new ArrayList<>();
            ClosedLoop.run(concurrency, Duration.ofSeconds(3), n -> health.check(check)); // warm-up
            ClosedLoop.run(concurrency, Duration.ofSeconds(3), n -> agentsStub.getConfig(polls[Math.floorMod(n, agents)]));
            double fullBefore = gateway.metric(FULL_ANSWERS);
            for (int round = 0; round < pairs; round++) {
                healthRuns.add(ClosedLoop.run(concurrency, phase, n -> health.check(check)));
                notModifiedRuns.add(ClosedLoop.run(concurrency, phase, n -> agentsStub.getConfig(polls[Math.floorMod(n, agents)])));
            }
            double healthRate = healthRuns.stream().mapToDouble(ClosedLoop.Result::rate).average().orElseThrow();
            double notModifiedRate = notModifiedRuns.stream().mapToDouble(ClosedLoop.Result::rate).average().orElseThrow();
            List<String> pairRatios = new ArrayList<>();
            for (int round = 0; round < pairs; round++) {
                print("health", healthRuns.get(round));
                print("not_mod", notModifiedRuns.get(round));
                pairRatios.add(String.format("%.0f %%", 100 * notModifiedRuns.get(round).rate() / healthRuns.get(round).rate()));
            }
            System.out.printf("ratio:    GetConfig not_modified / health Check = %.0f %% over %d rounds each (%,.0f vs %,.0f calls/s; "
                            + "round by round %s); full answers among them: %,.0f%n", 100 * notModifiedRate / healthRate, pairs,
                    notModifiedRate, healthRate, String.join(", ", pairRatios), gateway.metric(FULL_ANSWERS) - fullBefore);

            // 2. full configs of the big agent
            AgentConfigRequest bigRequest = AgentConfigRequest.newBuilder().setAgentId("agent-big").build();
            ClosedLoop.run(4, Duration.ofSeconds(3), n -> agentsStub.getConfig(bigRequest));
            print("full " + big.getSweep().getDeviceTargetsCount(), ClosedLoop.run((int) options.number("full-concurrency", 4), phase,
                    n -> agentsStub.getConfig(bigRequest)));

            // 3. a change's way to an agent: from the batch's acknowledgement to the first GetConfig with it
            propagation((int) options.number("changes", 20), agentsStub, versions, syncStub, source, seq, fleetDevices, agents);

            // 4. the fleet polls with jitter while devices change
            double statementsBefore = gateway.metric("fleetgate_agent_poll_flushes_seconds_count");
            double rowsBefore = gateway.metric("fleetgate_agent_polls_written_total");
            long fleetStart = System.nanoTime();
            fleet(agents, poll, fleetRun, changeFraction, fleetDevices, agentsStub, versions, syncStub, source, seq);
            double seconds = GatewayUnderTest.since(fleetStart).toMillis() / 1000.0;
            System.out.printf("          poll recording: %.2f statements/s, %,.0f rows/s written to agents (%,.0f statements, %,.0f rows in %.0f s)%n",
                    (gateway.metric("fleetgate_agent_poll_flushes_seconds_count") - statementsBefore) / seconds,
                    (gateway.metric("fleetgate_agent_polls_written_total") - rowsBefore) / seconds,
                    gateway.metric("fleetgate_agent_poll_flushes_seconds_count") - statementsBefore,
                    gateway.metric("fleetgate_agent_polls_written_total") - rowsBefore, seconds);

            System.out.printf("memory:   gateway heap %.0f MiB used after the fleet (-Xmx%s), RSS %.0f MiB, peak RSS %.0f MiB%n",
                    gateway.metric("jvm_memory_used_bytes{application=\"fleetgate\",area=\"heap\"") / (1 << 20),
                    options.text("heap", "512m"), gateway.rssMiB(), gateway.peakRssMiB());

            // 5. what an operator asks of the fleet over REST
            agentsApi(gateway, tenant, agents + 1);
            // what poll recording did to the agents table: an update that is not HOT writes an index
            // entry too, and a table that grows makes every scan of a tenant's agents longer
            System.out.println("postgres: " + gateway.updatesOf("agents"));
            channel.shutdownNow();
        }
    }

    /**
     * The whole fleet page by page through the cursor; filters: offline (none after the fleet: the
     * candidates are every agent whose row says so), rejected (none), stale (no row alone says it:
     * every agent's status computed); the summary at the Agents page's pace, its first call
     * apart (counted while it waits). Signed in once, as the UI is, so no call pays for a password check.
     */
    @SuppressWarnings("unchecked")
    private static void agentsApi(GatewayUnderTest gateway, String tenant, int expected) throws Exception {
        Latencies pages = new Latencies();
        int seen = 0;
        String after = "";
        do {
            long started = System.nanoTime();
            var page = (Map<String, Object>) gateway.sessionGet("/api/v1/agents?tenant_id=" + tenant + "&limit=1000&after=" + after);
            pages.record(System.nanoTime() - started);
            seen += ((List<?>) page.get("items")).size();
            after = (String) page.get("next");
        } while (after != null);
        if (seen != expected) {
            throw new IllegalStateException("walked " + seen + " agents, expected " + expected);
        }
        System.out.printf("api:      %,d agents in %d pages of 1000: p50 %.1f ms p99 %.1f ms a page%n", seen, pages.count(),
                pages.percentileMs(50), pages.percentileMs(99));
        for (String filter : List.of("liveness=offline", "status=rejected", "status=stale")) {
            Latencies filtered = new Latencies();
            int found = 0;
            for (int i = 0; i < 20; i++) {
                long started = System.nanoTime();
                var page = (Map<String, Object>) gateway.sessionGet("/api/v1/agents?tenant_id=" + tenant + "&" + filter + "&limit=100");
                filtered.record(System.nanoTime() - started);
                found = ((List<?>) page.get("items")).size();
            }
            System.out.printf("          %s (%d on the first page): p50 %.1f ms p99 %.1f ms%n", filter, found, filtered.percentileMs(50),
                    filtered.percentileMs(99));
        }
        // the summary as the Agents page asks for it: once on opening (nothing counted yet: it waits
        // for the count), then every 200 ms for 20 s (answered from the count, recounted every 5 s)
        long started = System.nanoTime();
        gateway.sessionGet("/api/v1/agents/summary?tenant_id=" + tenant);
        double cold = (System.nanoTime() - started) / 1e6;
        Latencies summary = new Latencies();
        for (int i = 0; i < 100; i++) {
            Thread.sleep(200);
            started = System.nanoTime();
            gateway.sessionGet("/api/v1/agents/summary?tenant_id=" + tenant);
            summary.record(System.nanoTime() - started);
        }
        System.out.printf("          summary: the first call (counted while it waited) %.1f ms; then 100 calls 200 ms apart p50 %.1f ms p99 %.1f ms%n",
                cold, summary.percentileMs(50), summary.percentileMs(99));
    }

    private static void propagation(int changes, AgentGatewayServiceGrpc.AgentGatewayServiceFutureStub stub, Map<String, String> versions,
                                    ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub syncStub, String source, AtomicLong seq,
                                    long fleetDevices, int agents) throws Exception {
        Latencies took = new Latencies();
        for (int change = 1; change <= changes; change++) {
            String agent = agentId(0);
            String before = versions.get(agent);
            syncStub.syncDevices(Flux.just(SyncDevicesRequest.newBuilder().setIntegrationSourceId(source).setBatchSeq(seq.incrementAndGet())
                    .addDevices(owned(0, fleetDevices, agents, 1_000 + change)).build())).blockLast();
            long acknowledged = System.nanoTime();
            AgentConfigResponse response;
            do {
                response = stub.getConfig(AgentConfigRequest.newBuilder().setAgentId(agent).setConfigVersion(before).build()).get();
                if (response.getNotModified()) {
                    TimeUnit.MILLISECONDS.sleep(1);
                }
            } while (response.getNotModified() && System.nanoTime() - acknowledged < TimeUnit.SECONDS.toNanos(30));
            took.record(System.nanoTime() - acknowledged);
            versions.put(agent, response.getConfigVersion());
        }
        System.out.printf("change:   acknowledged batch to the agent's GetConfig, %d changes: p50 %.1f ms  p99 %.1f ms%n",
                took.count(), took.percentileMs(50), took.percentileMs(99));
    }

    private static void fleet(int agents, Duration poll, Duration run, double changeFraction, long fleetDevices,
                              AgentGatewayServiceGrpc.AgentGatewayServiceFutureStub stub, Map<String, String> versions,
                              ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub syncStub, String source, AtomicLong seq)
            throws InterruptedException {
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
        Latencies notModified = new Latencies();
        Latencies full = new Latencies();
        AtomicLong errors = new AtomicLong();
        long end = System.nanoTime() + run.toNanos();
        for (int a = 0; a < agents; a++) {
            String agent = agentId(a);
            // jitter at start, and on every tick
            timers.schedule(() -> poll(agent, stub, versions, notModified, full, errors, timers, poll, end),
                    ThreadLocalRandom.current().nextLong(poll.toMillis()), TimeUnit.MILLISECONDS);
        }
        // every 10 s a fraction of the devices changes (a new port), which makes their agents' next poll a full one
        int changes = 0;
        while (System.nanoTime() < end) {
            Thread.sleep(10_000);
            long count = Math.max(1, (long) (fleetDevices * changeFraction));
            SyncDevicesRequest.Builder batch = SyncDevicesRequest.newBuilder().setIntegrationSourceId(source).setBatchSeq(seq.incrementAndGet());
            changes++;
            for (long k = 0; k < count; k++) {
                long device = ThreadLocalRandom.current().nextLong(fleetDevices);
                batch.addDevices(owned(device, fleetDevices, agents, changes));
            }
            syncStub.syncDevices(Flux.just(batch.build())).blockLast();
        }
        timers.shutdown();
        timers.awaitTermination(poll.toSeconds() + 30, TimeUnit.SECONDS);
        double seconds = run.toNanos() / 1e9;
        System.out.printf("fleet:    %,d agents polling every %ds with jitter for %.0f s: %,.0f calls/s, %d errors%n",
                agents, poll.toSeconds(), seconds, (notModified.count() + full.count()) / seconds, errors.get());
        System.out.printf("          not_modified %,d calls p50 %.2f ms p99 %.2f ms; full %,d calls p50 %.2f ms p99 %.2f ms%n",
                notModified.count(), notModified.percentileMs(50), notModified.percentileMs(99),
                full.count(), full.percentileMs(50), full.percentileMs(99));
    }

    private static void poll(String agent, AgentGatewayServiceGrpc.AgentGatewayServiceFutureStub stub, Map<String, String> versions,
                             Latencies notModified, Latencies full, AtomicLong errors, ScheduledExecutorService timers,
                             Duration interval, long end) {
        if (System.nanoTime() >= end) {
            return;
        }
        long started = System.nanoTime();
        var future = stub.getConfig(AgentConfigRequest.newBuilder().setAgentId(agent).setConfigVersion(versions.get(agent)).build());
        future.addListener(() -> {
            try {
                AgentConfigResponse response = future.get();
                (response.getNotModified() ? notModified : full).record(System.nanoTime() - started);
                versions.put(agent, response.getConfigVersion());
            } catch (Exception e) {
                errors.incrementAndGet();
            }
            long jitter = ThreadLocalRandom.current().nextLong(-interval.toMillis() / 10, interval.toMillis() / 10 + 1);
            timers.schedule(() -> poll(agent, stub, versions, notModified, full, errors, timers, interval, end),
                    interval.toMillis() + jitter, TimeUnit.MILLISECONDS);
        }, Runnable::run);
    }

    /** The fleet's devices and the big agent's, in batches of 1,000, one after another. */
    static void ingest(ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub syncStub, String source, AtomicLong seq,
                       long fleetDevices, int agents, int bigTargets) {
        long start = System.nanoTime();
        for (long first = 0; first < fleetDevices + bigTargets; first += 1000) {
            long to = Math.min(fleetDevices + bigTargets, first + 1000);
            SyncDevicesRequest.Builder batch = SyncDevicesRequest.newBuilder().setIntegrationSourceId(source).setBatchSeq(seq.incrementAndGet());
            for (long i = first; i < to; i++) {
                batch.addDevices(owned(i, fleetDevices, agents, 0));
            }
            syncStub.syncDevices(Flux.just(batch.build())).blockLast();
        }
        System.out.printf("setup:    %,d devices ingested in %.1f s%n", fleetDevices + bigTargets, GatewayUnderTest.since(start).toMillis() / 1000.0);
    }

    /** Device {@code i}: fleet devices belong to agent i % agents; the rest (one IP each) to the big agent. */
    static DiscoveredDevice owned(long i, long fleetDevices, int agents, int generation) {
        DiscoveredDevice.Builder device = SyntheticDevices.device(i).toBuilder()
                .setAgentUid(i < fleetDevices ? agentId((int) (i % agents)) : "agent-big");
        if (i >= fleetDevices) {
            String ip = device.getIpAddresses(0);
            device.clearIpAddresses().addIpAddresses(ip); // one target per device: --big targets exactly
        }
        if (generation > 0) {
            device.clearPorts().addPorts(10_000 + generation);
        }
        return device.build();
    }

    static String agentId(int a) {
        return "agent-" + a;
    }

    static Metadata bearer(String token) {
        Metadata metadata = new Metadata();
        metadata.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return metadata;
    }

    private static void print(String name, ClosedLoop.Result result) {
        System.out.printf("%-9s %,8.0f calls/s  p50 %.2f ms  p99 %.2f ms  (%,d calls, %d errors)%n", name + ":", result.rate(),
                result.latencies().percentileMs(50), result.latencies().percentileMs(99), result.calls(), result.errors());
    }
}
