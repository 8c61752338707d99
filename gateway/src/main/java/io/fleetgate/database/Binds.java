package io.fleetgate.database;

import org.springframework.r2dbc.core.DatabaseClient;

/** Binding values that may be null, which {@link DatabaseClient} wants said explicitly. */
public final class Binds {

    private Binds() {
    }

    public static <T> DatabaseClient.GenericExecuteSpec nullable(DatabaseClient.GenericExecuteSpec spec, String name,
                                                                 T value, Class<T> type) {
        return value == null ? spec.bindNull(name, type) : spec.bind(name, value);
    }
}
