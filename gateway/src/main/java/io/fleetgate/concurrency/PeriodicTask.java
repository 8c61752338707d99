package io.fleetgate.concurrency;

import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Work repeated every {@code every} while the application runs (first after {@code firstAfter}).
 * Rounds never overlap: a slow round makes the next ticks drop rather than pile up; a failing round
 * is logged and the next one runs as planned.
 */
public abstract class PeriodicTask implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

    private final String name;
    private final Duration firstAfter;
    private final Duration every;
    private volatile @Nullable Disposable running;

    /** {@code name} says what failed in the log: "Status tick", "Sweep results housekeeping". */
    protected PeriodicTask(String name, Duration firstAfter, Duration every) {
        this.name = name;
        this.firstAfter = firstAfter;
        this.every = every;
    }

    /** One round. */
    protected abstract Publisher<?> round();

    /** Runs {@code round} once per tick, one at a time; a failing round is logged, not fatal. */
    public static <T> Flux<T> rounds(Flux<Long> ticks, String name, Supplier<? extends Publisher<T>> round) {
        return ticks.onBackpressureDrop()
                .concatMap(tick -> Flux.defer(round)
                        .onErrorResume(error -> {
                            log.warn("{} failed, trying again at the next tick: {}", name, error.toString());
                            return Mono.empty();
                        }), 1);
    }

    @Override
    public void start() {
        running = rounds(Flux.interval(firstAfter, every), name, this::round).subscribe();
    }

    @Override
    public void stop() {
        Disposable current = running;
        if (current != null) {
            current.dispose();
        }
        running = null;
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }
}
