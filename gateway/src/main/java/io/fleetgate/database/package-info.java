/**
 * What every repository shares: the embedded PostgreSQL for machines with nothing installed
 * ({@link io.fleetgate.database.EmbeddedDatabaseStarter}), connection settings, and small SQL
 * helpers (arrays, binds, time-ordered ids).
 */
@NullMarked
package io.fleetgate.database;

import org.jspecify.annotations.NullMarked;
