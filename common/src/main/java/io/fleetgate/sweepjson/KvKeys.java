package io.fleetgate.sweepjson;

/**
 * Keys of agents' sweep configs in the KV store. NATS keys allow letters, digits and
 * {@code - / _ = .}; any other character of an agent id becomes {@code _}.
 */
public final class KvKeys {

    private KvKeys() {
    }

    /** The gateway writes and the agent reads the same key: both call this. */
    public static String of(String template, String tenantId, String agentUid) {
        return template.replace("{agent_uid}", safe(agentUid)).replace("{tenant_id}", safe(tenantId));
    }

    private static String safe(String value) {
        StringBuilder safe = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '/' || c == '_' || c == '=' || c == '.';
            safe.append(allowed ? c : '_');
        }
        return safe.toString();
    }
}
