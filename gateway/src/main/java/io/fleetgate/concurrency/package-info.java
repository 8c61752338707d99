/**
 * Small concurrency helpers the features share: {@link io.fleetgate.concurrency.Slots} (a bound
 * in all and per key, for open streams) and {@link io.fleetgate.concurrency.PeriodicTask} (work
 * repeated on a timer that never overlaps itself and survives a failing round).
 */
@NullMarked
package io.fleetgate.concurrency;

import org.jspecify.annotations.NullMarked;
