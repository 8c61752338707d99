/**
 * The reference clients, plain Reactor and grpc-java without Spring: {@link
 * io.fleetgate.client.Clients} is the entry point of fleetgate-agent.jar; {@link
 * io.fleetgate.client.GatewayAddress} and {@link io.fleetgate.client.GatewayOptions} connect to a
 * gateway, {@link io.fleetgate.client.Backoff} retries what is transient.
 */
@NullMarked
package io.fleetgate.client;

import org.jspecify.annotations.NullMarked;
