/**
 * Who is calling: tokens and their cache ({@link io.fleetgate.security.CredentialService}), gRPC
 * authentication into a {@link io.fleetgate.security.Caller}, what an agent id is
 * ({@link io.fleetgate.security.AgentIds}), users, sign-in and its throttle, and the HTTP security
 * configuration.
 */
@NullMarked
package io.fleetgate.security;

import org.jspecify.annotations.NullMarked;
