package io.fleetgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetgate.test.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** When the agents summary is counted again, and what callers get meanwhile. */
class SummarySnapshotsTest {

    private static final Duration MAX_AGE = Duration.ofSeconds(5);
    private static final UUID TENANT = UUID.randomUUID();

    private final MutableClock clock = new MutableClock();
    private final SummarySnapshots snapshots = new SummarySnapshots(clock, MAX_AGE);
    private final AtomicInteger counts = new AtomicInteger();

    /** Each count says how many agents it found: the number of counts so far. */
    private final Function<Instant, Mono<AgentSummary>> count = at -> Mono.fromSupplier(() -> summary(at, counts.incrementAndGet()));

    @Test
    void aCountYoungerThanTheMaxAgeIsAnsweredAsItIs() {
        assertThat(agents(snapshots.get(TENANT, count))).isEqualTo(1);
        clock.advance(MAX_AGE.minusMillis(1));
        assertThat(agents(snapshots.get(TENANT, count))).isEqualTo(1);
        assertThat(counts).hasValue(1);
    }

    @Test
    void eachScopeIsCountedOnItsOwn() {
        assertThat(agents(snapshots.get(TENANT, count))).isEqualTo(1);
        assertThat(agents(snapshots.get(null, count))).isEqualTo(2);
        assertThat(agents(snapshots.get(UUID.randomUUID(), count))).isEqualTo(3);
        assertThat(agents(snapshots.get(TENANT, count))).isEqualTo(1);
    }

    @Test
    void anOlderCountIsAnsweredWhileANewOneRunsAndTheNextCallerGetsTheNewOne() {
        snapshots.get(TENANT, count).block();
        clock.advance(MAX_AGE.plusSeconds(1));
        assertThat(agents(snapshots.get(TENANT, count))).as("the last count, at once").isEqualTo(1);
        assertThat(counts).as("counted again meanwhile").hasValue(2);
        assertThat(agents(snapshots.get(TENANT, count))).isEqualTo(2);
    }

    @Test
    void aCountOlderThanTwiceTheMaxAgeIsCountedAgainBeforeAnswering() {
        snapshots.get(TENANT, count).block();
        clock.advance(MAX_AGE.multipliedBy(2));
        assertThat(agents(snapshots.get(TENANT, count))).isEqualTo(2);
    }

    @Test
    void callersDuringACountShareIt() {
        Sinks.One<AgentSummary> held = Sinks.one();
        AtomicInteger started = new AtomicInteger();
        Function<Instant, Mono<AgentSummary>> slow = at -> {
            started.incrementAndGet();
            return held.asMono();
        };
        List<Mono<AgentSummary>> callers = List.of(snapshots.get(TENANT, slow), snapshots.get(TENANT, slow), snapshots.get(TENANT, slow));
        List<AgentSummary> answers = new CopyOnWriteArrayList<>();
        callers.forEach(caller -> caller.subscribe(answers::add));
        held.tryEmitValue(summary(clock.instant(), 7));
        assertThat(started).hasValue(1);
        assertThat(answers).extracting(AgentSummary::agents).containsExactly(7L, 7L, 7L);
    }

    @Test
    void aFailedCountIsNotKept() {
        Function<Instant, Mono<AgentSummary>> failing = at -> Mono.error(new IllegalStateException("database away"));
        assertThatThrownBy(() -> snapshots.get(TENANT, failing).block()).hasMessageContaining("database away");
        assertThat(agents(snapshots.get(TENANT, count))).isEqualTo(1);
    }

    @Test
    void aFailedBackgroundCountKeepsTheLastOne() {
        snapshots.get(TENANT, count).block();
        clock.advance(MAX_AGE.plusSeconds(1));
        Function<Instant, Mono<AgentSummary>> failing = at -> Mono.error(new IllegalStateException("database away"));
        assertThat(agents(snapshots.get(TENANT, failing))).isEqualTo(1);
        assertThat(agents(snapshots.get(TENANT, count))).as("answered while counted again").isEqualTo(1);
        assertThat(agents(snapshots.get(TENANT, count))).isEqualTo(2);
    }

    @Test
    void aCountFromBeforeTheClockWasSetBackIsCountedAgain() {
        clock.advance(Duration.ofMinutes(10));
        snapshots.get(TENANT, count).block();
        clock.reset();
        assertThat(agents(snapshots.get(TENANT, count))).isEqualTo(2);
    }

    private static long agents(Mono<AgentSummary> summary) {
        return summary.block(Duration.ofSeconds(5)).agents();
    }

    private static AgentSummary summary(Instant at, long agents) {
        return AgentSummary.of(at, List.of(new AgentSummary.Count(AgentStatus.Liveness.ONLINE, AgentStatus.ConfigStatus.IN_SYNC, agents)),
                List.of());
    }
}
