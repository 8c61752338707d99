package io.fleetgate.device;

import io.fleetgate.identity.MacAddresses;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What splitting one source record out of a canonical device changes, decided before anything is
 * written. Pure.
 *
 * <ul>
 *   <li>The record must be one of the device's, and the device must keep at least one other.</li>
 *   <li>Identifiers (usable MACs and IPs) only the split record reports follow it; those the
 *       remaining records report too stay with the device: a MAC both claim is most likely the
 *       remaining device's, wrongly reported by the record (an agent's MAC on a device it polled).</li>
 *   <li>The record is kept apart from every remaining record, so identity never joins them again.</li>
 * </ul>
 */
record UnmergePlan(UnmergeRepository.Member split, List<UnmergeRepository.Member> remaining, List<String> kinds, List<String> values) {

    /** Why a split cannot be made as asked. */
    enum Refusal { NOT_A_RECORD_OF_THE_DEVICE, ONLY_RECORD }

    static final class Refused extends RuntimeException {
        final Refusal refusal;

        Refused(Refusal refusal) {
            super(refusal.name(), null, false, false);
            this.refusal = refusal;
        }
    }

    static UnmergePlan of(List<UnmergeRepository.Member> members, UUID record) {
        UnmergeRepository.Member split = members.stream().filter(m -> m.id().equals(record)).findFirst()
                .orElseThrow(() -> new Refused(Refusal.NOT_A_RECORD_OF_THE_DEVICE));
        List<UnmergeRepository.Member> remaining = members.stream().filter(m -> !m.id().equals(record)).toList();
        if (remaining.isEmpty()) {
            throw new Refused(Refusal.ONLY_RECORD);
        }
        Set<String> shared = new HashSet<>();
        for (UnmergeRepository.Member other : remaining) {
            if (other.partition().equals(split.partition())) {
                other.macs().forEach(mac -> shared.add("mac " + mac));
                other.ips().forEach(ip -> shared.add("ip " + ip));
            }
        }
        List<String> kinds = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (String mac : split.macs()) {
            if (MacAddresses.usable(mac) && !shared.contains("mac " + mac)) {
                kinds.add("mac");
                values.add(mac);
            }
        }
        for (String ip : split.ips()) {
            if (!shared.contains("ip " + ip)) {
                kinds.add("ip");
                values.add(ip);
            }
        }
        return new UnmergePlan(split, remaining, List.copyOf(kinds), List.copyOf(values));
    }

    /** Agents whose sweep configs may change: those of every record of the device before the split. */
    List<String> agents() {
        Set<String> agents = new java.util.TreeSet<>();
        if (split.agent() != null) {
            agents.add(split.agent());
        }
        remaining.forEach(member -> {
            if (member.agent() != null) {
                agents.add(member.agent());
            }
        });
        return List.copyOf(agents);
    }
}
