package io.fleetgate.agent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The agents summary of each scope (one tenant, or every tenant), counted at most once per
 * {@code maxAge}: a count computes every agent's status (a quarter of a second at 100,000 agents)
 * and the Agents page asks again on every live update. A count older than {@code maxAge} is still
 * answered while one new count runs in the background; one older than twice that (nobody asked
 * for a while) is counted again before answering. Callers that arrive during a count share it,
 * and a count that fails is not kept.
 */
final class SummarySnapshots {

    private static final Logger log = LoggerFactory.getLogger(SummarySnapshots.class);

    private final Map<Optional<UUID>, AgentSummary> counted = new ConcurrentHashMap<>();
    private final Map<Optional<UUID>, Mono<AgentSummary>> counting = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration maxAge;

    SummarySnapshots(Clock clock, Duration maxAge) {
        this.clock = clock;
        this.maxAge = maxAge;
    }

    /** The scope's summary, from {@code count} (given the instant to compute the statuses for) when none is recent enough. */
    Mono<AgentSummary> get(@Nullable UUID tenant, Function<Instant, Mono<AgentSummary>> count) {
        Optional<UUID> scope = Optional.ofNullable(tenant);
        Instant now = clock.instant();
        AgentSummary last = counted.get(scope);
        if (last != null && youngerThan(last, maxAge, now)) {
            return Mono.just(last);
        }
        Mono<AgentSummary> recount = counting.computeIfAbsent(scope, key -> Mono.defer(() -> count.apply(clock.instant()))
                .doOnNext(summary -> counted.put(key, summary))
                .doFinally(signal -> counting.remove(key))
                .cache());
        if (last != null && youngerThan(last, maxAge.multipliedBy(2), now)) {
            recount.subscribe(summary -> { }, error -> log.debug("Counting the agents summary failed, the last count stays", error));
            return Mono.just(last);
        }
        return recount;
    }

    /** A count from the future (the clock was set back) is not young: it is counted again. */
    private static boolean youngerThan(AgentSummary summary, Duration age, Instant now) {
        return !now.isBefore(summary.countedAt()) && now.isBefore(summary.countedAt().plus(age));
    }
}
