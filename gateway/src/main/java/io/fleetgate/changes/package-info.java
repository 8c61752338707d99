/**
 * The change feed: writers publish inside their transaction ({@link
 * io.fleetgate.changes.ChangePublisher}, pg_notify) and every replica hears it ({@link
 * io.fleetgate.changes.ChangeFeed}, LISTEN), so caches stay right across replicas.
 */
@NullMarked
package io.fleetgate.changes;

import org.jspecify.annotations.NullMarked;
