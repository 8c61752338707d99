package io.fleetgate.security;

import io.fleetgate.database.Binds;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** The {@code credentials} table. */
@Repository
class CredentialRepository {

    private final DatabaseClient database;

    CredentialRepository(DatabaseClient database) {
        this.database = database;
    }

    Mono<Caller> findActive(byte[] tokenHash) {
        return database.sql("""
                        SELECT id, kind, tenant_id, sync_service_id FROM credentials
                         WHERE token_hash = :hash AND revoked_at IS NULL""")
                .bind("hash", tokenHash)
                .map((row, meta) -> new Caller(
                        row.get("id", UUID.class),
                        CredentialKind.fromDb(row.get("kind", String.class)),
                        row.get("tenant_id", UUID.class),
                        row.get("sync_service_id", UUID.class)))
                .one();
    }

    Mono<Boolean> isActive(UUID credentialId) {
        return database.sql("SELECT EXISTS (SELECT 1 FROM credentials WHERE id = :id AND revoked_at IS NULL) AS active")
                .bind("id", credentialId)
                .map((row, meta) -> Boolean.TRUE.equals(row.get("active", Boolean.class)))
                .one();
    }

    Mono<UUID> insert(CredentialKind kind, UUID tenantId, UUID syncServiceId, byte[] tokenHash, String prefix, String label) {
        var spec = database.sql("""
                        INSERT INTO credentials (kind, tenant_id, sync_service_id, token_hash, token_prefix, label)
                        VALUES (:kind, :tenant, :syncService, :hash, :prefix, :label)
                        ON CONFLICT (token_hash) DO UPDATE SET revoked_at = NULL
                        RETURNING id""")
                .bind("kind", kind.dbValue())
                .bind("tenant", tenantId)
                .bind("hash", tokenHash)
                .bind("prefix", prefix);
        spec = Binds.nullable(spec, "syncService", syncServiceId, UUID.class);
        spec = Binds.nullable(spec, "label", label, String.class);
        return spec.map((row, meta) -> row.get("id", UUID.class)).one();
    }

    /** Revokes every active credential of a sync service but {@code keep}. */
    Mono<Long> revokeForSyncService(UUID syncServiceId, UUID keep) {
        return database.sql("""
                        UPDATE credentials SET revoked_at = now()
                         WHERE sync_service_id = :syncService AND revoked_at IS NULL AND id <> :keep""")
                .bind("syncService", syncServiceId)
                .bind("keep", keep)
                .fetch().rowsUpdated();
    }

    /** Revokes one credential of that kind of a tenant; 0 when there is no such active credential. */
    Mono<Long> revoke(UUID tenantId, CredentialKind kind, UUID credentialId) {
        return database.sql("""
                        UPDATE credentials SET revoked_at = now()
                         WHERE id = :id AND tenant_id = :tenant AND kind = :kind AND revoked_at IS NULL""")
                .bind("id", credentialId)
                .bind("tenant", tenantId)
                .bind("kind", kind.dbValue())
                .fetch().rowsUpdated();
    }

    Mono<Boolean> hasActive(CredentialKind kind, UUID syncServiceId, String labelPrefix) {
        return database.sql("""
                        SELECT EXISTS (SELECT 1 FROM credentials
                                        WHERE kind = :kind AND sync_service_id = :syncService AND revoked_at IS NULL
                                          AND coalesce(label, '') LIKE :label) AS present""")
                .bind("kind", kind.dbValue())
                .bind("syncService", syncServiceId)
                .bind("label", labelPrefix + "%")
                .map((row, meta) -> Boolean.TRUE.equals(row.get("present", Boolean.class)))
                .one();
    }

    /** Revokes the credentials of a sync service whose label starts with the prefix, except one hash. */
    Mono<Long> revokeLabelled(UUID syncServiceId, String labelPrefix, byte[] keepHash) {
        return database.sql("""
                        UPDATE credentials SET revoked_at = now()
                         WHERE sync_service_id = :syncService AND revoked_at IS NULL
                           AND coalesce(label, '') LIKE :label AND token_hash <> :keep""")
                .bind("syncService", syncServiceId)
                .bind("label", labelPrefix + "%")
                .bind("keep", keepHash)
                .fetch().rowsUpdated();
    }
}
