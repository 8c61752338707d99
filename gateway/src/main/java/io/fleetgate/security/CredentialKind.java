package io.fleetgate.security;

import java.util.Arrays;

/** The kinds of gRPC credential, with the prefix their tokens carry (docs/security.md). */
public enum CredentialKind {
    /** Any agent of one tenant. */
    AGENT_ENROLLMENT("agent_enrollment", "fga_"),
    /** One on-prem sync service of one tenant. */
    SYNC_SERVICE("sync_service", "fgs_"),
    /** The SaaS sync service: acts for any tenant, only as the platform sync service. */
    PLATFORM_SYNC("platform_sync", "fgp_");

    private final String dbValue;
    private final String tokenPrefix;

    CredentialKind(String dbValue, String tokenPrefix) {
        this.dbValue = dbValue;
        this.tokenPrefix = tokenPrefix;
    }

    public String dbValue() {
        return dbValue;
    }

    public String tokenPrefix() {
        return tokenPrefix;
    }

    public static CredentialKind fromDb(String value) {
        return Arrays.stream(values()).filter(k -> k.dbValue.equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("credential kind: " + value));
    }
}
