package io.fleetgate.source;

import io.fleetgate.error.GatewayException;
import java.util.Arrays;
import java.util.List;

/** The inventories Fleetgate can discover devices from. */
public enum SourceType {
    ARMIS, NETBOX, FAKER;

    public String id() {
        return name().toLowerCase();
    }

    /** Whether a source of this type needs an endpoint URL (the faker generates locally). */
    public boolean needsEndpoint() {
        return this != FAKER;
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(SourceType::id).toList();
    }

    /** The type named {@code value}, or INVALID_ARGUMENT naming the field. */
    public static SourceType parse(String field, String value) {
        for (SourceType type : values()) {
            if (type.id().equals(value)) {
                return type;
            }
        }
        throw GatewayException.invalid(field, "unknown source type '" + value + "' (expected one of " + ids() + ")");
    }
}
