/**
 * Sweep results (ReportSweepResults): each agent's latest observation of each IP it sweeps, flap
 * damping into up and down ({@link io.fleetgate.availability.FlapDamping}), the transitions kept as
 * history, and each canonical device's availability by the configured rule
 * ({@link io.fleetgate.availability.DeviceAvailability}). Start at
 * {@link io.fleetgate.availability.SweepResultsRpc} for the stream, {@link io.fleetgate.availability.ResultsService}
 * for what one batch stores.
 */
@NullMarked
package io.fleetgate.availability;

import org.jspecify.annotations.NullMarked;
