package io.fleetgate.agent;

import io.fleetgate.security.AgentIds;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code next} cursor of the agent list: the last agent of a page, as base64url of
 * {@code tenant:agent}. Opaque to clients; a cursor that does not decode to a tenant and a valid
 * agent id is refused, never guessed at.
 */
final class AgentCursor {

    private AgentCursor() {
    }

    static String encode(AgentQuery.Position position) {
        String text = position.tenant() + ":" + position.agent();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static Optional<AgentQuery.Position> decode(String cursor) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        String agent = text.substring(colon + 1);
        try {
            UUID tenant = UUID.fromString(text.substring(0, colon));
            // UUID.fromString accepts short forms ("1-1-1-1-1"): only the canonical one round-trips
            if (!tenant.toString().equals(text.substring(0, colon)) || !AgentIds.isValid(agent)) {
                return Optional.empty();
            }
            return Optional.of(new AgentQuery.Position(tenant, agent));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
