package io.fleetgate.security;

import io.fleetgate.error.GatewayException;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;

/** A signed-in UI or REST user. Tenant admins are bound to one tenant. */
public final class GatewayUser implements UserDetails {

    private final UUID id;
    private final String username;
    private final String passwordHash;
    private final Role role;
    private final UUID tenantId;

    public GatewayUser(UUID id, String username, String passwordHash, Role role, UUID tenantId) {
        this.id = id;
        this.username = username;
        this.passwordHash = passwordHash;
        this.role = role;
        this.tenantId = tenantId;
    }

    public UUID id() {
        return id;
    }

    public Role role() {
        return role;
    }

    /** The tenant of a tenant admin; null for platform admins. */
    public UUID tenantId() {
        return tenantId;
    }

    public boolean isPlatformAdmin() {
        return role == Role.PLATFORM_ADMIN;
    }

    /** Whether this user may manage that tenant. */
    public boolean mayManage(UUID tenant) {
        return isPlatformAdmin() || tenant.equals(tenantId);
    }

    /** Throws PERMISSION_DENIED unless this user may manage that tenant. */
    public void requireTenant(UUID tenant) {
        if (!mayManage(tenant)) {
            throw GatewayException.permissionDenied("user " + username + " may not manage tenant " + tenant);
        }
    }

    public void requirePlatformAdmin() {
        if (!isPlatformAdmin()) {
            throw GatewayException.permissionDenied("platform admins only");
        }
    }

    @Override
    public Collection<? extends GrantedAuthority> getAuthorities() {
        return List.of(new SimpleGrantedAuthority("ROLE_" + role.name()));
    }

    @Override
    public String getPassword() {
        return passwordHash;
    }

    @Override
    public String getUsername() {
        return username;
    }
}
