package io.fleetgate.platform;

import io.fleetgate.security.CredentialKind;
import io.fleetgate.security.CredentialService;
import io.fleetgate.security.Passwords;
import io.fleetgate.security.Tokens;
import java.util.Optional;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Makes sure the platform tenant, the SaaS sync service, its credential and the first platform
 * admin exist ({@code ensure_platform_sync_service}). Idempotent; one transaction holding an
 * advisory lock, so replicas starting together on an empty database create exactly one of each.
 */
@Component
public class PlatformBootstrap {

    /** Advisory lock key of the bootstrap ("fleetgate" in ASCII, truncated to a long). */
    private static final long LOCK_KEY = 0x666c656574676174L;
    static final String PLATFORM_SYNC_NAME = "Fleetgate SaaS sync";
    static final String CREDENTIAL_LABEL = "platform-";
    static final String ADMIN_USERNAME = "admin";

    private final DatabaseClient database;
    private final TransactionalOperator transaction;
    private final CredentialService credentials;
    private final Passwords passwords;
    private final PlatformProperties properties;

    public PlatformBootstrap(DatabaseClient database, TransactionalOperator transaction, CredentialService credentials,
                             Passwords passwords, PlatformProperties properties) {
        this.database = database;
        this.transaction = transaction;
        this.credentials = credentials;
        this.passwords = passwords;
        this.properties = properties;
    }

    /** What the bootstrap found or created; generated secrets are present only when created now. */
    public record Result(UUID platformTenantId, Optional<UUID> platformSyncServiceId,
                         Optional<String> generatedAdminPassword, Optional<String> generatedPlatformToken) {
    }

    public Mono<Result> ensure() {
        return database.sql("SELECT pg_advisory_xact_lock(:key)").bind("key", LOCK_KEY).fetch().first()
                .then(ensurePlatformTenant())
                .flatMap(tenant -> ensurePlatformSyncService(tenant)
                        .flatMap(sync -> ensurePlatformCredential(tenant, sync.orElse(null))
                                .zipWith(ensureAdmin(), (token, password) ->
                                        new Result(tenant, sync, password, token))))
                .as(transaction::transactional);
    }

    private Mono<UUID> ensurePlatformTenant() {
        return database.sql("""
                        INSERT INTO tenants (id, slug, name, is_platform) VALUES (:id, 'platform', 'Platform', true)
                        ON CONFLICT DO NOTHING""")
                .bind("id", UUID.randomUUID())
                .fetch().rowsUpdated()
                .then(database.sql("SELECT id FROM tenants WHERE is_platform").map((row, meta) -> row.get("id", UUID.class)).one());
    }

    /** The SaaS sync service, created when enabled; removed (if nothing uses it) when disabled. */
    Mono<Optional<UUID>> ensurePlatformSyncService(UUID platformTenant) {
        if (!properties.sync().enabled()) {
            return database.sql("""
                            DELETE FROM sync_services s WHERE is_platform_sync
                               AND NOT EXISTS (SELECT 1 FROM integration_sources i WHERE i.sync_service_id = s.id)""")
                    .fetch().rowsUpdated()
                    .then(database.sql("SELECT id FROM sync_services WHERE is_platform_sync")
                            .map((row, meta) -> row.get("id", UUID.class)).one()
                            // still referenced by sources: keep the row but let no credential act as it
                            .flatMap(credentials::revokeSyncService))
                    .thenReturn(Optional.empty());
        }
        return database.sql("""
                        INSERT INTO sync_services (tenant_id, name, service_type, is_platform_sync, capabilities)
                        VALUES (:tenant, :name, 'saas', true, ARRAY['armis', 'netbox', 'faker'])
                        ON CONFLICT DO NOTHING""")
                .bind("tenant", platformTenant)
                .bind("name", PLATFORM_SYNC_NAME)
                .fetch().rowsUpdated()
                .then(database.sql("SELECT id FROM sync_services WHERE is_platform_sync")
                        .map((row, meta) -> row.get("id", UUID.class)).one())
                .map(Optional::of);
    }

    /**
     * The configured platform token, registered (and any other platform token revoked), or one
     * generated when none is active yet.
     */
    private Mono<Optional<String>> ensurePlatformCredential(UUID platformTenant, UUID platformSync) {
        if (platformSync == null) {
            return Mono.just(Optional.empty());
        }
        if (properties.sync().hasToken()) {
            String token = properties.sync().token().trim();
            if (!Tokens.plausible(token)) {
                return Mono.error(new IllegalStateException(
                        "FLEETGATE_PLATFORM_SYNC_TOKEN must be 16 to 200 printable characters without spaces"));
            }
            return credentials.registerSyncServiceToken(platformTenant, platformSync, CredentialKind.PLATFORM_SYNC, token,
                            CREDENTIAL_LABEL + "configured", false)
                    .then(credentials.revokeLabelledExcept(platformSync, CREDENTIAL_LABEL, token))
                    .thenReturn(Optional.empty());
        }
        return credentials.hasActive(CredentialKind.PLATFORM_SYNC, platformSync, CREDENTIAL_LABEL)
                .flatMap(present -> present
                        ? Mono.just(Optional.<String>empty())
                        : credentials.issueSyncServiceCredential(platformTenant, platformSync, CredentialKind.PLATFORM_SYNC,
                                CREDENTIAL_LABEL + "generated", false).map(issued -> Optional.of(issued.token())));
    }

    private Mono<Optional<String>> ensureAdmin() {
        return database.sql("SELECT EXISTS (SELECT 1 FROM users WHERE role = 'PLATFORM_ADMIN') AS present")
                .map((row, meta) -> Boolean.TRUE.equals(row.get("present", Boolean.class)))
                .one()
                .flatMap(present -> {
                    if (present) {
                        return Mono.just(Optional.<String>empty());
                    }
                    boolean generate = !properties.hasAdminPassword();
                    String password = generate ? Passwords.generate() : properties.adminPassword();
                    return passwords.hash(password)
                            .flatMap(hash -> database.sql("""
                                            INSERT INTO users (username, password_hash, role) VALUES (:username, :hash, 'PLATFORM_ADMIN')
                                            ON CONFLICT (username) WHERE tenant_id IS NULL OR legacy_bare_login DO NOTHING""")
                                    .bind("username", ADMIN_USERNAME)
                                    .bind("hash", hash)
                                    .fetch().rowsUpdated())
                            .thenReturn(generate ? Optional.of(password) : Optional.<String>empty());
                });
    }
}
