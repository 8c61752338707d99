package io.fleetgate.availability;

import io.fleetgate.concurrency.GroupCommit;
import io.fleetgate.error.DatabaseErrors;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Stores agents' results batches, each wholly or not at all: each host's observation unless the
 * agent already sent a newer one (a replayed or late batch changes nothing), its state by
 * {@link FlapDamping}, the transitions, the agent's sweep, what a completed sweep no longer saw,
 * and the availability of the devices whose IPs changed state. Batches that arrive while others
 * are being stored share the next transaction ({@link GroupCommit}): a fleet's many small batches
 * then cost one round of statements and one commit per group rather than per batch. Nothing of a
 * batch is visible, and no batch is acknowledged, until its group committed.
 */
@Service
class ResultsService {

    private static final Set<String> RETRIED_STATES = Set.of("40P01", "40001");

    /** One agent's batch, checked. */
    record Batch(UUID tenant, String agent, @Nullable String configVersion, boolean complete, HostResults.Outcome outcome) {
    }

    /** What a committed batch did: observations written (replays write none), transitions, hosts that answered; the tenant's slug. */
    record Stored(int written, int transitions, int answered, int silent, String tenantSlug) {
    }

    private final ResultsRepository repository;
    private final AvailabilityIndex availability;
    private final TransactionalOperator transaction;
    private final Clock clock;
    private final int downAfter;
    private final GroupCommit<Batch, Stored> groups;

    ResultsService(ResultsRepository repository, AvailabilityIndex availability, TransactionalOperator transaction, Clock clock,
                   AvailabilityProperties availabilityProperties, ResultsProperties properties) {
        this.repository = repository;
        this.availability = availability;
        this.transaction = transaction;
        this.clock = clock;
        this.downAfter = availabilityProperties.downAfter();
        // a group weighs its hosts, up to one full batch's worth; one agent's batches are stored one after another
        this.groups = new GroupCommit<>(this::storeGroup, batch -> batch.outcome().accepted().size(), properties.maxHostsPerBatch(),
                batch -> new Agent(batch.tenant(), batch.agent()), properties.writers());
    }

    private record Agent(UUID tenant, String agent) {
    }

    /** The batch stored, in the next group that takes it. */
    Mono<Stored> store(Batch batch) {
        return groups.submit(batch);
    }

    /** Batches waiting for a transaction (a gauge). */
    int waiting() {
        return groups.waiting();
    }

    /** One transaction for the group; each batch's outcome in their order. */
    private Mono<List<Stored>> storeGroup(List<Batch> batches) {
        List<ResultsRepository.Host> hosts = new ArrayList<>();
        for (Batch batch : batches) {
            batch.outcome().accepted().forEach(host -> hosts.add(new ResultsRepository.Host(batch.tenant(), batch.agent(), host.ip())));
        }
        return Mono.defer(() -> repository.stored(hosts)
                        .flatMap(stored -> {
                            List<ResultsRepository.Sweep> sweeps = batches.stream().map(batch -> sweep(batch, stored)).toList();
                            List<ResultsRepository.Sweep> completed = sweeps.stream().filter(ResultsRepository.Sweep::complete).toList();
                            Set<UUID> tenants = new LinkedHashSet<>();
                            batches.forEach(batch -> tenants.add(batch.tenant()));
                            return repository.write(sweeps)
                                    .then(repository.transitions(sweeps))
                                    .then(repository.sweeps(sweeps, clock.instant()))
                                    .then(repository.forgetUnswept(completed))
                                    .flatMap(gone -> recompute(sweeps, gone))
                                    .then(repository.slugs(tenants))
                                    .map(slugs -> sweeps.stream().map(sweep -> outcome(sweep, slugs.getOrDefault(sweep.tenant(), ""))).toList());
                        })
                        .as(transaction::transactional))
                // two replicas' streams of one agent may deadlock on its rows: one starts over
                .retryWhen(Retry.backoff(3, Duration.ofMillis(20)).filter(error -> RETRIED_STATES.contains(DatabaseErrors.sqlState(error)))
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    /** The devices' availability, per tenant, where a host's state changed or a decided host was forgotten. */
    private Mono<Void> recompute(List<ResultsRepository.Sweep> sweeps, List<ResultsRepository.Host> gone) {
        Map<UUID, Set<String>> changed = new LinkedHashMap<>();
        gone.forEach(host -> changed.computeIfAbsent(host.tenant(), t -> new LinkedHashSet<>()).add(host.ip()));
        for (ResultsRepository.Sweep sweep : sweeps) {
            sweep.writes().stream().filter(write -> write.next().transition())
                    .forEach(write -> changed.computeIfAbsent(sweep.tenant(), t -> new LinkedHashSet<>()).add(write.ip()));
        }
        return Flux.fromIterable(changed.entrySet()).concatMap(tenant -> availability.recomputeIps(tenant.getKey(), tenant.getValue())).then();
    }

    private static Stored outcome(ResultsRepository.Sweep sweep, String slug) {
        int answered = sweep.answered();
        int transitions = (int) sweep.writes().stream().filter(write -> write.next().transition()).count();
        return new Stored(sweep.writes().size(), transitions, answered, sweep.writes().size() - answered, slug);
    }

    /** The batch's sweep: the hosts whose observation is newer than the stored one, each with its next state. */
    private ResultsRepository.Sweep sweep(Batch batch, Map<ResultsRepository.Host, ResultsRepository.Stored> stored) {
        HostResults.Outcome outcome = batch.outcome();
        Instant started = outcome.sweepStartedAt().truncatedTo(ChronoUnit.MICROS);
        List<ResultsRepository.Write> writes = new ArrayList<>(outcome.accepted().size());
        for (HostResults.Accepted host : outcome.accepted()) {
            ResultsRepository.Stored before = stored.get(new ResultsRepository.Host(batch.tenant(), batch.agent(), host.ip()));
            Instant observed = host.observedAt().truncatedTo(ChronoUnit.MICROS);
            if (before != null && !newer(started, observed, before)) {
                continue;
            }
            FlapDamping.Next next = FlapDamping.next(before == null ? null : before.observed(), host.answered(), observed, downAfter);
            var result = host.result();
            writes.add(new ResultsRepository.Write(host.ip(), result.getIcmpAvailable(),
                    result.getIcmpRttUs() == 0 ? null : result.getIcmpRttUs(), List.copyOf(result.getOpenPortsList()),
                    List.copyOf(result.getClosedPortsList()), List.copyOf(result.getFilteredPortsList()), observed, host.answered(), next));
        }
        return new ResultsRepository.Sweep(batch.tenant(), batch.agent(), batch.configVersion(), started, batch.complete(), writes);
    }

    /** A later sweep, or a later observation within the same sweep. */
    private static boolean newer(Instant started, Instant observed, ResultsRepository.Stored before) {
        int bySweep = started.compareTo(before.sweepStartedAt());
        return bySweep > 0 || bySweep == 0 && observed.isAfter(before.observedAt());
    }
}
