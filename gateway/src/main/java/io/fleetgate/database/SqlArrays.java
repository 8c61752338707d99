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

    /**
     * The PostgreSQL literal of a text array ({@code {"a","b\"c",NULL}}), to bind as one text
     * value and cast with {@code ::text[]}: building it here costs a fraction of what the driver's
     * per-element array encoding does for the thousands of values of an ingest batch.
     */
    public static String literal(String[] values) {
        int length = 2;
        for (String value : values) {
            length += value == null ? 5 : value.length() + 3;
        }
        StringBuilder literal = new StringBuilder(length + 16).append('{');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                literal.append(',');
            }
            String value = values[i];
            if (value == null) {
                literal.append("NULL");
                continue;
            }
            literal.append('"');
            if (value.indexOf('"') < 0 && value.indexOf('\\') < 0) {
                literal.append(value);
            } else {
                for (int c = 0; c < value.length(); c++) {
                    char ch = value.charAt(c);
                    if (ch == '"' || ch == '\\') {
                        literal.append('\\');
                    }
                    literal.append(ch);
                }
            }
            literal.append('"');
        }
        return literal.append('}').toString();
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
