package io.fleetgate.changes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Text form of a {@link Change} as a NOTIFY payload: fields separated by a unit separator, so
 * agent ids need no escaping. Payloads stay under PostgreSQL's 8000-byte limit by splitting an
 * {@link Change.AgentsChanged} into several notifications.
 */
public final class ChangeCodec {

    static final int MAX_PAYLOAD_BYTES = 7000;
    private static final String SEP = "\u001f";

    private ChangeCodec() {
    }

    /** One or more payloads that together carry the change. */
    public static List<String> encode(Change change) {
        if (change instanceof Change.AgentsChanged agents) {
            return encodeAgents(agents);
        }
        if (change instanceof Change.TenantChanged tenant) {
            return List.of("tenant" + SEP + tenant.tenantId());
        }
        if (change instanceof Change.CredentialsChanged) {
            return List.of("credentials");
        }
        if (change instanceof Change.SyncServiceStatusChanged status) {
            return List.of("syncstatus" + SEP + status.syncServiceId() + SEP + status.tenantId() + SEP + status.status());
        }
        if (change instanceof Change.SyncConfigChanged) {
            return List.of("syncconfig");
        }
        return List.of("resync");
    }

    /** The change a payload carries; an unknown payload reads as {@link Change.Resync}, the safe side. */
    public static Change decode(String payload) {
        String[] parts = payload.split(SEP, -1);
        try {
            return switch (parts[0]) {
                case "agents" -> new Change.AgentsChanged(UUID.fromString(parts[1]),
                        Arrays.asList(parts).subList(2, parts.length));
                case "tenant" -> new Change.TenantChanged(UUID.fromString(parts[1]));
                case "credentials" -> new Change.CredentialsChanged();
                case "syncconfig" -> new Change.SyncConfigChanged();
                case "syncstatus" -> new Change.SyncServiceStatusChanged(UUID.fromString(parts[1]), UUID.fromString(parts[2]), parts[3]);
                default -> new Change.Resync();
            };
        } catch (RuntimeException malformed) {
            return new Change.Resync();
        }
    }

    private static List<String> encodeAgents(Change.AgentsChanged change) {
        String head = "agents" + SEP + change.tenantId();
        List<String> payloads = new ArrayList<>();
        StringBuilder current = new StringBuilder(head);
        int bytes = head.length();
        for (String agent : change.agentUids()) {
            int size = agent.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
            if (bytes + size > MAX_PAYLOAD_BYTES && current.length() > head.length()) {
                payloads.add(current.toString());
                current = new StringBuilder(head);
                bytes = head.length();
            }
            if (head.length() + size > MAX_PAYLOAD_BYTES) {
                // an absurdly long agent id: invalidate the whole tenant instead
                return List.of("tenant" + SEP + change.tenantId());
            }
            current.append(SEP).append(agent);
            bytes += size;
        }
        if (current.length() > head.length()) {
            payloads.add(current.toString());
        }
        return payloads;
    }
}
