package io.fleetgate.syncservice;

import io.fleetgate.concurrency.PeriodicTask;
import org.reactivestreams.Publisher;
import org.springframework.stereotype.Component;

/**
 * Applies the status rule every {@code FLEETGATE_STATUS_TICK}. Safe on several replicas (the
 * statement is idempotent and each transition is taken by one of them).
 */
@Component
class StatusTicker extends PeriodicTask {

    private final SyncServiceLiveness service;

    StatusTicker(SyncServiceLiveness service, SyncServiceProperties properties) {
        super("Status tick", properties.statusTick(), properties.statusTick());
        this.service = service;
    }

    @Override
    protected Publisher<?> round() {
        return service.tick();
    }
}
