package io.fleetgate.sweep;

import io.fleetgate.net.Cidr;
import io.fleetgate.net.IpAddress;
import io.fleetgate.proto.DeviceTarget;
import io.fleetgate.proto.SweepConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Builds an agent's sweep config from its devices and their sources' settings. Pure and deterministic: the same
 * devices, in any order, give the same config and so the same version.
 *
 * <ul>
 *   <li>One target per IP, with the union of the ports every reporting device contributes; a
 *       device contributes the first non-empty of its own ports, the ports of its raw record, its
 *       source's default ports, the gateway's default ports.</li>
 *   <li>A target's modes are the union of its sources' modes (a source without any takes the
 *       gateway's); targets whose modes equal the config's modes list none.</li>
 *   <li>Networks: the minimal exact CIDR cover of the targets' IPs, each IP first widened to its
 *       sources' {@code network_prefix} (the widest one) where set. The prefix is an IPv4 prefix
 *       length; an IPv6 address is widened by as many host bits ({@code /24} → {@code /120}).</li>
 *   <li>Interval: the shortest a source asks for; concurrency: the smallest; timeout: the longest.</li>
 *   <li>Beyond {@code maxTargets} targets or {@code maxBytes}, the targets after the cut (in IP
 *       order) are dropped and the config says {@code truncated}.</li>
 * </ul>
 */
public final class SweepConfigBuilder {

    /** A config and what building it found. */
    public record Built(SweepConfig sweep, String version, int targetsBeforeCut) {
        public boolean truncated() {
            return sweep.getTruncated();
        }
    }

    private SweepConfigBuilder() {
    }

    public static Built build(Collection<SweepInput.Device> devices, Map<UUID, SweepInput.Source> sources, SweepDefaults defaults) {
        List<SweepInput.Device> ordered = new ArrayList<>(devices);
        ordered.sort(Comparator.comparing(SweepInput.Device::sourceType).thenComparing(SweepInput.Device::deviceId)
                .thenComparing(SweepInput.Device::sourceId));

        TreeMap<IpAddress, Target> targets = new TreeMap<>();
        for (SweepInput.Device device : ordered) {
            SweepInput.Source source = sources.get(device.sourceId());
            List<Integer> ports = portsOf(device.ports(), device.rawPorts(), source == null ? List.of() : source.defaultPorts(),
                    defaults.ports());
            List<String> modes = source == null || source.modes().isEmpty() ? defaults.modes() : source.modes();
            for (String ip : device.ips()) {
                IpAddress address = IpAddress.parse(ip);
                targets.computeIfAbsent(address, a -> new Target()).add(device, source, ports, modes);
            }
        }

        TreeSet<String> configModes = sharedModes(targets.values(), defaults.modes());
        int interval = min(sources.values(), SweepInput.Source::intervalSec, defaults.intervalSec());
        int concurrency = min(sources.values(), SweepInput.Source::concurrency, defaults.concurrency());
        int timeout = max(sources.values(), SweepInput.Source::timeoutMs, defaults.timeoutMs());

        List<Map.Entry<IpAddress, Target>> all = new ArrayList<>(targets.entrySet());
        int keep = Math.min(all.size(), defaults.maxTargets());
        SweepConfig sweep = assemble(all.subList(0, keep), configModes, interval, concurrency, timeout, defaults, keep < all.size());
        if (sweep.getSerializedSize() > defaults.maxBytes()) {
            // the largest prefix of the targets that fits, found by bisection
            int low = 0;
            int high = keep;
            while (low < high) {
                int mid = (low + high + 1) >>> 1;
                if (assemble(all.subList(0, mid), configModes, interval, concurrency, timeout, defaults, true).getSerializedSize()
                        <= defaults.maxBytes()) {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
            keep = low;
            sweep = assemble(all.subList(0, keep), configModes, interval, concurrency, timeout, defaults, true);
        }
        String version = ConfigHash.of(sweep);
        return new Built(sweep.toBuilder().setConfigHash(version).build(), version, all.size());
    }

    private static SweepConfig assemble(List<Map.Entry<IpAddress, Target>> targets, TreeSet<String> modes, int interval,
                                        int concurrency, int timeout, SweepDefaults defaults, boolean truncated) {
        SweepConfig.Builder sweep = SweepConfig.newBuilder()
                .addAllSweepModes(modes)
                .setSweepIntervalSec(interval)
                .addAllPorts(defaults.ports())
                .setConcurrency(concurrency)
                .setTimeoutMs(timeout)
                .setTruncated(truncated);
        List<Cidr> blocks = new ArrayList<>(targets.size());
        for (Map.Entry<IpAddress, Target> entry : targets) {
            Target target = entry.getValue();
            sweep.addDeviceTargets(target.toProto(entry.getKey(), modes));
            IpAddress ip = entry.getKey();
            int hostBits = target.prefix == null ? 0 : 32 - target.prefix;
            blocks.add(Cidr.containing(ip, ip.bits() - hostBits));
        }
        Cidrs.cover(blocks).forEach(block -> sweep.addNetworks(block.toString()));
        return sweep.build();
    }

    /** The modes every target shares, if they all share one set; the defaults otherwise. */
    private static TreeSet<String> sharedModes(Collection<Target> targets, List<String> defaults) {
        TreeSet<String> shared = null;
        for (Target target : targets) {
            if (shared == null) {
                shared = target.modes;
            } else if (!shared.equals(target.modes)) {
                return new TreeSet<>(defaults);
            }
        }
        return shared == null ? new TreeSet<>(defaults) : shared;
    }

    /**
     * The ports one device contributes to its IPs' targets: the first non-empty of its own, its raw
     * record's, its source's defaults, the gateway's defaults.
     */
    public static List<Integer> portsOf(List<Integer> devicePorts, List<Integer> rawPorts, List<Integer> sourceDefaults,
                                        List<Integer> gatewayDefaults) {
        return firstNonEmpty(devicePorts, rawPorts, sourceDefaults, gatewayDefaults);
    }

    @SafeVarargs
    private static List<Integer> firstNonEmpty(List<Integer>... candidates) {
        for (List<Integer> candidate : candidates) {
            if (candidate != null && !candidate.isEmpty()) {
                return candidate;
            }
        }
        return List.of();
    }

    private static int min(Collection<SweepInput.Source> sources, java.util.function.Function<SweepInput.Source, Integer> field, int fallback) {
        return sources.stream().map(field).filter(Objects::nonNull).min(Integer::compare).orElse(fallback);
    }

    private static int max(Collection<SweepInput.Source> sources, java.util.function.Function<SweepInput.Source, Integer> field, int fallback) {
        return sources.stream().map(field).filter(Objects::nonNull).max(Integer::compare).orElse(fallback);
    }

    /** Everything known of one IP, gathered from the devices that report it. */
    private static final class Target {
        private final TreeSet<Integer> ports = new TreeSet<>();
        private final TreeSet<String> sources = new TreeSet<>();
        private final TreeSet<String> modes = new TreeSet<>();
        private final Map<String, String> metadata = new HashMap<>();
        private UUID canonical;
        private String hostname;
        private Integer prefix;

        void add(SweepInput.Device device, SweepInput.Source source, List<Integer> devicePorts, List<String> deviceModes) {
            ports.addAll(devicePorts);
            sources.add(device.sourceType());
            modes.addAll(deviceModes);
            if (canonical == null || device.canonicalId().compareTo(canonical) < 0) {
                canonical = device.canonicalId();
            }
            if (hostname == null) {
                hostname = device.hostname();
            }
            metadata.putIfAbsent("device_type", device.deviceType());
            metadata.putIfAbsent("manufacturer", device.manufacturer());
            metadata.putIfAbsent("model", device.model());
            if (source != null && source.networkPrefix() != null) {
                prefix = prefix == null ? source.networkPrefix() : Math.min(prefix, source.networkPrefix());
            }
        }

        DeviceTarget toProto(IpAddress ip, TreeSet<String> configModes) {
            DeviceTarget.Builder target = DeviceTarget.newBuilder()
                    .setIp(ip.toString())
                    .addAllPorts(ports)
                    .setSource(String.join(",", sources))
                    .setDeviceId(canonical.toString());
            if (!modes.equals(configModes)) {
                target.addAllSweepModes(modes);
            }
            if (hostname != null) {
                target.setHostname(hostname);
            }
            metadata.forEach((key, value) -> {
                if (value != null) {
                    target.putMetadata(key, value);
                }
            });
            return target.build();
        }
    }
}
