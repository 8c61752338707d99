package io.fleetgate.load;

import com.google.protobuf.ByteString;
import io.fleetgate.proto.DiscoveredDevice;
import java.util.SplittableRandom;

/**
 * Deterministic synthetic devices of a realistic shape: 1–3 IPs (unique loopback addresses, so an
 * agent may sweep them), 1–2 unique usable MACs, ports now and then, and a raw record of a few
 * hundred bytes. Device {@code i} is always the same device.
 */
final class SyntheticDevices {

    private static final String[] TYPES = {"server", "workstation", "printer", "switch", "camera", "phone"};
    private static final String[] VENDORS = {"Dell", "HP", "Cisco", "Lenovo", "Axis", "Polycom"};

    private SyntheticDevices() {
    }

    static DiscoveredDevice device(long i) {
        SplittableRandom random = new SplittableRandom(i * 0x9E3779B97F4A7C15L);
        DiscoveredDevice.Builder device = DiscoveredDevice.newBuilder()
                .setDeviceId("dev-" + i)
                .setSourceType("faker")
                .setHostname("host-" + i + ".example.internal")
                .setDeviceType(TYPES[random.nextInt(TYPES.length)])
                .setManufacturer(VENDORS[random.nextInt(VENDORS.length)])
                .setModel("M" + random.nextInt(1000));
        int ips = 1 + random.nextInt(3);
        for (int k = 0; k < ips; k++) {
            device.addIpAddresses(loopback(3 * i + k));
        }
        int macs = 1 + random.nextInt(2);
        for (int k = 0; k < macs; k++) {
            long value = 2 * i + k;
            device.addMacAddresses("00:16:3e:" + hex(value >> 16) + ':' + hex(value >> 8) + ':' + hex(value));
        }
        if (random.nextInt(4) == 0) {
            device.addPorts(22).addPorts(443);
        }
        String raw = "{\"id\":\"dev-" + i + "\",\"name\":\"host-" + i + "\",\"site\":\"site-" + random.nextInt(50)
                + "\",\"os\":{\"family\":\"linux\",\"version\":\"6." + random.nextInt(20) + "\"},\"tags\":[\"managed\",\"rack-"
                + random.nextInt(40) + "\",\"tier-" + random.nextInt(3) + "\"],\"risk\":" + random.nextInt(100)
                + ",\"services\":[{\"name\":\"ssh\",\"port\":22},{\"name\":\"https\",\"port\":443}],"
                + "\"first_seen\":\"2026-0" + (1 + random.nextInt(9)) + "-1" + random.nextInt(10) + "T08:00:00Z\","
                + "\"serial\":\"SN" + Long.toHexString(random.nextLong()) + "\",\"owner\":\"team-" + random.nextInt(30) + "\"}";
        return device.setRawData(ByteString.copyFromUtf8(raw)).build();
    }

    private static String hex(long value) {
        int octet = (int) (value & 0xff);
        return octet < 16 ? "0" + Integer.toHexString(octet) : Integer.toHexString(octet);
    }

    /** The n-th address of 127.0.0.0/8, skipping 127.0.0.0 (up to 16.7 million). */
    static String loopback(long n) {
        long value = n + 1;
        return "127." + (value >> 16 & 0xff) + "." + (value >> 8 & 0xff) + "." + (value & 0xff);
    }
}
