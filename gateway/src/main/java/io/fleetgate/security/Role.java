package io.fleetgate.security;

/** Roles of web UI and REST users. */
public enum Role {
    /** Everything, every tenant. */
    PLATFORM_ADMIN,
    /** One tenant's integrations, sync services and tokens. */
    TENANT_ADMIN
}
