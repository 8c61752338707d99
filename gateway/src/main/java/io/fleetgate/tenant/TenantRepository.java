package io.fleetgate.tenant;

import static io.fleetgate.database.Timestamps.instant;

import io.fleetgate.error.GatewayException;
import io.r2dbc.spi.Row;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The {@code tenants} table. */
@Repository
public class TenantRepository {

    private static final String COLUMNS = "id, slug, name, is_platform, created_at";

    private final DatabaseClient database;

    TenantRepository(DatabaseClient database) {
        this.database = database;
    }

    Mono<Tenant> create(String slug, String name) {
        return database.sql("INSERT INTO tenants (id, slug, name) VALUES (:id, :slug, :name) RETURNING " + COLUMNS)
                .bind("id", UUID.randomUUID())
                .bind("slug", slug)
                .bind("name", name)
                .map((row, meta) -> map(row))
                .one()
                .onErrorMap(DataIntegrityViolationException.class,
                        e -> GatewayException.alreadyExists("slug", "slug '" + slug + "' is taken"));
    }

    public Mono<Tenant> find(UUID id) {
        return database.sql("SELECT " + COLUMNS + " FROM tenants WHERE id = :id")
                .bind("id", id)
                .map((row, meta) -> map(row))
                .one();
    }

    public Flux<Tenant> findAll() {
        return database.sql("SELECT " + COLUMNS + " FROM tenants ORDER BY is_platform DESC, name")
                .map((row, meta) -> map(row))
                .all();
    }

    private static Tenant map(Row row) {
        return new Tenant(row.get("id", UUID.class), row.get("slug", String.class), row.get("name", String.class),
                Boolean.TRUE.equals(row.get("is_platform", Boolean.class)), instant(row.get("created_at", OffsetDateTime.class)));
    }
}
