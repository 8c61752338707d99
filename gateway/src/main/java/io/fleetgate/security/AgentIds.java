package io.fleetgate.security;

import java.util.regex.Pattern;

/**
 * What an agent id is, wherever one arrives: in Hello and GetConfig, as a device's or a source's
 * {@code agent_uid}. One rule, so that an id a source may name is one an agent may use.
 */
public final class AgentIds {

    /** Letters, digits and {@code . _ : @ / -}, 1 to 200 of them. */
    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9._:@/-]{1,200}");

    private AgentIds() {
    }

    /** {@link #PATTERN}, checked a character at a time: every poll checks its agent id. */
    public static boolean isValid(String id) {
        if (id.isEmpty() || id.length() > 200) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '_' || c == ':' || c == '@' || c == '/' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }
}
