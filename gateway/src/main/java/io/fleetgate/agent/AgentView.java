package io.fleetgate.agent;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One agent as the REST API and the UI show it (SPEC 13.4). {@code desiredVersion} is null while
 * a change since its latest poll leaves the version it should run unknown until it polls again;
 * {@code targets} counts the device targets of the version it was last handed.
 */
public record AgentView(UUID tenantId, String agentUid, @Nullable String hostname, @Nullable String version,
                        @Nullable Instant lastPollAt, AgentStatus.Liveness liveness, AgentStatus.ConfigStatus configStatus,
                        @Nullable String desiredVersion, @Nullable String appliedVersion, @Nullable String rejectedVersion,
                        @Nullable String rejectReason, @Nullable Integer targets) {
}
