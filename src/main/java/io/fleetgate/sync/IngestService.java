package io.fleetgate.sync;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.ChangePublisher;
import io.fleetgate.identity.IdentityResolver;
import io.r2dbc.spi.R2dbcException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Stores one batch in one transaction. The device rows are upserted first, concurrently with
 * other streams; identity is then decided (see {@link #identity}; new rows take a provisional
 * canonical id, corrected only when they join an existing device), followed by one statement
 * each for identifiers and merges, and a change notification naming the agents whose sweep
 * configs may differ. Nothing of a batch is visible until it all committed.
 */
@Service
class IngestService {

    private static final int CONFLICT_RETRIES = 3;
    private static final Set<String> RETRIED_STATES = Set.of("40P01", "40001", "23505");

    /** What a committed batch did to the stored rows (duplicates already collapsed). */
    record Stored(long created, long updated) {
    }

    private final DeviceRepository repository;
    private final ChangePublisher changes;
    private final TransactionalOperator transaction;
    private final Clock clock;

    IngestService(DeviceRepository repository, ChangePublisher changes, TransactionalOperator transaction, Clock clock) {
        this.repository = repository;
        this.changes = changes;
        this.transaction = transaction;
        this.clock = clock;
    }

    Mono<Stored> store(SourceInfo source, List<ValidDevice> devices) {
        if (devices.isEmpty()) {
            return Mono.just(new Stored(0, 0));
        }
        List<ValidDevice> byId = new ArrayList<>(devices);
        byId.sort(Comparator.comparing(ValidDevice::deviceId));
        return Mono.defer(() -> {
                    Instant now = clock.instant();
                    return repository.upsert(source, byId, now)
                            .flatMap(rows -> identity(source, devices, rows)
                                    .flatMap(resolution -> repository.reassign(source, reassigned(rows, resolution))
                                            .then(repository.writeIdentifiers(source.tenantId(), source.partition(), resolution.writes()))
                                            .then(repository.recordMerges(source, resolution.merges()))
                                            .then(announce(source, devices, rows, resolution))
                                            .then(Mono.defer(() -> {
                                                long created = rows.values().stream().filter(DeviceRepository.StoredRow::inserted).count();
                                                return repository.touchSource(source.id(), created, now)
                                                        .thenReturn(new Stored(created, rows.size() - created));
                                            }))))
                            .as(transaction::transactional);
                })
                // concurrent batches may deadlock, or insert the same new identifier (see identity());
                // PostgreSQL aborts one, which starts over and then sees what the other stored
                .retryWhen(Retry.backoff(CONFLICT_RETRIES, Duration.ofMillis(20)).filter(IngestService::conflict)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    /**
     * Decides the canonical device of every device of the batch. Devices already stored whose
     * partition, IPs and MACs did not change have nothing to decide (a re-sync costs no identity
     * work). The rest are decided under the partition lock, except a batch of only new devices
     * none of whose MACs and IPs are known yet (a first sync): it can only create canonical
     * devices, so it needs no lock; a concurrent batch claiming one of its identifiers makes one
     * of the two fail on the identifier's primary key, and that one is retried.
     */
    private Mono<IdentityResolver.Resolution> identity(SourceInfo source, List<ValidDevice> devices,
                                                      Map<String, DeviceRepository.StoredRow> rows) {
        List<ValidDevice> undecided = new ArrayList<>(devices.size());
        Map<String, UUID> kept = new HashMap<>();
        boolean allNew = true;
        for (ValidDevice device : devices) {
            DeviceRepository.StoredRow row = rows.get(device.deviceId());
            allNew &= row.inserted();
            if (row.previous() != null && row.previous().sameIdentity(device, source.partition())) {
                kept.put(device.deviceId(), row.canonical());
            } else {
                undecided.add(device);
            }
        }
        if (undecided.isEmpty()) {
            return Mono.just(new IdentityResolver.Resolution(kept, List.of(), List.of(), Set.of()));
        }
        Set<String> macs = new LinkedHashSet<>();
        Set<String> ips = new LinkedHashSet<>();
        undecided.forEach(device -> {
            macs.addAll(device.usableMacs());
            ips.addAll(device.ips());
        });
        Mono<IdentityResolver.Known> locked = repository.lockPartition(source.tenantId(), source.partition())
                .then(repository.known(source.tenantId(), source.partition(), macs, ips));
        Mono<IdentityResolver.Known> known = allNew
                ? repository.known(source.tenantId(), source.partition(), macs, ips).flatMap(found -> found.isEmpty() ? Mono.just(found) : locked)
                : locked;
        return known.map(found -> {
            IdentityResolver.Resolution decided = resolve(source, undecided, rows, found);
            kept.putAll(decided.canonicals());
            return new IdentityResolver.Resolution(kept, decided.writes(), decided.merges(), decided.previousHolders());
        });
    }

    /** Deadlock, serialization failure or unique violation: the batch lost a race and can start over. */
    private static boolean conflict(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof R2dbcException r2dbc && r2dbc.getSqlState() != null
                    && RETRIED_STATES.contains(r2dbc.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    private static IdentityResolver.Resolution resolve(SourceInfo source, List<ValidDevice> devices,
                                                       Map<String, DeviceRepository.StoredRow> rows, IdentityResolver.Known known) {
        List<IdentityResolver.Candidate> candidates = new ArrayList<>(devices.size());
        for (ValidDevice device : devices) {
            DeviceRepository.StoredRow row = rows.get(device.deviceId());
            // identity is per partition: a device whose source moved partitions is resolved afresh there
            boolean keeps = !row.inserted() && (row.previous() == null || row.previous().partition().equals(source.partition()));
            candidates.add(new IdentityResolver.Candidate(device.deviceId(), device.usableMacs(), device.ips(), row.firstSeen(),
                    keeps ? row.canonical() : null, row.canonical()));
        }
        return IdentityResolver.resolve(candidates, known);
    }

    /** Devices whose canonical id identity changed from what the upsert stored. */
    private static Map<String, UUID> reassigned(Map<String, DeviceRepository.StoredRow> rows, IdentityResolver.Resolution resolution) {
        Map<String, UUID> changed = new HashMap<>();
        resolution.canonicals().forEach((deviceId, canonical) -> {
            if (!rows.get(deviceId).canonical().equals(canonical)) {
                changed.put(deviceId, canonical);
            }
        });
        return changed;
    }

    /** Publishes (at commit) the agents whose sweep configs this batch may have changed. */
    private Mono<Void> announce(SourceInfo source, List<ValidDevice> devices, Map<String, DeviceRepository.StoredRow> rows,
                                IdentityResolver.Resolution resolution) {
        Set<String> agents = new TreeSet<>();
        boolean wholeTenant = !resolution.previousHolders().isEmpty(); // an IP moved away from another device: its agents are not at hand
        for (ValidDevice device : devices) {
            ExistingDevice previous = rows.get(device.deviceId()).previous();
            UUID canonical = resolution.canonicals().get(device.deviceId());
            if (previous != null && !previous.sweepChangedBy(device, canonical, source.id())) {
                continue;
            }
            addAgent(agents, device.agentUid(), source);
            if (previous != null) {
                addAgent(agents, previous.agentUid(), source);
                wholeTenant |= !previous.sourceId().equals(source.id()); // the old source's default agent is not at hand
            }
        }
        if (wholeTenant) {
            return changes.publish(new Change.TenantChanged(source.tenantId()));
        }
        return agents.isEmpty() ? Mono.empty() : changes.publish(new Change.AgentsChanged(source.tenantId(), List.copyOf(agents)));
    }

    private static void addAgent(Set<String> agents, String deviceAgent, SourceInfo source) {
        String agent = deviceAgent != null ? deviceAgent : source.defaultAgentUid();
        if (agent != null) {
            agents.add(agent);
        }
    }
}
