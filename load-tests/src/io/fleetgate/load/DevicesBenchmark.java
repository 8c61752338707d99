package io.fleetgate.load;

import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.ReactorAgentGatewayServiceGrpc;
import io.fleetgate.proto.SyncDevicesRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;

/**
 * The devices API over what ingest stored (issue 15's targets): every filter of
 * {@code GET /api/v1/devices}, on its first page and on a page deep in the keyset, the device page,
 * the summary, and unmerges of devices of ten source records, each timed over the UI's signed-in
 * session (as the pages call them), one request at a time.
 */
final class DevicesBenchmark {

    /** Extra sources that report devices the bench already has, so that some devices have ten records. */
    private static final int EXTRA_SOURCES = 9;
    private static final int SPLIT_DEVICES = 20;

    private DevicesBenchmark() {
    }

    static void run(GatewayUnderTest gateway, String tenant, String syncService,
                    ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub stub, List<String> sources, long devices,
                    int repeats) throws Exception {
        // ten records for SPLIT_DEVICES devices: each extra source reports each of them by its MAC, on IPs of its own
        long stride = devices / SPLIT_DEVICES;
        for (int s = 0; s < EXTRA_SOURCES; s++) {
            String source = gateway.createSource(tenant, syncService, "ten-records-" + s, Map.of());
            SyncDevicesRequest.Builder batch = SyncDevicesRequest.newBuilder().setIntegrationSourceId(source).setBatchSeq(1);
            for (int d = 0; d < SPLIT_DEVICES; d++) {
                DiscoveredDevice original = SyntheticDevices.device(d * stride);
                batch.addDevices(DiscoveredDevice.newBuilder().setDeviceId("also-" + d).setSourceType("faker")
                        .setHostname(original.getHostname()).addMacAddresses(original.getMacAddresses(0))
                        .addIpAddresses(SyntheticDevices.loopback(3 * devices + 100 * s + d)));
            }
            Flux.from(stub.syncDevices(Flux.just(batch.build()))).blockLast();
        }
        List<String> tenRecords = new ArrayList<>();
        String middle;
        String middleIp;
        try (Connection c = gateway.postgres.connect(gateway.database)) {
            c.createStatement().execute("VACUUM ANALYZE discovered_devices, device_identifiers, device_merges");
            try (ResultSet rows = c.createStatement().executeQuery("SELECT canonical_device_id FROM discovered_devices WHERE tenant_id = '"
                    + tenant + "' GROUP BY 1 HAVING count(*) = 10")) {
                while (rows.next()) {
                    tenRecords.add(rows.getString(1));
                }
            }
            try (ResultSet rows = c.createStatement().executeQuery("SELECT canonical_device_id, ip_addresses[1] FROM discovered_devices"
                    + " WHERE tenant_id = '" + tenant + "' AND device_id = 'dev-" + devices / 2 + "'")) {
                rows.next();
                middle = rows.getString(1);
                middleIp = rows.getString(2);
            }
        }
        if (tenRecords.size() != SPLIT_DEVICES) {
            throw new IllegalStateException(tenRecords.size() + " devices of ten records, not " + SPLIT_DEVICES);
        }
        String byCanonical = cursor("c:" + tenant + ":" + middle);
        String byAddress = cursor("i:" + tenant + ":" + middle + ":" + middleIp);
        DiscoveredDevice sample = SyntheticDevices.device(devices / 3);
        String list = "/api/v1/devices?tenant_id=" + tenant + "&limit=50";
        List<Filter> filters = List.of(
                new Filter("every device", "", false),
                new Filter("q hostname prefix (11 devices)", "&q=host-" + devices / 3 / 10, false),
                new Filter("q hostname prefix (a ninth)", "&q=HOST-1", false),
                new Filter("ip", "&ip=" + sample.getIpAddresses(0), true),
                new Filter("cidr /24", "&cidr=" + sample.getIpAddresses(0).replaceAll("\\.\\d+$", ".0") + "/24", true),
                new Filter("cidr /8 (every IP)", "&cidr=127.0.0.0/8", true),
                new Filter("q cidr /16", "&q=" + sample.getIpAddresses(0).replaceAll("\\.\\d+\\.\\d+$", ".0.0") + "/16", true),
                new Filter("mac (dashed, upper case)", "&mac=" + sample.getMacAddresses(0).toUpperCase().replace(':', '-'), false),
                new Filter("source_id (a quarter)", "&source_id=" + sources.get(1), false),
                new Filter("agent_uid (a source's default)", "&agent_uid=bench-agent-2", false),
                new Filter("cidr /8 and source_id", "&cidr=127.0.0.0/8&source_id=" + sources.get(3), true));
        System.out.printf("devices:  GET /api/v1/devices, %d calls each, one at a time (ms: p50 / p99; first page, then deep in the keyset)%n",
                repeats);
        for (Filter filter : filters) {
            Latencies first = time(gateway, list + filter.parameters(), repeats);
            Latencies deep = time(gateway, list + filter.parameters() + "&after=" + (filter.byAddress() ? byAddress : byCanonical), repeats);
            System.out.printf("          %-32s %6.1f / %6.1f   deep %6.1f / %6.1f%n", filter.name(), first.percentileMs(50),
                    first.percentileMs(99), deep.percentileMs(50), deep.percentileMs(99));
        }
        Latencies detail = new Latencies();
        for (int i = 0; i < repeats; i++) {
            String device = i % 2 == 0 ? tenRecords.get(i % SPLIT_DEVICES) : middle;
            long start = System.nanoTime();
            gateway.sessionGet("/api/v1/devices/" + tenant + "/" + device);
            detail.record(System.nanoTime() - start);
        }
        System.out.printf("device:   GET /api/v1/devices/{tenant}/{device} (half of them of ten records): p50 %.1f ms, p99 %.1f ms%n",
                detail.percentileMs(50), detail.percentileMs(99));
        long start = System.nanoTime();
        Map<?, ?> summary = (Map<?, ?>) gateway.sessionGet("/api/v1/devices/summary?tenant_id=" + tenant);
        System.out.printf("summary:  %,d devices, %,d records, %,d merged, counted in %.0f ms (then cached for 10 s)%n",
                ((Number) summary.get("devices")).longValue(), ((Number) summary.get("records")).longValue(),
                ((Number) summary.get("merged_devices")).longValue(), GatewayUnderTest.since(start).toNanos() / 1e6);

        Latencies unmerge = new Latencies();
        for (String device : tenRecords) {
            String page = gateway.sessionText("/devices/" + tenant + "/" + device, "text/html");
            Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page);
            Matcher record = Pattern.compile("name=\"discoveredDeviceId\" value=\"([^\"]+)\"").matcher(page);
            if (!csrf.find() || !record.find() || !record.find()) {
                throw new IllegalStateException("no unmerge form on the page of device " + device);
            }
            long began = System.nanoTime();
            gateway.sessionPost("/api/v1/devices/" + tenant + "/" + device + "/unmerge",
                    Map.of("discovered_device_id", record.group(1), "reason", "load test"), csrf.group(1));
            unmerge.record(System.nanoTime() - began);
        }
        System.out.printf("unmerge:  a record out of a device of ten records, %d devices: p50 %.1f ms, max %.1f ms%n",
                unmerge.count(), unmerge.percentileMs(50), unmerge.percentileMs(100));
    }

    /** A filter of the list; {@code byAddress} when its pages are in IP order (the deep cursor differs). */
    private record Filter(String name, String parameters, boolean byAddress) {
    }

    private static Latencies time(GatewayUnderTest gateway, String path, int repeats) throws Exception {
        gateway.sessionGet(path); // once untimed: the first call of a statement shape plans it
        Latencies latencies = new Latencies();
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            gateway.sessionGet(path);
            latencies.record(System.nanoTime() - start);
        }
        return latencies;
    }

    private static String cursor(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
