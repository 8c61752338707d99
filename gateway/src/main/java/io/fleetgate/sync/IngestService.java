package io.fleetgate.sync;

import io.fleetgate.availability.AvailabilityIndex;
import io.fleetgate.changes.ChangePublisher;
import io.fleetgate.error.DatabaseErrors;
import io.fleetgate.identity.IdentityResolver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Stores one batch in one transaction, in three steps: the device rows ({@link #rows}, concurrently
 * with other streams), identity ({@link #identity}: new rows take a provisional canonical id,
 * corrected only when they join an existing device), and what identity decided ({@link #record}:
 * corrections, merges, a change notification naming the agents whose sweep configs may differ,
 * the source's counters). Nothing of a batch is visible until it all committed.
 */
@Service
class IngestService {

    private static final int CONFLICT_RETRIES = 3;
    private static final Set<String> RETRIED_STATES = Set.of("40P01", "40001", FirstSyncGuesses.UNIQUE_VIOLATION);

    /** What a committed batch did to the stored rows (duplicates already collapsed), and the merges the guard refused. */
    record Stored(long created, long updated, List<IdentityResolver.Guarded> guarded) {
    }

    private final DeviceRepository repository;
    private final IdentityRepository identities;
    private final ChangePublisher changes;
    private final TransactionalOperator transaction;
    private final Clock clock;
    private final FirstSyncGuesses guesses;
    private final AvailabilityIndex availability;
    private final int mergeGuardMax;

    IngestService(DeviceRepository repository, IdentityRepository identities, ChangePublisher changes,
                  TransactionalOperator transaction, Clock clock, FirstSyncGuesses guesses, AvailabilityIndex availability,
                  IngestProperties properties) {
        this.repository = repository;
        this.availability = availability;
        this.mergeGuardMax = properties.mergeGuardMax();
        this.guesses = guesses;
        this.identities = identities;
        this.changes = changes;
        this.transaction = transaction;
        this.clock = clock;
    }

    /** Stores the batch {@code batchSeq} of a stream (the number goes into the merge records). */
    Mono<Stored> store(SourceInfo source, long batchSeq, List<ValidDevice> devices) {
        if (devices.isEmpty()) {
            return Mono.just(new Stored(0, 0, List.of()));
        }
        List<ValidDevice> byId = new ArrayList<>(devices);
        byId.sort(Comparator.comparing(ValidDevice::deviceId));
        return Mono.defer(() -> {
                    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS); // as PostgreSQL stores it
                    return rows(source, byId, now)
                            .flatMap(rows -> identity(source, devices, rows)
                                    .flatMap(resolution -> record(source, batchSeq, devices, rows, resolution, now)))
                            .as(transaction::transactional);
                })
                // concurrent batches may deadlock, or insert the same new identifier (see identity());
                // PostgreSQL aborts one, which starts over and then sees what the other stored
                .retryWhen(Retry.backoff(CONFLICT_RETRIES, Duration.ofMillis(20)).filter(IngestService::conflict)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    /**
     * What identity decided, stored: corrected canonical ids, merge records and the merges the
     * guard refused, the change notification for the agents concerned, and the source's counters.
     */
    private Mono<Stored> record(SourceInfo source, long batchSeq, List<ValidDevice> devices,
                                Map<String, DeviceRepository.StoredRow> rows, IdentityResolver.Resolution resolution, Instant now) {
        long created = rows.values().stream().filter(DeviceRepository.StoredRow::inserted).count();
        return repository.reassign(source, reassigned(rows, resolution))
                .then(identities.recordMerges(source, batchSeq, resolution.merges()))
                .then(identities.recordGuarded(source, batchSeq, resolution.guarded(), now))
                .then(availability.recompute(source.tenantId(), movedIps(resolution)))
                .then(SweepImpact.of(source, devices, rows, resolution).map(changes::publish).orElse(Mono.empty()))
                .then(repository.touchSource(source, created, now))
                .thenReturn(new Stored(created, rows.size() - created, resolution.guarded()));
    }

    /**
     * Stores the batch's device rows. A source in its first sync sends devices that are all new:
     * they are inserted as such, which costs PostgreSQL little more than a COPY; a unique violation
     * (a device stored already, or by a concurrent batch) returns to a savepoint and upserts. A
     * source whose guess failed upserts until a batch of it turns out to be all new again.
     */
    private Mono<Map<String, DeviceRepository.StoredRow>> rows(SourceInfo source, List<ValidDevice> devices, Instant now) {
        Mono<Map<String, DeviceRepository.StoredRow>> upsert = Mono.defer(() -> repository.upsert(source, devices, now)).doOnNext(rows -> {
            if (rows.values().stream().allMatch(DeviceRepository.StoredRow::inserted)) {
                guesses.nothingFound(FirstSyncGuesses.Kind.DEVICES, source.id());
            }
        });
        if (!guesses.worthGuessing(FirstSyncGuesses.Kind.DEVICES, source.id())) {
            return upsert;
        }
        return guesses.attempt(FirstSyncGuesses.Kind.DEVICES, source.id(), repository.insertNew(source, devices, now), upsert);
    }

    /**
     * Decides the canonical device of every device of the batch and stores the identifiers.
     * Devices already stored whose partition, IPs and MACs did not change have nothing to decide
     * (a re-sync costs no identity work). A batch of only new devices is first decided as if
     * none of its MACs and IPs were known (see {@link #firstSight}); any other batch, or one
     * whose guess was wrong, is decided under the partition lock on what is known.
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
            return Mono.just(IdentityResolver.Resolution.kept(kept));
        }
        Mono<IdentityResolver.Resolution> locked = Mono.defer(() -> locked(source, undecided, rows));
        boolean guess = allNew && guesses.worthGuessing(FirstSyncGuesses.Kind.IDENTIFIERS, source.id());
        return (guess ? firstSight(source, undecided, rows, locked) : locked).map(decided -> {
            kept.putAll(decided.canonicals());
            return new IdentityResolver.Resolution(kept, decided.writes(), decided.merges(), decided.previousHolders(), decided.guarded());
        });
    }

    /**
     * A batch of new devices, decided as if nobody held any of its MACs and IPs (a first sync):
     * then it can only create canonical devices and needs neither the lock nor a lookup. Inserting
     * its identifiers proves the guess; a unique violation on one (held already, or inserted by a
     * concurrent batch, whose commit the insert waits for) disproves it, and the batch is decided
     * again under the lock, from the savepoint before the insert. A source whose guess failed
     * (a second source's first sync, whose devices are mostly known) stops guessing until a
     * batch of it finds nothing known: each failed guess costs an insert and an error in the
     * database's log. Only a guess that merges devices of the batch with each other looks up
     * whether an operator kept any of them apart (a counterpart stored elsewhere holds its keys,
     * which the insert finds).
     */
    private Mono<IdentityResolver.Resolution> firstSight(SourceInfo source, List<ValidDevice> devices,
                                                        Map<String, DeviceRepository.StoredRow> rows,
                                                        Mono<IdentityResolver.Resolution> otherwise) {
        IdentityResolver.Resolution first = resolve(source, devices, rows, IdentityResolver.Known.NOTHING);
        Mono<IdentityResolver.Resolution> guessed = first.merges().isEmpty() ? Mono.just(first)
                : identities.keepApart(source, devices.stream().map(ValidDevice::deviceId).toList())
                        .map(apart -> apart.isEmpty() ? first : resolve(source, devices, rows, IdentityResolver.Known.NOTHING.withApart(apart)));
        return guesses.attempt(FirstSyncGuesses.Kind.IDENTIFIERS, source.id(), guessed.flatMap(decided ->
                identities.writeIdentifiers(source.tenantId(), source.partition(), decided.writes()).thenReturn(decided)), otherwise);
    }

    /** Decides under the partition lock from what is known of the batch's MACs and IPs. */
    private Mono<IdentityResolver.Resolution> locked(SourceInfo source, List<ValidDevice> devices,
                                                    Map<String, DeviceRepository.StoredRow> rows) {
        Set<String> macs = new LinkedHashSet<>();
        Set<String> ips = new LinkedHashSet<>();
        devices.forEach(device -> {
            macs.addAll(device.usableMacs());
            ips.addAll(device.ips());
        });
        return identities.lockPartition(source.tenantId(), source.partition())
                .then(identities.known(source, devices.stream().map(ValidDevice::deviceId).toList(), macs, ips))
                .map(known -> {
                    if (known.macs().isEmpty() && known.ips().isEmpty()) {
                        guesses.nothingFound(FirstSyncGuesses.Kind.IDENTIFIERS, source.id());
                    }
                    return resolve(source, devices, rows, known);
                })
                .flatMap(decided -> identities.writeIdentifiers(source.tenantId(), source.partition(), decided.writes())
                        .thenReturn(decided));
    }

    /** Deadlock, serialization failure or unique violation: the batch lost a race and can start over. */
    private static boolean conflict(Throwable error) {
        return RETRIED_STATES.contains(DatabaseErrors.sqlState(error));
    }

    private IdentityResolver.Resolution resolve(SourceInfo source, List<ValidDevice> devices,
                                                Map<String, DeviceRepository.StoredRow> rows, IdentityResolver.Known known) {
        List<IdentityResolver.Candidate> candidates = new ArrayList<>(devices.size());
        for (ValidDevice device : devices) {
            DeviceRepository.StoredRow row = rows.get(device.deviceId());
            // identity is per partition: a device whose source moved partitions is resolved afresh there
            boolean keeps = !row.inserted() && (row.previous() == null || row.previous().partition().equals(source.partition()));
            candidates.add(new IdentityResolver.Candidate(device.deviceId(), device.usableMacs(), device.ips(), row.firstSeen(),
                    keeps ? row.canonical() : null, row.canonical()));
        }
        return IdentityResolver.resolve(candidates, known, mergeGuardMax);
    }

    /**
     * The devices an IP moved between (rare: a newer device took it): what agents see of each
     * may change, since availability follows the IPs a device holds.
     */
    private static Set<UUID> movedIps(IdentityResolver.Resolution resolution) {
        if (resolution.previousHolders().isEmpty()) {
            return Set.of();
        }
        Set<UUID> devices = new java.util.HashSet<>(resolution.previousHolders());
        resolution.merges().stream().filter(merge -> merge.reason().equals("ip_moved")).forEach(merge -> devices.add(merge.canonical()));
        return devices;
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
}
