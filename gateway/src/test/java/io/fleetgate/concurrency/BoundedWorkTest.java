package io.fleetgate.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class BoundedWorkTest {

    @Test
    void atMostTheBoundRunsAndTheRestStartInArrivalOrderAsSlotsFree() {
        BoundedWork work = new BoundedWork(2);
        List<Sinks.One<Integer>> gates = new ArrayList<>();
        List<Integer> started = new ArrayList<>();
        List<Mono<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            Sinks.One<Integer> gate = Sinks.one();
            gates.add(gate);
            results.add(work.submit(() -> {
                started.add(n);
                return gate.asMono();
            }, false).result());
        }
        assertThat(started).containsExactly(0, 1);
        assertThat(work.running()).isEqualTo(2);
        assertThat(work.queued()).isEqualTo(3);
        gates.get(1).tryEmitValue(1);
        assertThat(started).containsExactly(0, 1, 2);
        gates.get(0).tryEmitError(new IllegalStateException("failed"));
        assertThat(started).as("a failure frees its slot too").containsExactly(0, 1, 2, 3);
        StepVerifier.create(results.get(0)).verifyErrorMessage("failed");
        StepVerifier.create(results.get(1)).expectNext(1).verifyComplete();
        gates.get(2).tryEmitEmpty();
        gates.get(3).tryEmitValue(3);
        gates.get(4).tryEmitValue(4);
        StepVerifier.create(Flux.concat(results.subList(2, 5))).expectNext(3, 4).verifyComplete();
        assertThat(work.running()).isZero();
        assertThat(work.queued()).isZero();
    }

    @Test
    void urgentWorkAndPromotedWorkGoAheadOfTheRestAndRunOnce() {
        BoundedWork work = new BoundedWork(1);
        Sinks.One<Integer> blocker = Sinks.one();
        List<String> order = new ArrayList<>();
        work.submit(blocker::asMono, false);
        work.submit(() -> run(order, "background-1"), false);
        BoundedWork.Job<Integer> promoted = work.submit(() -> run(order, "background-2, promoted"), false);
        work.submit(() -> run(order, "urgent"), true);
        promoted.promote();
        promoted.promote();
        assertThat(work.queued()).isEqualTo(3);
        blocker.tryEmitValue(0);
        assertThat(order).containsExactly("urgent", "background-2, promoted", "background-1");
        assertThat(work.queued()).isZero();
        assertThat(work.running()).isZero();
    }

    private static Mono<Integer> run(List<String> order, String name) {
        order.add(name);
        return Mono.just(1);
    }

    @Test
    void workThatEndsAtOnceDoesNotRecurseHoweverLongTheQueue() {
        BoundedWork work = new BoundedWork(1);
        Sinks.One<Integer> first = Sinks.one();
        work.submit(first::asMono, false);
        List<Mono<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            int n = i;
            queued.add(work.submit(() -> Mono.just(n), false).result());
        }
        first.tryEmitValue(-1); // the queue drains on this thread: a recursion would overflow the stack
        assertThat(Flux.merge(queued).count().block(Duration.ofSeconds(10))).isEqualTo(200_000);
    }

    @Test
    void manyThreadsSubmittingNeverExceedTheBound() {
        BoundedWork work = new BoundedWork(3);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        long done = Flux.range(0, 2000).parallel(4).runOn(Schedulers.parallel())
                .flatMap(i -> work.submit(() -> Mono.fromCallable(() -> most.accumulateAndGet(running.incrementAndGet(), Math::max))
                        .delayElement(Duration.ofMillis(1))
                        .doOnTerminate(running::decrementAndGet), i % 2 == 0).result())
                .sequential().count().block(Duration.ofSeconds(30));
        assertThat(done).isEqualTo(2000);
        assertThat(most.get()).isLessThanOrEqualTo(3).isPositive();
    }
}
