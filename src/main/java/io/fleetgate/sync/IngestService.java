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
 * other streams; identity is then decided under a per-partition lock (new rows take a
 * provisional canonical id, corrected only when they join an existing device), followed by one
 * statement each for identifiers and merges, and a change notification naming the agents whose
 * sweep configs may differ. Nothing of a batch is visible until it all committed.
 */
@Service
class IngestService {

    private static final int DEADLOCK_RETRIES = 3;

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
        Set<String> macs = new LinkedHashSet<>();
        Set<String> ips = new LinkedHashSet<>();
        devices.forEach(device -> {
            macs.addAll(device.usableMacs());
            ips.addAll(device.ips());
        });
        return Mono.defer(() -> {
                    Instant now = clock.instant();
                    return repository.upsert(source, byId, now)
                            .flatMap(rows -> repository.lockPartition(source.tenantId(), source.partition())
                                    .then(repository.known(source.tenantId(), source.partition(), macs, ips))
                                    .map(known -> resolve(source, devices, rows, known))
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
                // concurrent batches touching the same rows may deadlock; PostgreSQL aborts one, which starts over
                .retryWhen(Retry.backoff(DEADLOCK_RETRIES, Duration.ofMillis(20)).filter(IngestService::deadlock)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    private static boolean deadlock(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof R2dbcException r2dbc && r2dbc.getSqlState() != null
                    && (r2dbc.getSqlState().equals("40P01") || r2dbc.getSqlState().equals("40001"))) {
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
