package io.fleetgate.device;

import io.fleetgate.net.IpAddress;
import io.fleetgate.sweep.SweepConfigBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Which agent sweeps each IP of a canonical device, and on which ports, by GetConfig's rules: a
 * record is swept by its own agent or its source's default (sources switched off sweep nothing);
 * only the IPs the device holds are its targets (an IP another device took is that one's); the
 * ports of an IP are the union of what its records contribute ({@link SweepConfigBuilder#portsOf}).
 * Pure.
 */
final class DeviceSweeps {

    private DeviceSweeps() {
    }

    static List<DeviceViews.Sweep> of(UUID canonical, List<DeviceDetailRepository.RecordRow> records,
                                      List<DeviceViews.Identifier> identifiers, List<Integer> defaultPorts) {
        Map<String, UUID> ipHolders = new java.util.HashMap<>();
        identifiers.stream().filter(i -> i.kind().equals("ip") && i.heldBy() != null)
                .forEach(i -> ipHolders.put(i.partition() + " " + i.value(), i.heldBy()));
        // by IP (in address order), then agent
        TreeMap<IpAddress, TreeMap<String, TreeSet<Integer>>> sweeps = new TreeMap<>();
        for (DeviceDetailRepository.RecordRow row : records) {
            DeviceViews.SourceRecord record = row.record();
            if (record.sweptBy() == null) {
                continue;
            }
            List<Integer> ports = SweepConfigBuilder.portsOf(record.ports(), record.rawDataPorts(), row.sourceDefaultPorts(), defaultPorts);
            for (String ip : record.ips()) {
                UUID holder = ipHolders.get(record.partition() + " " + ip);
                if (holder != null && !holder.equals(canonical)) {
                    continue;
                }
                sweeps.computeIfAbsent(IpAddress.parse(ip), a -> new TreeMap<>())
                        .computeIfAbsent(record.sweptBy(), a -> new TreeSet<>()).addAll(ports);
            }
        }
        List<DeviceViews.Sweep> result = new ArrayList<>();
        sweeps.forEach((ip, agents) -> agents.forEach((agent, ports) -> result.add(new DeviceViews.Sweep(ip.toString(), agent, List.copyOf(ports)))));
        return result;
    }
}
