package io.fleetgate.sync;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** A stored device as the next batch finds it: its identity and what its sweep targets depend on. */
record ExistingDevice(String deviceId, String partition, UUID canonical, String agentUid,
                      List<String> ips, List<String> macs, List<Integer> ports, List<Integer> rawPorts, String hostname) {

    /**
     * Whether storing {@code device} in {@code partition} leaves its identity as it is: same
     * partition, same IPs, same MACs. Identity has nothing to decide for such a device: it keeps
     * its canonical device, and an IP it does not hold now it would not take (a device only takes
     * an IP from a holder that claimed it earlier than it was first seen).
     */
    boolean sameIdentity(ValidDevice device, String partition) {
        return this.partition.equals(partition) && ips.equals(device.ips()) && macs.equals(device.macs());
    }

    /** Whether storing {@code device} (with that canonical id) can change a sweep config. */
    boolean sweepChangedBy(ValidDevice device, UUID newCanonical) {
        return !ips.equals(device.ips()) || !ports.equals(device.ports()) || !rawPorts.equals(device.rawPorts())
                || !Objects.equals(hostname, device.hostname())
                || !Objects.equals(agentUid, device.agentUid())
                || !canonical.equals(newCanonical);
    }
}
