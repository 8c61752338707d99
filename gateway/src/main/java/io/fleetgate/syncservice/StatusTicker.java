package io.fleetgate.syncservice;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Applies the status rule every {@code FLEETGATE_STATUS_TICK}. Ticks never overlap: a slow tick
 * makes the next ones drop rather than pile up. Safe on several replicas (the statement is
 * idempotent and each transition is taken by one of them).
 */
@Component
class StatusTicker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StatusTicker.class);

    private final SyncServiceLiveness service;
    private final Duration period;
    private volatile Disposable running;

    StatusTicker(SyncServiceLiveness service, SyncServiceProperties properties) {
        this.service = service;
        this.period = properties.statusTick();
    }

    /** Runs {@code rule} once per element of {@code ticks}; a failing tick is logged, not fatal. */
    static <T> Flux<T> run(Flux<Long> ticks, Supplier<Flux<T>> rule) {
        return ticks.onBackpressureDrop()
                .concatMap(tick -> Flux.defer(rule)
                        .onErrorResume(error -> {
                            log.warn("Status tick failed: {}", error.toString());
                            return Mono.empty();
                        }), 1);
    }

    @Override
    public void start() {
        running = run(Flux.interval(period, period), service::tick).subscribe();
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
