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

/** The {@code users} table; also the user source of Spring Security. */
@Repository
public class UserRepository implements ReactiveUserDetailsService {

    private final DatabaseClient database;

    UserRepository(DatabaseClient database) {
        this.database = database;
    }

    @Override
    public Mono<UserDetails> findByUsername(String username) {
        return database.sql("SELECT id, username, password_hash, role, tenant_id FROM users WHERE username = :username")
                .bind("username", username)
                .map((row, meta) -> (UserDetails) new GatewayUser(
                        row.get("id", UUID.class),
                        row.get("username", String.class),
                        row.get("password_hash", String.class),
                        Role.valueOf(row.get("role", String.class)),
                        row.get("tenant_id", UUID.class)))
                .one();
    }

    /** Creates a user; ALREADY_EXISTS when the username is taken. */
    public Mono<UUID> create(String username, String passwordHash, Role role, UUID tenantId) {
        var spec = database.sql("""
                        INSERT INTO users (username, password_hash, role, tenant_id) VALUES (:username, :hash, :role, :tenant)
                        RETURNING id""")
                .bind("username", username)
                .bind("hash", passwordHash)
                .bind("role", role.name());
        spec = Binds.nullable(spec, "tenant", tenantId, UUID.class);
        return spec.map((row, meta) -> row.get("id", UUID.class)).one()
                .onErrorMap(DataIntegrityViolationException.class,
                        e -> GatewayException.alreadyExists("username", "username '" + username + "' is taken"));
    }
}
