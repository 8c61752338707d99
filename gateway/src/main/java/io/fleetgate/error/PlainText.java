package io.fleetgate.error;

import org.jspecify.annotations.Nullable;

/**
 * Text a client names itself with (host names, versions, messages): bounded, and free of control,
 * unassigned and lone surrogate characters. NUL in particular, which PostgreSQL's text refuses: a
 * field carrying one is the client's error, named, not the database's.
 */
public final class PlainText {

    private PlainText() {
    }

    /** The value, when at most {@code max} characters of plain text; INVALID_ARGUMENT naming the field otherwise. */
    public static String check(String field, String value, int max) {
        if (value.length() > max) {
            throw GatewayException.invalid(field, "longer than " + max + " characters");
        }
        if (!value.codePoints().allMatch(c -> !Character.isISOControl(c) && Character.isDefined(c)
                && Character.getType(c) != Character.SURROGATE)) {
            throw GatewayException.invalid(field, "control or undefined characters");
        }
        return value;
    }

    /** {@link #check} for a field a client may leave out: null when blank, the value stripped otherwise. */
    public static @Nullable String optional(String field, String value, int max) {
        check(field, value, max);
        return value.isBlank() ? null : value.strip();
    }
}
