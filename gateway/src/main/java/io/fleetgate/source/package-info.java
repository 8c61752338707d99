/**
 * What an inventory source is: its types ({@link io.fleetgate.source.SourceType}) and endpoint
 * rules ({@link io.fleetgate.source.Endpoints}).
 */
@NullMarked
package io.fleetgate.source;

import org.jspecify.annotations.NullMarked;
