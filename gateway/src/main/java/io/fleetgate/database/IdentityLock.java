package io.fleetgate.database;

import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * The transaction-scoped advisory lock that serialises identity decisions in one tenant
 * partition: ingest's (a batch deciding canonical devices) and an operator's unmerge take the same
 * one, so neither decides on what the other is changing.
 */
public final class IdentityLock {

    private IdentityLock() {
    }

    /** Waits for the partition's lock; it is held until the transaction ends. */
    public static Mono<Void> acquire(DatabaseClient database, UUID tenant, String partition) {
        return database.sql("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
                .bind("key", tenant + "/" + partition)
                .fetch().first().then();
    }
}
