/**
 * What gateway and agent share of the original agents' format: {@link
 * io.fleetgate.sweepjson.SweepFile} reads and writes sweep.json, {@link
 * io.fleetgate.sweepjson.SweepPlan} is what an agent sweeps (from GetConfig or sweep.json),
 * {@link io.fleetgate.sweepjson.KvKeys} the KV key template. Pure code: no I/O beyond reading a
 * named file.
 */
@NullMarked
package io.fleetgate.sweepjson;

import org.jspecify.annotations.NullMarked;
