package io.fleetgate.changes;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Publishes a {@link Change} with {@code pg_notify}. Called inside the transaction that made the
 * change, PostgreSQL delivers it only after the commit, and not at all after a rollback.
 */
@Component
public class ChangePublisher {

    static final String CHANNEL = "fleetgate_changes";

    private final DatabaseClient database;

    public ChangePublisher(DatabaseClient database) {
        this.database = database;
    }

    public Mono<Void> publish(Change change) {
        return Flux.fromIterable(ChangeCodec.encode(change))
                .concatMap(payload -> database.sql("SELECT pg_notify('" + CHANNEL + "', :payload)")
                        .bind("payload", payload)
                        .fetch().rowsUpdated())
                .then();
    }
}
