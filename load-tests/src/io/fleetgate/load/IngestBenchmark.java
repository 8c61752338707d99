package io.fleetgate.load;

import io.fleetgate.proto.ReactorAgentGatewayServiceGrpc;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.proto.SyncDevicesResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.function.ObjLongConsumer;
import org.postgresql.PGConnection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Ingest throughput: N synthetic devices over S concurrent SyncDevices streams in batches of B
 * (at most W unacknowledged per stream, as the sync runner sends them), against a gateway it
 * starts; then PostgreSQL COPY of the same rows into a scratch copy of the table, the physical
 * baseline; optionally a naive one-statement-per-device upsert. With --flood, one client sends
 * every batch as fast as flow control lets it, and the gateway's heap and RSS are watched.
 */
final class IngestBenchmark {

    private IngestBenchmark() {
    }

    static void run(Options options) throws Exception {
        long devices = options.number("devices", 1_000_000);
        int streams = (int) options.number("streams", 4);
        int batch = (int) options.number("batch", 1000);
        int window = (int) options.number("window", 2);
        long naive = options.number("naive", 0);
        boolean flood = options.flag("flood");
        boolean resync = options.flag("resync");
        String heap = options.text("heap", "512m");
        long warmup = options.number("warmup", 300_000);
        long devicesApi = options.number("devices-api", 0);
        System.out.printf("ingest: %,d devices, %d streams, batches of %d, window %d%s, gateway -Xmx%s, %,d devices of warm-up%n",
                devices, flood ? 1 : streams, batch, window, flood ? " (flood: no window)" : "", heap, warmup);

        try (GatewayUnderTest gateway = GatewayUnderTest.start(heap, Map.of())) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort).usePlaintext()
                    .maxInboundMessageSize(64 << 20).build();
            if (warmup > 0) {
                // the gateway's JIT compiles the ingest path on other devices, of another tenant, before the clock starts
                Bench warm = Bench.of(gateway, channel, "warmup", streams);
                long start = System.nanoTime();
                ingest(warm, devices, warmup, streams, batch, window, new Latencies(), new AtomicLong());
                System.out.printf("warm-up:  %,d devices in %.1f s%n", warmup, GatewayUnderTest.since(start).toMillis() / 1000.0);
                // the measured run starts from empty tables, as the COPY baseline does
                execute(gateway, "TRUNCATE discovered_devices, device_identifiers, device_merges");
                execute(gateway, "VACUUM ANALYZE discovered_devices, device_identifiers, device_merges");
            }
            // each measured phase starts right after a checkpoint, not in the middle of one the previous phase caused
            execute(gateway, "CHECKPOINT");
            Bench bench = Bench.of(gateway, channel, "bench", streams);
            var stub = bench.stub();
            List<String> sources = bench.sources();

            Latencies latencies = new Latencies();
            AtomicLong acknowledged = new AtomicLong();
            DoubleAccumulator peakHeap = new DoubleAccumulator(Math::max, 0);
            var sampler = Flux.interval(Duration.ofMillis(500)).subscribe(tick -> {
                try {
                    peakHeap.accumulate(gateway.metric("jvm_memory_used_bytes{application=\"fleetgate\",area=\"heap\""));
                } catch (Exception ignored) {
                    // the gateway may be busy; the next sample will do
                }
            });
            long start = System.nanoTime();
            if (flood) {
                flood(stub, sources.get(0), devices, batch, latencies, acknowledged).block();
            } else {
                ingest(bench, 0, devices, streams, batch, window, latencies, acknowledged);
            }
            Duration took = GatewayUnderTest.since(start);
            sampler.dispose();
            double rate = devices / (took.toNanos() / 1e9);
            long stored = gateway.queryLong("SELECT count(*) FROM discovered_devices WHERE tenant_id = '" + bench.tenant() + "'");
            System.out.printf("gateway:  %,d devices in %.1f s = %,.0f devices/s; batch latency p50 %.1f ms, p99 %.1f ms (%d batches)%n",
                    devices, took.toMillis() / 1000.0, rate, latencies.percentileMs(50), latencies.percentileMs(99), latencies.count());
            System.out.printf("          stored rows %,d; gateway alive %s; peak heap %.0f MiB; peak RSS %.0f MiB%n",
                    stored, gateway.alive(), peakHeap.get() / (1 << 20), gateway.peakRssMiB());
            if (stored != devices || !gateway.alive()) {
                throw new IllegalStateException("not every device was stored; gateway log: " + gateway.log());
            }

