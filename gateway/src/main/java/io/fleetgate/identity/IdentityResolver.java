package io.fleetgate.identity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
 *   <li>A device never joins a canonical device it is kept apart from ({@link KeepApart}: an
 *       operator split them), whatever key they share; it tries its other keys, or is new.</li>
 *   <li>Merge guard: when a batch's merges would join more than {@code guardMax} previously
 *       distinct devices into one, the keys that did it are used by nobody in the batch (neither
 *       to join nor to claim): those devices stay apart, and the resolution says which keys were
 *       {@link Guarded}. One agent MAC on hundreds of devices is a data problem, not a device.</li>
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

    /**
     * Devices of the batch an operator split from others (by device id): the canonical devices
     * their counterparts are stored in now, and counterparts of the same source by device id
     * (they may be in this very batch).
     */
    public record KeepApart(Map<String, Set<UUID>> canonicals, Map<String, Set<String>> devices) {

        public static final KeepApart NONE = new KeepApart(Map.of(), Map.of());

        public boolean isEmpty() {
            return canonicals.isEmpty() && devices.isEmpty();
        }

        /** Whether the device may not join that canonical device, given what the batch decided so far. */
        boolean forbids(String deviceId, UUID canonical, Map<String, UUID> decided) {
            if (canonicals.getOrDefault(deviceId, Set.of()).contains(canonical)) {
                return true;
            }
            for (String other : devices.getOrDefault(deviceId, Set.of())) {
                if (canonical.equals(decided.get(other))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** What is already known in the tenant's partition about the batch's MACs and IPs, and who is kept apart. */
    public record Known(Map<String, UUID> macs, Map<String, Holder> ips, Set<UUID> canonicalsWithUsableMac, KeepApart apart) {

        /** Nobody holds any of the batch's MACs and IPs. */
        public static final Known NOTHING = new Known(Map.of(), Map.of(), Set.of());

        public Known(Map<String, UUID> macs, Map<String, Holder> ips, Set<UUID> canonicalsWithUsableMac) {
            this(macs, ips, canonicalsWithUsableMac, KeepApart.NONE);
        }

        public Known withApart(KeepApart keepApart) {
            return new Known(macs, ips, canonicalsWithUsableMac, keepApart);
        }
    }

    /**
     * A key the merge guard kept from merging: through it (and the batch's other keys into the
     * same device) {@code devices} previously distinct devices would have become {@code canonical}.
     */
    public record Guarded(String kind, String key, UUID canonical, int devices) {
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
                             Set<UUID> previousHolders, List<Guarded> guarded) {

        /** Devices that all keep the canonical device they have: nothing written, nothing merged. */
        public static Resolution kept(Map<String, UUID> canonicals) {
            return new Resolution(canonicals, List.of(), List.of(), Set.of(), List.of());
        }
    }

    /** Keys the guard took out of identity for a batch: usable by nobody of it. */
    private record Blocked(Set<String> macs, Set<String> ips) {
    }

    private IdentityResolver() {
    }

    /** Resolution without a merge guard. */
    public static Resolution resolve(List<Candidate> batch, Known known) {
        return resolve(batch, known, Integer.MAX_VALUE);
    }

    /**
     * Resolves the batch; while some canonical device would take in more than {@code guardMax}
     * previously distinct devices, the keys of those merges are blocked and the batch resolved
     * again (each round blocks at least one more key, so it ends).
     */
    public static Resolution resolve(List<Candidate> batch, Known known, int guardMax) {
        Blocked blocked = new Blocked(new HashSet<>(), new HashSet<>());
        List<Guarded> guarded = new ArrayList<>();
        while (true) {
            Resolution resolution = resolveOnce(batch, known, blocked);
            Map<UUID, List<Merge>> joins = new LinkedHashMap<>();
            for (Merge merge : resolution.merges()) {
                if (!merge.reason().equals("ip_moved")) {
                    joins.computeIfAbsent(merge.canonical(), c -> new ArrayList<>()).add(merge);
                }
            }
            boolean blockedMore = false;
            for (Map.Entry<UUID, List<Merge>> join : joins.entrySet()) {
                int devices = join.getValue().size() + 1; // the devices that joined, and the one they joined
                if (devices <= guardMax) {
                    continue;
                }
                Set<String> keys = new LinkedHashSet<>();
                for (Merge merge : join.getValue()) {
                    if (keys.add(merge.reason() + " " + merge.key())) {
                        (merge.reason().equals("mac") ? blocked.macs() : blocked.ips()).add(merge.key());
                        guarded.add(new Guarded(merge.reason(), merge.key(), join.getKey(), devices));
                    }
                }
                blockedMore = true;
            }
            if (!blockedMore) {
                return guarded.isEmpty() ? resolution : new Resolution(resolution.canonicals(), resolution.writes(),
                        resolution.merges(), resolution.previousHolders(), List.copyOf(guarded));
            }
        }
    }

    private static Resolution resolveOnce(List<Candidate> batch, Known known, Blocked blocked) {
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
                canonical = joinByMac(device, macs, merges, known.apart(), canonicals, blocked);
            }
            if (canonical == null) {
                canonical = joinByIp(device, ips, withMac, merges, known.apart(), canonicals, blocked);
            }
            if (canonical == null) {
                canonical = device.provisionalCanonical();
            }
            canonicals.put(device.deviceId(), canonical);

            for (String mac : device.usableMacs()) {
                if (!macs.containsKey(mac) && !blocked.macs().contains(mac)) {
                    macs.put(mac, canonical);
                    macWrites.add(new IdentifierWrite("mac", mac, canonical, device.firstSeen(), false));
                }
            }
            if (!device.usableMacs().isEmpty()) {
                withMac.add(canonical);
            }
            for (String ip : device.ips()) {
                if (blocked.ips().contains(ip)) {
                    continue;
                }
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
        return new Resolution(canonicals, writes, merges, previousHolders, List.of());
    }

    private static UUID joinByMac(Candidate device, Map<String, UUID> macs, List<Merge> merges, KeepApart apart,
                                  Map<String, UUID> decided, Blocked blocked) {
        for (String mac : device.usableMacs()) {
            UUID holder = blocked.macs().contains(mac) ? null : macs.get(mac);
            if (holder != null && !apart.forbids(device.deviceId(), holder, decided)) {
                merges.add(new Merge(device.deviceId(), holder, "mac", mac, null));
                return holder;
            }
        }
        return null;
    }

    private static UUID joinByIp(Candidate device, Map<String, Holder> ips, Set<UUID> withMac, List<Merge> merges, KeepApart apart,
                                 Map<String, UUID> decided, Blocked blocked) {
        for (String ip : device.ips()) {
            Holder holder = blocked.ips().contains(ip) ? null : ips.get(ip);
            if (holder != null && (device.usableMacs().isEmpty() || !withMac.contains(holder.canonical()))
                    && !apart.forbids(device.deviceId(), holder.canonical(), decided)) {
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
