package io.fleetgate.agent;

import io.fleetgate.error.GatewayException;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A page of the agent list: its filters (each null for any), the position after which it starts,
 * and its length. {@code prefix} matches an agent id, or a hostname whatever its case.
 */
public record AgentQuery(@Nullable UUID tenant, AgentStatus.@Nullable Liveness liveness, AgentStatus.@Nullable ConfigStatus status,
                         @Nullable String prefix, @Nullable Position after, int limit) {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    /** Longer than any agent id can be: a prefix past it matches nothing, so it is refused as a mistake. */
    private static final int MAX_PREFIX = 200;

    /** The last agent of a page; the next one starts after it. */
    public record Position(UUID tenant, String agent) {
    }

    /**
     * The query the API's and the UI's parameters ask for, as they come (wire names, a cursor);
     * INVALID_ARGUMENT naming the parameter that is not one of them.
     */
    public static AgentQuery parse(@Nullable UUID tenant, @Nullable String liveness, @Nullable String status, @Nullable String q,
                                   @Nullable Integer limit, @Nullable String after) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw GatewayException.invalid("limit", "from 1 to " + MAX_LIMIT);
        }
        String prefix = q == null || q.isBlank() ? null : q.strip();
        if (prefix != null && prefix.length() > MAX_PREFIX) {
            throw GatewayException.invalid("q", "at most " + MAX_PREFIX + " characters");
        }
        Position position = after == null || after.isEmpty() ? null
                : AgentCursor.decode(after).orElseThrow(() -> GatewayException.invalid("after", "not a cursor this API returned"));
        return new AgentQuery(tenant,
                wireValue("liveness", liveness, AgentStatus.Liveness.values(), AgentStatus.Liveness::wireName),
                wireValue("status", status, AgentStatus.ConfigStatus.values(), AgentStatus.ConfigStatus::wireName),
                prefix, position, size);
    }

    /** The constant whose wire name is {@code value}, null for no value. */
    private static <E extends Enum<E>> @Nullable E wireValue(String parameter, @Nullable String value, E[] values, Function<E, String> wireName) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        return Arrays.stream(values).filter(v -> wireName.apply(v).equals(value)).findFirst()
                .orElseThrow(() -> GatewayException.invalid(parameter, "one of "
                        + String.join(", ", Arrays.stream(values).map(wireName).toList())));
    }
}
