package io.fleetgate.syncservice;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.Changes;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * Status changes of sync services as a hot stream, from whichever replica made them (they
 * travel through the change feed), for live UI updates.
 */
@Component
public class SyncStatusEvents {

    private final Flux<Change.SyncServiceStatusChanged> events;

    SyncStatusEvents(Changes feed) {
        this.events = feed.changes()
                .filter(Change.SyncServiceStatusChanged.class::isInstance)
                .cast(Change.SyncServiceStatusChanged.class)
                .share();
    }

    public Flux<Change.SyncServiceStatusChanged> events() {
        return events;
    }
}
