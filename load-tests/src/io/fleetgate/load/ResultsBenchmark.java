package io.fleetgate.load;

import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.HostResult;
import io.fleetgate.proto.ReactorAgentGatewayServiceGrpc;
import io.fleetgate.proto.SweepResultsAck;
import io.fleetgate.proto.SweepResultsBatch;
import io.fleetgate.proto.SyncDevicesRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAccumulator;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import reactor.core.publisher.Flux;

/**
 * Sweep results ingest (ReportSweepResults): A agents, each sweeping H devices of its own, report
 * R rounds of sweeps (each a stream of one complete batch, S streams at once), against a gateway
 * it starts. The first round sees every host for the first time (a transition each); the others
 * are a steady fleet (no transition). Then PostgreSQL COPY of the same observation rows, built
 * before its clock starts, into scratch copies of host_observations. With --flood, one agent
 * offers batches of 5,000 hosts as fast as flow control lets it, and the gateway's heap is watched.
 */
final class ResultsBenchmark {

    private ResultsBenchmark() {
    }

    static void run(Options options) throws Exception {
        int agents = (int) options.number("agents", 10_000);
        int hosts = (int) options.number("hosts", 50);
        int rounds = (int) options.number("rounds", 10);
        int streams = (int) options.number("streams", 32);
        long floodBatches = options.number("flood", 0);
        System.out.printf("results: %,d agents x %d hosts, %d rounds (%,d host results), %d streams at once, gateway -Xmx%s%n",
                agents, hosts, rounds, (long) agents * hosts * rounds, streams, options.text("heap", "512m"));
        try (GatewayUnderTest gateway = GatewayUnderTest.start(options.text("heap", "512m"), Map.of(
                "FLEETGATE_MAX_AGENTS_PER_TENANT", String.valueOf(Math.max(100_000, agents + 1)),
                "FLEETGATE_RESULTS_MAX_STREAMS_PER_TENANT", String.valueOf(Math.max(200, streams)),
                "FLEETGATE_PLATFORM_SYNC_IN_PROCESS", "false"))) {
            String tenant = gateway.createTenant("results");
            Map<String, Object> sync = gateway.onboardSyncService(tenant, "results-sync");
            String source = gateway.createSource(tenant, (String) sync.get("id"), "fleet", Map.of("default_ports", List.of(22)));
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort).usePlaintext()
                    .maxInboundMessageSize(64 << 20).build();
            var syncStub = stub(channel, (String) sync.get("credential"));
            var agentStub = stub(channel, gateway.agentToken(tenant));

            // the fleet: device a*H+h is swept by agent-a, on one loopback IP of its own
            long start = System.nanoTime();
            int perBatch = 1000;
            long devices = (long) agents * hosts;
            Flux.range(0, (int) ((devices + perBatch - 1) / perBatch))
                    .flatMap(b -> syncStub.syncDevices(Flux.just(devicesBatch(source, b, perBatch, devices, hosts))), 4)
                    .blockLast();
            // what autovacuum does within a minute of a first sync this big: until then the planner
            // takes the tables for empty and a config's build reads all of them
            try (Connection c = gateway.postgres.connect(gateway.database)) {
                c.createStatement().execute("ANALYZE");
            }
            // every agent fetches its config before it sweeps (and the gateway has it built, as after a first poll)
            Flux.range(0, agents).flatMap(a -> agentStub.getConfig(AgentConfigRequest.newBuilder().setAgentId(agent(a)).build()), 64)
                    .blockLast();
            System.out.printf("setup:    %,d devices, %,d agents' configs fetched in %.1f s%n", devices, agents,
                    GatewayUnderTest.since(start).toMillis() / 1000.0);

            Instant t0 = Instant.now().minusSeconds(rounds * 300L);
            Latencies latencies = new Latencies();
            AtomicLong rejected = new AtomicLong();
            long history0 = gateway.queryLong("SELECT count(*) FROM availability_transitions");
            String commits = "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()";
            long commits0 = gateway.queryLong(commits);
            long historyAfterFirst = 0;
            double firstRoundSeconds = 0;
            start = System.nanoTime();
            for (int round = 0; round < rounds; round++) {
                Instant sweep = t0.plusSeconds(round * 300L);
                long roundStart = System.nanoTime();
                Flux.range(0, agents)
                        .flatMap(a -> {
                            long sent = System.nanoTime();
                            return agentStub.reportSweepResults(Flux.just(resultsBatch(a, hosts, sweep)))
                                    .doOnNext(ack -> {
                                        latencies.record(System.nanoTime() - sent);
                                        rejected.addAndGet(ack.getHostsRejected());
                                    });
                        }, streams)
                        .blockLast();
                if (round == 0) {
                    firstRoundSeconds = GatewayUnderTest.since(roundStart).toNanos() / 1e9;
                    historyAfterFirst = gateway.queryLong("SELECT count(*) FROM availability_transitions");
                }
            }
            double seconds = GatewayUnderTest.since(start).toNanos() / 1e9;
            long results = (long) agents * hosts * rounds;
            // every transaction of the database in the meantime, the gateway's other work included: an upper bound
            long committed = gateway.queryLong(commits) - commits0;
            long historySteady = gateway.queryLong("SELECT count(*) FROM availability_transitions") - historyAfterFirst;
            double rate = results / seconds;
            System.out.printf("gateway:  %,d host results in %.1f s = %,.0f host results/s (first round %,.0f/s, the %d steady rounds %,.0f/s);"
                            + " batch p50 %.1f ms, p99 %.1f ms; %,d rejected%n", results, seconds, rate,
                    (long) agents * hosts / firstRoundSeconds, rounds - 1, (results - (long) agents * hosts) / (seconds - firstRoundSeconds),
                    latencies.percentileMs(50), latencies.percentileMs(99), rejected.get());
            System.out.printf("          %,d transactions committed in the database during the rounds: at least %.1f batches per commit%n", committed,
                    (double) agents * rounds / Math.max(1, committed));
            System.out.printf("history:  %,d transitions in the first round (every host seen for the first time), %,d in the %d steady rounds%n",
                    historyAfterFirst - history0, historySteady, rounds - 1);
            System.out.printf("          gateway heap %.0f MiB after, peak RSS %.0f MiB%n",
                    gateway.metric("jvm_memory_used_bytes{application=\"fleetgate\",area=\"heap\"") / (1 << 20), gateway.peakRssMiB());
            System.out.printf("fleet:    100,000 agents sweeping %d hosts every 5 minutes send %,.0f host results/s: %s on this machine%n", hosts,
                    100_000.0 * hosts / 300, rate >= 100_000.0 * hosts / 300 ? "one gateway holds it" : "one gateway does not hold it");
            if (rejected.get() > 0) {
                throw new IllegalStateException(rejected.get() + " host results rejected; gateway log: " + gateway.log());
            }

            double copyRate = copyBaseline(gateway, agents, hosts, rounds);
            System.out.printf("COPY:     %,.0f rows/s of the same observation rows into scratch copies of host_observations%n", copyRate);
            System.out.printf("ratio:    gateway / COPY = %.0f %%%n", 100 * rate / copyRate);
            // read after COPY: a backend reports its table statistics up to seconds after its transactions
            System.out.println("postgres: " + gateway.updatesOf("host_observations"));

            if (floodBatches > 0) {
                flood(gateway, syncStub, agentStub, source, floodBatches);
            }
            channel.shutdownNow();
        }
    }

    /**
     * One agent with 5,000 targets offers {@code batches} batches of all of them at once: only gRPC
     * flow control holds it back. The gateway's heap is sampled throughout.
     */
    private static void flood(GatewayUnderTest gateway, ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub syncStub,
                              ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub agentStub, String source, long batches)
            throws Exception {
        int targets = 5000;
        SyncDevicesRequest.Builder devices = SyncDevicesRequest.newBuilder().setIntegrationSourceId(source).setBatchSeq(1);
        for (int h = 0; h < targets; h++) {
            devices.addDevices(DiscoveredDevice.newBuilder().setDeviceId("flood-" + h).setSourceType("faker").setAgentUid("flood")
                    .addIpAddresses(SyntheticDevices.loopback(10_000_000L + h)));
        }
        syncStub.syncDevices(Flux.just(devices.build())).blockLast();
        agentStub.getConfig(AgentConfigRequest.newBuilder().setAgentId("flood").build()).block();
        DoubleAccumulator peakHeap = new DoubleAccumulator(Math::max, 0);
        var sampler = Flux.interval(Duration.ofMillis(250)).subscribe(tick -> {
            try {
                peakHeap.accumulate(gateway.metric("jvm_memory_used_bytes{application=\"fleetgate\",area=\"heap\""));
            } catch (Exception ignored) {
                // busy; the next sample will do
            }
        });
        Instant first = Instant.now().minusSeconds(batches);
        long start = System.nanoTime();
        List<SweepResultsAck> acks = agentStub.reportSweepResults(Flux.range(0, (int) batches).map(b -> {
            SweepResultsBatch.Builder batch = SweepResultsBatch.newBuilder().setAgentId("flood").setBatchSeq(b + 1L)
                    .setSweepStartedAt(first.plusSeconds(b).toEpochMilli()).setSweepComplete(true);
            for (int h = 0; h < targets; h++) {
                batch.addHosts(HostResult.newBuilder().setIp(SyntheticDevices.loopback(10_000_000L + h)).setIcmpAvailable(b % 2 == 0));
            }
            return batch.build();
        })).collectList().block();
        sampler.dispose();
        Duration took = GatewayUnderTest.since(start);
        System.out.printf("flood:    %,d batches of %,d hosts offered at once: %,d acknowledged in %.1f s (%,.0f host results/s); "
                        + "gateway peak heap %.0f MiB (-Xmx512m), alive %s%n", batches, targets, acks.size(), took.toMillis() / 1000.0,
                batches * targets / (took.toNanos() / 1e9), peakHeap.get() / (1 << 20), gateway.alive());
    }

    private static String agent(int a) {
        return "agent-" + a;
    }

    private static String ip(long device) {
        return SyntheticDevices.loopback(device);
    }

    private static SyncDevicesRequest devicesBatch(String source, int batch, int perBatch, long devices, int hosts) {
        SyncDevicesRequest.Builder request = SyncDevicesRequest.newBuilder().setIntegrationSourceId(source).setBatchSeq(batch + 1L);
        for (long d = (long) batch * perBatch; d < Math.min(devices, (long) (batch + 1) * perBatch); d++) {
            request.addDevices(DiscoveredDevice.newBuilder().setDeviceId("d-" + d).setSourceType("faker")
                    .setAgentUid(agent((int) (d / hosts))).addIpAddresses(ip(d)));
        }
        return request.build();
    }

    /** Agent a's sweep: every host answers on port 22 (a steady fleet). */
    private static SweepResultsBatch resultsBatch(int a, int hosts, Instant sweep) {
        SweepResultsBatch.Builder batch = SweepResultsBatch.newBuilder().setAgentId(agent(a)).setBatchSeq(1)
                .setSweepStartedAt(sweep.toEpochMilli()).setSweepComplete(true);
        for (int h = 0; h < hosts; h++) {
            batch.addHosts(HostResult.newBuilder().setIp(ip((long) a * hosts + h)).setIcmpAvailable(true).setIcmpRttUs(200)
                    .addOpenPorts(22).setObservedAt(sweep.toEpochMilli()));
        }
        return batch.build();
    }

    /**
     * Rows/s of COPY of the same observations, one round's rows (built before the clock starts)
     * into a fresh copy of host_observations per round (a round's keys are the last round's, so one
     * table would refuse them).
     */
    private static double copyBaseline(GatewayUnderTest gateway, int agents, int hosts, int rounds) throws Exception {
        String tenant = UUID.randomUUID().toString();
        StringBuilder text = new StringBuilder(agents * hosts * 160);
        String at = "2026-11-25 00:00:00+00";
        for (int a = 0; a < agents; a++) {
            for (int h = 0; h < hosts; h++) {
                text.append(tenant).append('\t').append(agent(a)).append('\t').append(ip((long) a * hosts + h))
                        .append("\tt\t200\t{22}\t{}\t{}\t").append(at).append('\t').append(at).append("\tv1\tup\t0\t").append(at).append('\n');
            }
        }
        byte[] rows = text.toString().getBytes(StandardCharsets.UTF_8);
        double seconds = 0;
        try (Connection c = gateway.postgres.connect(gateway.database)) {
            c.createStatement().execute("CHECKPOINT");
            for (int round = 0; round < rounds; round++) {
                c.createStatement().execute("CREATE TABLE copy_observations_" + round + " (LIKE host_observations INCLUDING ALL)");
                long start = System.nanoTime();
                CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY copy_observations_" + round
                        + " (tenant_id, agent_uid, ip, icmp_available, icmp_rtt_us, open_ports, closed_ports, filtered_ports, observed_at,"
                        + " sweep_started_at, config_version, state, failures, state_since) FROM STDIN");
                for (int offset = 0; offset < rows.length; offset += 1 << 20) {
                    copy.writeToCopy(rows, offset, Math.min(1 << 20, rows.length - offset));
                }
                copy.endCopy();
                seconds += (System.nanoTime() - start) / 1e9;
            }
            for (int round = 0; round < rounds; round++) {
                c.createStatement().execute("DROP TABLE copy_observations_" + round);
            }
        }
        return (double) agents * hosts * rounds / seconds;
    }

    private static ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub stub(ManagedChannel channel, String token) {
        Metadata auth = new Metadata();
        auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return ReactorAgentGatewayServiceGrpc.newReactorStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
    }
}
