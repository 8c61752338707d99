/**
 * Integration sources: REST, validation ({@link io.fleetgate.integration.SourceRules}),
 * credentials encrypted at rest, GetSyncConfig ({@link io.fleetgate.integration.SyncConfigRpc}).
 * Start at {@link io.fleetgate.integration.IntegrationSourceService}.
 */
@NullMarked
package io.fleetgate.integration;

import org.jspecify.annotations.NullMarked;
