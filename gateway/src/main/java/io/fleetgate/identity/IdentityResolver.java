package io.fleetgate.identity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Decides which canonical (physical) device each reported device of a batch is, within one
 * tenant and partition, by the rules below (docs/api.md, "Identity"). Pure: the caller loads
 * what is known and writes the result.
 *
 * <ul>
 *   <li>A device already stored keeps its canonical device: rediscovery and replay change no identity.</li>
 *   <li>A new device joins the canonical device holding one of its usable MACs.</li>
 *   <li>Otherwise it joins the canonical device holding one of its IPs, unless both have usable
 *       MACs (they would differ: two different usable MACs never merge).</li>
 *   <li>Otherwise it is a new canonical device.</li>
 *   <li>Each IP is held by one canonical device; a device first seen strictly later than the
 *       holder's claim takes the IP over (the IP moved). An older device reported again does not
 *       take it back, and of devices first seen at the same moment the first keeps it, so a
 *       replay never moves anything.</li>
 * </ul>
 * Devices are resolved in batch order, each seeing what the earlier ones decided.
 */
public final class IdentityResolver {

    /**
     * A reported device as identity sees it: the canonical device it already belongs to (null
     * when new), and the id it takes should it be a new canonical device.
     */
    public record Candidate(String deviceId, List<String> usableMacs, List<String> ips, Instant firstSeen,
                            UUID existingCanonical, UUID provisionalCanonical) {
    }

    /** Who holds an IP, and the first-seen time of the device that claimed it. */
    public record Holder(UUID canonical, Instant claimedAt) {
    }

    /** What is already known in the tenant's partition about the batch's MACs and IPs. */
    public record Known(Map<String, UUID> macs, Map<String, Holder> ips, Set<UUID> canonicalsWithUsableMac) {

        /** Nobody holds any of the batch's MACs and IPs. */
        public static final Known NOTHING = new Known(Map.of(), Map.of(), Set.of());
    }

    /**
     * An identifier to store: {@code replaces} when it was held before the batch (an update),
     * otherwise it is new in the partition (an insert).
     */
    public record IdentifierWrite(String kind, String value, UUID canonical, Instant claimedAt, boolean replaces) {
    }

    /** A reported device joined a canonical device (reason mac/ip) or took an IP from another (ip_moved). */
    public record Merge(String deviceId, UUID canonical, String reason, String key, UUID previousCanonical) {
    }

    public record Resolution(Map<String, UUID> canonicals, List<IdentifierWrite> writes, List<Merge> merges,
                             Set<UUID> previousHolders) {
    }

    private IdentityResolver() {
    }

    public static Resolution resolve(List<Candidate> batch, Known known) {
        Map<String, UUID> macs = new HashMap<>(known.macs());
        Map<String, Holder> ips = new HashMap<>(known.ips());
        Set<UUID> withMac = new HashSet<>(known.canonicalsWithUsableMac());
        Map<String, UUID> canonicals = new LinkedHashMap<>(batch.size() * 2);
        List<IdentifierWrite> macWrites = new ArrayList<>(); // a MAC is written once: by its first holder
        Map<String, IdentifierWrite> ipWrites = new LinkedHashMap<>(); // an IP may move within the batch: its last claim
        List<Merge> merges = new ArrayList<>();
        Set<UUID> previousHolders = new HashSet<>();

        for (Candidate device : batch) {
            UUID canonical = device.existingCanonical();
            if (canonical == null) {
                canonical = joinByMac(device, macs, merges);
            }
            if (canonical == null) {
                canonical = joinByIp(device, ips, withMac, merges);
            }
            if (canonical == null) {
                canonical = device.provisionalCanonical();
            }
            canonicals.put(device.deviceId(), canonical);

            for (String mac : device.usableMacs()) {
                if (!macs.containsKey(mac)) {
                    macs.put(mac, canonical);
                    macWrites.add(new IdentifierWrite("mac", mac, canonical, device.firstSeen(), false));
                }
            }
            if (!device.usableMacs().isEmpty()) {
                withMac.add(canonical);
            }
            for (String ip : device.ips()) {
                Holder holder = ips.get(ip);
                if (holder == null) {
                    claim(ip, canonical, device.firstSeen(), ips, ipWrites, known);
                } else if (!holder.canonical().equals(canonical) && device.firstSeen().isAfter(holder.claimedAt())) {
                    claim(ip, canonical, device.firstSeen(), ips, ipWrites, known);
                    merges.add(new Merge(device.deviceId(), canonical, "ip_moved", ip, holder.canonical()));
                    previousHolders.add(holder.canonical());
                }
            }
        }
        List<IdentifierWrite> writes = new ArrayList<>(macWrites.size() + ipWrites.size());
        writes.addAll(macWrites);
        writes.addAll(ipWrites.values());
        return new Resolution(canonicals, writes, merges, previousHolders);
    }

    private static UUID joinByMac(Candidate device, Map<String, UUID> macs, List<Merge> merges) {
        for (String mac : device.usableMacs()) {
            UUID holder = macs.get(mac);
            if (holder != null) {
                merges.add(new Merge(device.deviceId(), holder, "mac", mac, null));
                return holder;
            }
        }
        return null;
    }

    private static UUID joinByIp(Candidate device, Map<String, Holder> ips, Set<UUID> withMac, List<Merge> merges) {
        for (String ip : device.ips()) {
            Holder holder = ips.get(ip);
            if (holder != null && (device.usableMacs().isEmpty() || !withMac.contains(holder.canonical()))) {
                merges.add(new Merge(device.deviceId(), holder.canonical(), "ip", ip, null));
                return holder.canonical();
            }
        }
        return null;
    }

    private static void claim(String ip, UUID canonical, Instant at, Map<String, Holder> ips,
                              Map<String, IdentifierWrite> writes, Known known) {
        ips.put(ip, new Holder(canonical, at));
        writes.put(ip, new IdentifierWrite("ip", ip, canonical, at, known.ips().containsKey(ip)));
    }
}
