/**
 * The legacy key-value path (FLEETGATE_SWEEP_SOURCE=kv or both): {@link
 * io.fleetgate.kv.KvSweepPublisher} puts each changed agent's sweep.json into a NATS JetStream KV
 * bucket.
 */
@NullMarked
package io.fleetgate.kv;

import org.jspecify.annotations.NullMarked;
