/**
 * The change feed: writers publish inside their transaction ({@link
 * io.fleetgate.changes.ChangePublisher}, pg_notify or a row of change_outbox) and every replica
 * hears it ({@link io.fleetgate.changes.ChangeFeed}, LISTEN; or {@link
 * io.fleetgate.changes.OutboxChangeFeed}, reading the outbox), so caches stay right across replicas.
 */
@NullMarked
package io.fleetgate.changes;

import org.jspecify.annotations.NullMarked;
