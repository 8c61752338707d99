package io.fleetgate.source;

import io.fleetgate.error.GatewayException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

/** Validation of the endpoint URLs of sync services and integration sources. */
public final class Endpoints {

    private static final Set<String> SCHEMES = Set.of("http", "https", "grpc", "grpcs");
    private static final int MAX_LENGTH = 2048;

    private Endpoints() {
    }

    /** The endpoint, trimmed, when it is an absolute http(s)/grpc(s) URL with a host; INVALID_ARGUMENT otherwise. */
    public static String validate(String field, String endpoint) {
        String value = endpoint.trim();
        if (value.length() > MAX_LENGTH) {
            throw GatewayException.invalid(field, "longer than " + MAX_LENGTH + " characters");
        }
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme().toLowerCase()) || uri.getHost() == null) {
                throw GatewayException.invalid(field, "not an absolute URL with scheme " + SCHEMES + " and a host: '" + value + "'");
            }
            return value;
        } catch (URISyntaxException e) {
            throw GatewayException.invalid(field, "not a URL: " + e.getReason());
        }
    }
}
