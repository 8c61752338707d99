package io.fleetgate.security;

import io.fleetgate.error.GatewayException;
import java.util.UUID;

/** Parsing of ids that arrive in requests. */
public final class Ids {

    private Ids() {
    }

    /** The UUID in {@code value}, or INVALID_ARGUMENT naming the field. */
    public static UUID parse(String field, String value) {
        try {
            if (value == null || value.length() != 36) {
                throw new IllegalArgumentException();
            }
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalid(field, "not a UUID: '" + abbreviate(value) + "'");
        }
    }

    private static String abbreviate(String value) {
        if (value == null) {
            return "";
        }
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }
}
