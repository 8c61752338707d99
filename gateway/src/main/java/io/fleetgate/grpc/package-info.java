/**
 * The gRPC server: {@link io.fleetgate.grpc.GrpcServer} (health, reflection, limits, metrics),
 * {@link io.fleetgate.grpc.GatewayGrpcService}, the adapter that authenticates each call and
 * hands it to its feature, and {@link io.fleetgate.grpc.GrpcErrors}, the one place failures
 * become statuses.
 */
@NullMarked
package io.fleetgate.grpc;

import org.jspecify.annotations.NullMarked;
