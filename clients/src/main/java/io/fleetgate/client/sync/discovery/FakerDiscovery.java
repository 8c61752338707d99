package io.fleetgate.client.sync.discovery;

import com.google.protobuf.ByteString;
import io.fleetgate.net.Ascii;
import io.fleetgate.net.Cidr;
import io.fleetgate.net.IpAddress;
import io.fleetgate.proto.DiscoveredDevice;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * A deterministic synthetic inventory: {@code count} devices drawn from {@code networks}, the
 * same for the same {@code seed}, with a {@code churn} fraction of them on other IPs in each
 * run. Devices have 1–3 IPs, 1–2 usable MACs, a raw record, and the {@code ports} setting's
 * ports if it has any (else their sweep ports come from the source or the gateway).
 */
public final class FakerDiscovery implements Discovery {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final String[] TYPES = {"server", "workstation", "printer", "switch", "camera", "phone", "router"};
    private static final String[] VENDORS = {"Dell", "HP", "Cisco", "Lenovo", "Axis", "Polycom", "Juniper"};

    private final int count;
    private final long seed;
    private final List<Cidr> networks;
    private final double churn;
    private final List<Integer> ports;
    private final BigInteger capacity;

    public FakerDiscovery(Map<String, String> settings) {
        this.count = Math.min(Ascii.parseInt(settings.getOrDefault("count", "100")), Discovery.maxDevices(settings));
        this.seed = Ascii.parseLong(settings.getOrDefault("seed", "1"));
        this.networks = split(settings.getOrDefault("networks", "127.0.0.0/8")).stream().map(Cidr::parse).toList();
        this.churn = Double.parseDouble(settings.getOrDefault("churn", "0"));
        this.ports = split(settings.getOrDefault("ports", "")).stream().map(Ascii::parseInt).toList();
        this.capacity = networks.stream().map(n -> BigInteger.ONE.shiftLeft(n.base().bits() - n.prefix()))
                .reduce(BigInteger.ZERO, BigInteger::add);
    }

    @Override
    public Mono<Inventory> discover(int run) {
        return Mono.just(new Inventory() {
            @Override
            public int size() {
                return count;
            }

            @Override
            public DiscoveredDevice get(int index) {
                return device(index, run);
            }
        });
    }

    DiscoveredDevice device(int k, int run) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + k);
        // Each device moves to a new slot range ("generation") now and then: with a random phase per
        // device, floor(run * churn + phase) grows between two runs for a churn fraction of them.
        double phase = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (k + 1))).nextDouble();
        long generation = (long) Math.floor(run * churn + phase);
        long slotBase = generation * count * 3;
        DiscoveredDevice.Builder device = DiscoveredDevice.newBuilder()
                .setDeviceId("faker-" + k)
                .setSourceType("faker")
                .setHostname("host-" + k + ".faker.internal")
                .setDeviceType(TYPES[random.nextInt(TYPES.length)])
                .setManufacturer(VENDORS[random.nextInt(VENDORS.length)])
                .setModel("FK-" + (100 + random.nextInt(900)));
        int ips = 1 + random.nextInt(3);
        for (int j = 0; j < ips; j++) {
            device.addIpAddresses(address(slotBase + 3L * k + j).toString());
        }
        int macs = 1 + random.nextInt(2);
        for (int m = 0; m < macs; m++) {
            long value = (seed * 7919 + 2L * k + m) & 0xffffffL;
            device.addMacAddresses(String.format("00:16:3e:%02x:%02x:%02x", value >> 16 & 0xff, value >> 8 & 0xff, value & 0xff));
        }
        device.addAllPorts(ports);
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("id", "faker-" + k);
        raw.put("name", "host-" + k);
        raw.put("site", "site-" + random.nextInt(20));
        raw.put("os", Map.of("family", "linux", "version", "6." + random.nextInt(12)));
        raw.put("serial", "FK" + Long.toHexString(random.nextLong() & 0xffffffffL));
        raw.put("tags", List.of("faker", "rack-" + random.nextInt(40)));
        return device.setRawData(ByteString.copyFrom(JSON.writeValueAsBytes(raw))).build();
    }

    /** The slot-th address across the networks (wrapping around when there are more slots than addresses). */
    private IpAddress address(long slot) {
        BigInteger offset = BigInteger.valueOf(slot + 1).mod(capacity); // + 1: not the network address
        for (Cidr network : networks) {
            BigInteger size = BigInteger.ONE.shiftLeft(network.base().bits() - network.prefix());
            if (offset.compareTo(size) < 0) {
                BigInteger base = new BigInteger(Long.toUnsignedString(network.base().hi())).shiftLeft(64)
                        .or(new BigInteger(Long.toUnsignedString(network.base().lo())));
                BigInteger value = base.add(offset);
                return network.base().v6()
                        ? new IpAddress(true, value.shiftRight(64).longValue(), value.longValue())
                        : IpAddress.v4(value.longValue());
            }
            offset = offset.subtract(size);
        }
        throw new IllegalStateException("slot beyond capacity");
    }

    private static List<String> split(String value) {
        List<String> parts = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                parts.add(part.trim());
            }
        }
        return parts;
    }
}