            if (resync && !flood) {
                // the same devices again, as a source's next sync sends them: every row an update, identity unchanged
                Latencies again = new Latencies();
                long start2 = System.nanoTime();
                ingest(bench, 0, devices, streams, batch, window, again, new AtomicLong());
                Duration took2 = GatewayUnderTest.since(start2);
                System.out.printf("re-sync:  %,d devices in %.1f s = %,.0f devices/s; batch latency p50 %.1f ms, p99 %.1f ms%n",
                        devices, took2.toMillis() / 1000.0, devices / (took2.toNanos() / 1e9), again.percentileMs(50), again.percentileMs(99));
                if (gateway.queryLong("SELECT count(*) FROM discovered_devices WHERE tenant_id = '" + bench.tenant() + "'") != devices) {
                    throw new IllegalStateException("the re-sync created rows");
                }
            }
            if (devicesApi > 0) {
                DevicesBenchmark.run(gateway, bench.tenant(), bench.syncService(), bench.stub(), sources, devices, (int) devicesApi);
            }
            channel.shutdownNow();
            execute(gateway, "CHECKPOINT");
            double copySeconds = copyBaseline(gateway, devices);
            double copyRate = devices / copySeconds;
            System.out.printf("COPY:     %,.0f rows/s into a scratch copy of discovered_devices (same rows)%n", copyRate);
            System.out.printf("ratio:    gateway / COPY = %.0f %%%n", 100 * rate / copyRate);
            double withIdentifiers = devices / (copySeconds + copyIdentifiers(gateway, devices));
            System.out.printf("COPY:     %,.0f devices/s with their identifier rows too (one per usable MAC and IP, into a copy of device_identifiers)%n",
                    withIdentifiers);
            System.out.printf("ratio:    gateway / COPY of devices and identifiers = %.0f %%%n", 100 * rate / withIdentifiers);
            if (naive > 0) {
                double naiveRate = naiveBaseline(gateway, naive, batch);
                System.out.printf("naive:    %,.0f devices/s with one INSERT ... ON CONFLICT per row written (%,d devices)%n", naiveRate, naive);
                System.out.printf("ratio:    gateway / naive = %.1f x%n", rate / naiveRate);
            }
        }
    }

    /** A tenant with one sync service and a source per stream, and a stub holding the sync service's credential. */
    private record Bench(String tenant, String syncService, List<String> sources,
                         ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub stub) {

        static Bench of(GatewayUnderTest gateway, ManagedChannel channel, String name, int streams) throws Exception {
            String tenant = gateway.createTenant(name);
            Map<String, Object> sync = gateway.onboardSyncService(tenant, name + "-sync");
            List<String> sources = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                sources.add(gateway.createSource(tenant, (String) sync.get("id"), name + "-" + s, Map.of("agent_uid", name + "-agent-" + s)));
            }
            Metadata auth = new Metadata();
            auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + sync.get("credential"));
            return new Bench(tenant, (String) sync.get("id"), sources, ReactorAgentGatewayServiceGrpc.newReactorStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth)));
        }
    }

    /** Devices first .. first + devices - 1, split over the streams. */
    private static void ingest(Bench bench, long first, long devices, int streams, int batch, int window, Latencies latencies,
                               AtomicLong acknowledged) {
        long perStream = devices / streams;
        Flux.range(0, streams)
                .flatMap(s -> windowed(bench.stub(), bench.sources().get(s), first + s * perStream,
                        s == streams - 1 ? devices - s * perStream : perStream, batch, window, latencies, acknowledged), streams)
                .blockLast();
    }

    /** One stream, at most {@code window} batches unacknowledged. */
    private static Mono<Void> windowed(ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub stub, String source,
                                      long first, long count, int batch, int window, Latencies latencies, AtomicLong acknowledged) {
        int batches = (int) ((count + batch - 1) / batch);
        long[] sentAt = new long[batches];
        AtomicLong next = new AtomicLong();
        Sinks.Many<SyncDevicesRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        Runnable sendNext = () -> {
            long b = next.getAndIncrement();
            if (b < batches) {
                SyncDevicesRequest request = request(source, b, first + b * batch, Math.min(batch, count - b * batch));
                sentAt[(int) b] = System.nanoTime();
                requests.emitNext(request, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
            } else if (b == batches) {
                requests.emitComplete(Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
            }
        };
        for (int w = 0; w < window; w++) {
            sendNext.run();
        }
        return stub.syncDevices(requests.asFlux())
                .doOnNext(response -> {
                    check(response);
                    latencies.record(System.nanoTime() - sentAt[(int) response.getBatchSeq()]);
                    acknowledged.incrementAndGet();
                    sendNext.run();
                })
                .then();
    }

    /** One stream that offers every batch at once: only gRPC flow control holds it back. */
    private static Mono<Void> flood(ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub stub, String source,
                                   long count, int batch, Latencies latencies, AtomicLong acknowledged) {
        int batches = (int) ((count + batch - 1) / batch);
        long[] offeredAt = new long[batches];
        return stub.syncDevices(Flux.range(0, batches).map(b -> {
                    offeredAt[b] = System.nanoTime();
                    return request(source, b, (long) b * batch, Math.min(batch, count - (long) b * batch));
                }))
                .doOnNext(response -> {
                    check(response);
                    latencies.record(System.nanoTime() - offeredAt[(int) response.getBatchSeq()]);
                    acknowledged.incrementAndGet();
                })
                .then();
    }

    private static SyncDevicesRequest request(String source, long seq, long firstDevice, long count) {
        SyncDevicesRequest.Builder request = SyncDevicesRequest.newBuilder().setIntegrationSourceId(source).setBatchSeq(seq);
        for (long i = firstDevice; i < firstDevice + count; i++) {
            request.addDevices(SyntheticDevices.device(i));
        }
        return request.build();
    }

    private static void check(SyncDevicesResponse response) {
        if (!response.getSuccess() || response.getDevicesRejected() > 0) {
            throw new IllegalStateException("batch " + response.getBatchSeq() + " not fully stored: " + response);
        }
    }

    /**
     * Seconds to COPY the same rows (text format) into a scratch table built LIKE discovered_devices,
     * indexes included. The rows are written to a file before the clock starts and streamed from
     * it, as {@code psql \copy} would: the timed region is the server's work, not the client
     * building rows (the client's CPU during the COPY is printed to show it).
     */
    private static double copyBaseline(GatewayUnderTest gateway, long devices) throws Exception {
        String tenant = UUID.randomUUID().toString();
        String source = UUID.randomUUID().toString();
        Path file = rowsFile("copy-devices", devices, (rows, i) -> {
            var d = SyntheticDevices.device(i);
            rows.append(tenant).append('\t').append(source).append('\t').append(d.getDeviceId()).append('\t').append("faker").append('\t')
                    .append('{').append(String.join(",", d.getIpAddressesList())).append('}').append('\t')
                    .append('{').append(String.join(",", d.getMacAddressesList())).append('}').append('\t')
                    .append(d.getHostname()).append('\t').append(d.getDeviceType()).append('\t').append(d.getManufacturer()).append('\t')
                    .append(d.getModel()).append('\t')
                    .append('{').append(d.getPortsList().stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("")).append('}')
                    .append('\t').append(d.getRawData().toStringUtf8().replace("\\", "\\\\")).append('\t').append("{22,443}").append('\t')
                    .append("\\N").append('\t').append("default").append('\t').append(UUID.randomUUID()).append('\t')
                    .append("2026-11-25 00:00:00+00").append('\t').append("2026-11-25 00:00:00+00").append('\n');
        });
        return copyFrom(gateway, file, "copy_baseline", "discovered_devices", """
                COPY copy_baseline (tenant_id, integration_source_id, device_id, source_type, ip_addresses, mac_addresses,
                    hostname, device_type, manufacturer, model, ports, raw_data, raw_data_ports, agent_uid, partition,
                    canonical_device_id, first_seen_at, last_seen_at) FROM STDIN""", devices);
    }

    /** Seconds to COPY the identifier rows ingest writes for the same devices into a scratch table LIKE device_identifiers. */
    private static double copyIdentifiers(GatewayUnderTest gateway, long devices) throws Exception {
        String prefix = UUID.randomUUID() + "\tdefault\t";
        Path file = rowsFile("copy-identifiers", devices, (rows, i) -> {
            var d = SyntheticDevices.device(i);
            String suffix = "\t" + UUID.randomUUID() + "\t2026-11-25 00:00:00+00\n";
            d.getMacAddressesList().forEach(mac -> rows.append(prefix).append("mac\t").append(mac).append(suffix));
            d.getIpAddressesList().forEach(ip -> rows.append(prefix).append("ip\t").append(ip).append(suffix));
        });
        return copyFrom(gateway, file, "copy_identifiers", "device_identifiers",
                "COPY copy_identifiers (tenant_id, partition, kind, value, canonical_device_id, claimed_at) FROM STDIN", -1);
    }

    /** Writes device i's COPY rows for every i to a temporary file, before any clock runs. */
    private static Path rowsFile(String name, long devices, ObjLongConsumer<StringBuilder> row) throws IOException {
        Path file = Files.createTempFile(name, ".tsv");
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            StringBuilder rows = new StringBuilder(1 << 16);
            for (long i = 0; i < devices; i++) {
                row.accept(rows, i);
                if (rows.length() > 1 << 15) {
                    out.append(rows);
                    rows.setLength(0);
                }
            }
            out.append(rows);
        }
        return file;
    }

    /** Streams the file into a fresh {@code LIKE table INCLUDING ALL}, right after a CHECKPOINT; the seconds it took. */
    private static double copyFrom(GatewayUnderTest gateway, Path file, String scratch, String like, String copySql, long expected)
            throws Exception {
        try (Connection c = gateway.postgres.connect(gateway.database)) {
            c.createStatement().execute("CREATE TABLE " + scratch + " (LIKE " + like + " INCLUDING ALL)");
            c.createStatement().execute("CHECKPOINT");
            var cpu = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuBefore = cpu.getProcessCpuTime();
            long start = System.nanoTime();
            long copied;
            try (var in = Files.newInputStream(file)) {
                copied = c.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql, in, 1 << 16);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("          COPY into %s: %,d rows (%,d MB) in %.1f s; this client's CPU meanwhile %.0f %% of one core%n", scratch,
                    copied, Files.size(file) >> 20, seconds, 100.0 * (cpu.getProcessCpuTime() - cpuBefore) / 1e9 / seconds);
            if (expected >= 0 && copied != expected) {
                throw new IllegalStateException("COPY stored fewer rows than sent");
            }
            c.createStatement().execute("DROP TABLE " + scratch);
            return seconds;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The floor to beat: the same rows the gateway writes (the device, and an identifier per MAC
     * and per IP), one {@code INSERT ... ON CONFLICT} statement per row, a transaction per batch.
     */
    private static double naiveBaseline(GatewayUnderTest gateway, long devices, int batch) throws Exception {
        try (Connection c = gateway.postgres.connect(gateway.database)) {
            c.createStatement().execute("CREATE TABLE naive_devices (LIKE discovered_devices INCLUDING ALL)");
            c.createStatement().execute("CREATE TABLE naive_identifiers (LIKE device_identifiers INCLUDING ALL)");
            c.setAutoCommit(false);
            String tenant = UUID.randomUUID().toString();
            String source = UUID.randomUUID().toString();
            long start = System.nanoTime();
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO naive_devices (tenant_id, integration_source_id, device_id, source_type, ip_addresses, mac_addresses,
                        hostname, device_type, manufacturer, model, ports, raw_data, partition, canonical_device_id, first_seen_at, last_seen_at)
                    VALUES (?::uuid, ?::uuid, ?, 'faker', ?::text[], ?::text[], ?, ?, ?, ?, '{}', ?::jsonb, 'default', ?::uuid, now(), now())
                    ON CONFLICT (tenant_id, source_type, device_id) DO UPDATE SET last_seen_at = excluded.last_seen_at""");
                 PreparedStatement identifier = c.prepareStatement("""
                    INSERT INTO naive_identifiers (tenant_id, partition, kind, value, canonical_device_id, claimed_at)
                    VALUES (?::uuid, 'default', ?, ?, ?::uuid, now())
                    ON CONFLICT (tenant_id, partition, kind, value) DO UPDATE SET canonical_device_id = excluded.canonical_device_id""")) {
                for (long i = 0; i < devices; i++) {
                    var d = SyntheticDevices.device(i);
                    String canonical = UUID.randomUUID().toString();
                    insert.setString(1, tenant);
                    insert.setString(2, source);
                    insert.setString(3, d.getDeviceId());
                    insert.setString(4, "{" + String.join(",", d.getIpAddressesList()) + "}");
                    insert.setString(5, "{" + String.join(",", d.getMacAddressesList()) + "}");
                    insert.setString(6, d.getHostname());
                    insert.setString(7, d.getDeviceType());
                    insert.setString(8, d.getManufacturer());
                    insert.setString(9, d.getModel());
                    insert.setString(10, d.getRawData().toStringUtf8());
                    insert.setString(11, canonical);
                    insert.executeUpdate();
                    for (String mac : d.getMacAddressesList()) {
                        naiveIdentifier(identifier, tenant, "mac", mac, canonical);
                    }
                    for (String ip : d.getIpAddressesList()) {
                        naiveIdentifier(identifier, tenant, "ip", ip, canonical);
                    }
                    if ((i + 1) % batch == 0) {
                        c.commit();
                    }
                }
                c.commit();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            c.setAutoCommit(true);
            c.createStatement().execute("DROP TABLE naive_devices");
            c.createStatement().execute("DROP TABLE naive_identifiers");
            return devices / seconds;
        }
    }

    private static void naiveIdentifier(PreparedStatement statement, String tenant, String kind, String value, String canonical)
            throws java.sql.SQLException {
        statement.setString(1, tenant);
        statement.setString(2, kind);
        statement.setString(3, value);
        statement.setString(4, canonical);
        statement.executeUpdate();
    }

    private static void execute(GatewayUnderTest gateway, String sql) throws Exception {
        try (Connection c = gateway.postgres.connect(gateway.database)) {
            c.createStatement().execute(sql);
        }
    }
}
