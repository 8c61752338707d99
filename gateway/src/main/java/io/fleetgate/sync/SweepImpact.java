package io.fleetgate.sync;

import io.fleetgate.changes.Change;
import io.fleetgate.identity.IdentityResolver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Which sweep configs a stored batch may have changed, so that only their agents' cached configs
 * are dropped. A device counts when it is new or changed what a sweep target is made of (IPs,
 * ports, hostname, agent, canonical device); both its agent and, when the device moved, its
 * previous one. An IP taken from another device changes that device's agents too, which the batch
 * does not know: then the whole tenant. Pure.
 */
final class SweepImpact {

    private SweepImpact() {
    }

    static Optional<Change> of(SourceInfo source, List<ValidDevice> devices, Map<String, DeviceRepository.StoredRow> rows,
                               IdentityResolver.Resolution resolution) {
        if (!resolution.previousHolders().isEmpty()) {
            return Optional.of(new Change.TenantChanged(source.tenantId()));
        }
        Set<String> agents = new TreeSet<>();
        for (ValidDevice device : devices) {
            ExistingDevice previous = rows.get(device.deviceId()).previous();
            UUID canonical = resolution.canonicals().get(device.deviceId());
            if (previous != null && !previous.sweepChangedBy(device, canonical)) {
                continue;
            }
            add(agents, device.agentUid(), source);
            if (previous != null) {
                add(agents, previous.agentUid(), source);
            }
        }
        return agents.isEmpty() ? Optional.empty() : Optional.of(new Change.AgentsChanged(source.tenantId(), List.copyOf(agents)));
    }

    /** A device without its own agent is swept by its source's default agent, if it has one. */
    private static void add(Set<String> agents, @Nullable String deviceAgent, SourceInfo source) {
        String agent = deviceAgent != null ? deviceAgent : source.defaultAgentUid();
        if (agent != null) {
            agents.add(agent);
        }
    }
}
