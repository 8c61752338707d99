package io.fleetgate.agent;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A page of the agent list: its filters (each null for any), the position after which it starts,
 * and its length. {@code prefix} matches an agent id, or a hostname whatever its case.
 */
record AgentQuery(@Nullable UUID tenant, AgentStatus.@Nullable Liveness liveness, AgentStatus.@Nullable ConfigStatus status,
                  @Nullable String prefix, @Nullable Position after, int limit) {

    /** The last agent of a page; the next one starts after it. */
    record Position(UUID tenant, String agent) {
    }
}
