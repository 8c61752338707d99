/**
 * A leaf every layer may use: {@link io.fleetgate.error.GatewayException} (a failure with its
 * reason), the classification of database failures, plain-text bounds and problem details written
 * outside controllers.
 */
@NullMarked
package io.fleetgate.error;

import org.jspecify.annotations.NullMarked;
