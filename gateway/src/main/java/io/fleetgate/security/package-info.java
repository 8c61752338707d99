/**
 * Who is calling: tokens and their cache ({@link io.fleetgate.security.CredentialService}), gRPC
 * authentication into a {@link io.fleetgate.security.Caller}, users, sign-in and its throttle,
 * and the HTTP security configuration.
 */
@NullMarked
package io.fleetgate.security;

import org.jspecify.annotations.NullMarked;
