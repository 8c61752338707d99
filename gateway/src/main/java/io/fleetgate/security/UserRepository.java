package io.fleetgate.security;

import io.fleetgate.database.Binds;
import io.fleetgate.error.GatewayException;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * The {@code users} table; also the user source of Spring Security. Tenant users sign in as
 * {@code <tenant slug>/<user name>} (names are unique per tenant), platform admins by their bare
 * name; tenant users created before names were scoped may also use their bare name.
 */
@Repository
public class UserRepository implements ReactiveUserDetailsService {

    private static final String COLUMNS = "u.id, u.password_hash, u.role, u.tenant_id";

    private final DatabaseClient database;

    UserRepository(DatabaseClient database) {
        this.database = database;
    }

    /** The login a tenant user signs in with. */
    public static String login(String tenantSlug, String username) {
        return tenantSlug + "/" + username;
    }

    @Override
    public Mono<UserDetails> findByUsername(String login) {
        int slash = login.indexOf('/');
        DatabaseClient.GenericExecuteSpec query = slash < 0
                ? database.sql("SELECT " + COLUMNS + " FROM users u WHERE u.username = :username AND (u.tenant_id IS NULL OR u.legacy_bare_login)")
                        .bind("username", login)
                : database.sql("SELECT " + COLUMNS + " FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = :slug AND u.username = :username")
                        .bind("slug", login.substring(0, slash))
                        .bind("username", login.substring(slash + 1));
        return query.map((row, meta) -> (UserDetails) new GatewayUser(
                        row.get("id", UUID.class),
                        login,
                        row.get("password_hash", String.class),
                        Role.valueOf(row.get("role", String.class)),
                        row.get("tenant_id", UUID.class)))
                .one();
    }

    /**
     * Creates a user; ALREADY_EXISTS when its tenant (for platform admins: the platform) has that name.
     * A tenant's names never collide with another tenant's, so the refusal tells nothing about them.
     */
    public Mono<UUID> create(String username, String passwordHash, Role role, UUID tenantId) {
        var spec = database.sql("""
                        INSERT INTO users (username, password_hash, role, tenant_id) VALUES (:username, :hash, :role, :tenant)
                        RETURNING id""")
                .bind("username", username)
                .bind("hash", passwordHash)
                .bind("role", role.name());
        spec = Binds.nullable(spec, "tenant", tenantId, UUID.class);
        String where = tenantId == null ? "among platform admins" : "in this tenant";
        return spec.map((row, meta) -> row.get("id", UUID.class)).one()
                .onErrorMap(DataIntegrityViolationException.class,
                        e -> GatewayException.alreadyExists("username", "username '" + username + "' already exists " + where));
    }
}
