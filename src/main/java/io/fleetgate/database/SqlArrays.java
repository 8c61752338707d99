package io.fleetgate.database;

import java.util.Collection;
import java.util.List;

/** Conversions between Java collections and the arrays R2DBC binds and reads. */
public final class SqlArrays {

    private SqlArrays() {
    }

    public static String[] text(Collection<String> values) {
        return values.toArray(String[]::new);
    }

    public static Integer[] integers(Collection<Integer> values) {
        return values.toArray(Integer[]::new);
    }

    public static List<String> list(String[] values) {
        return values == null ? List.of() : List.of(values);
    }

    public static List<Integer> list(Integer[] values) {
        return values == null ? List.of() : List.of(values);
    }
}
