package io.fleetgate.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Rounds in virtual time: one per tick, none in between, and a failing tick does not stop it. */
class PeriodicTaskTest {

    @Test
    void runsOneRoundPerTickAndSurvivesAFailingRound() {
        AtomicInteger calls = new AtomicInteger();
        List<Flux<String>> outcomes = List.of(Flux.just("dc1 offline"), Flux.error(new IllegalStateException("database gone")),
                Flux.just("dc2 offline"));

        StepVerifier.withVirtualTime(() -> PeriodicTask.rounds(Flux.interval(Duration.ofSeconds(10)), "Status tick",
                        () -> outcomes.get(Math.min(calls.getAndIncrement(), 2))))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(10))
                .expectNext("dc1 offline")
                .expectNoEvent(Duration.ofSeconds(10)) // the failing tick emits nothing and is survived
                .thenAwait(Duration.ofSeconds(10))
                .expectNext("dc2 offline")
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(calls).hasValue(3);
    }
}
