package io.fleetgate.availability;

import io.fleetgate.error.DatabaseErrors;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Stores one batch of an agent's results in one transaction: each host's observation unless the
 * agent already sent a newer one (a replayed or late batch changes nothing), its state by
 * {@link FlapDamping}, the transitions, the agent's sweep, what a completed sweep no longer saw,
 * and the availability of the devices whose IPs changed state. Nothing of a batch is visible until
 * it all committed.
 */
@Service
class ResultsService {

    private static final Set<String> RETRIED_STATES = Set.of("40P01", "40001");

    /** What a committed batch did: observations written (replays write none), transitions, hosts that answered; the tenant's slug. */
    record Stored(int written, int transitions, int answered, int silent, String tenantSlug) {
    }

    private final ResultsRepository repository;
    private final AvailabilityIndex availability;
    private final TransactionalOperator transaction;
    private final Clock clock;
    private final int downAfter;

    ResultsService(ResultsRepository repository, AvailabilityIndex availability, TransactionalOperator transaction, Clock clock,
                   AvailabilityProperties properties) {
        this.repository = repository;
        this.availability = availability;
        this.transaction = transaction;
        this.clock = clock;
        this.downAfter = properties.downAfter();
    }

    Mono<Stored> store(UUID tenant, String agent, @Nullable String configVersion, boolean complete, HostResults.Outcome outcome) {
        List<String> ips = outcome.accepted().stream().map(HostResults.Accepted::ip).toList();
        Instant started = outcome.sweepStartedAt().truncatedTo(ChronoUnit.MICROS);
        return Mono.defer(() -> repository.stored(tenant, agent, ips)
                        .flatMap(stored -> {
                            List<ResultsRepository.Write> writes = writes(outcome, stored, started);
                            int answered = (int) writes.stream().filter(ResultsRepository.Write::answered).count();
                            Instant now = clock.instant();
                            return repository.write(tenant, agent, configVersion, started, writes)
                                    .then(repository.transitions(tenant, agent, writes))
                                    .then(repository.sweep(tenant, agent, configVersion, started, writes.size(), answered, complete, now))
                                    .flatMap(slug -> (complete ? repository.forgetUnswept(tenant, agent, started) : Mono.just(List.<String>of()))
                                            .flatMap(gone -> {
                                                Set<String> changed = new LinkedHashSet<>(gone);
                                                writes.stream().filter(write -> write.next().transition()).forEach(write -> changed.add(write.ip()));
                                                return availability.recomputeIps(tenant, changed).thenReturn(new Stored(writes.size(),
                                                        (int) writes.stream().filter(write -> write.next().transition()).count(), answered,
                                                        writes.size() - answered, slug));
                                            }));
                        })
                        .as(transaction::transactional))
                // two replicas' streams of one agent may deadlock on its rows: one starts over
                .retryWhen(Retry.backoff(3, Duration.ofMillis(20)).filter(error -> RETRIED_STATES.contains(DatabaseErrors.sqlState(error)))
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    /** The hosts whose observation is newer than the stored one, each with its next state. */
    private List<ResultsRepository.Write> writes(HostResults.Outcome outcome, Map<String, ResultsRepository.Stored> stored, Instant started) {
        List<ResultsRepository.Write> writes = new ArrayList<>(outcome.accepted().size());
        for (HostResults.Accepted host : outcome.accepted()) {
            ResultsRepository.Stored before = stored.get(host.ip());
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
        return writes;
    }

    /** A later sweep, or a later observation within the same sweep. */
    private static boolean newer(Instant started, Instant observed, ResultsRepository.Stored before) {
        int bySweep = started.compareTo(before.sweepStartedAt());
        return bySweep > 0 || bySweep == 0 && observed.isAfter(before.observedAt());
    }
}
