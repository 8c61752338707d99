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

    /**
     * The origin (scheme, host, port; default ports filled in) of a valid endpoint, or "" for
     * none: what decides where stored credentials may be sent.
     */
    public static String origin(String endpoint) {
        if (endpoint == null || endpoint.isBlank()) {
            return "";
        }
        URI uri = URI.create(endpoint.trim());
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : switch (scheme) {
            case "http" -> 80;
            case "https", "grpcs" -> 443;
            default -> -1;
        };
        return scheme + "://" + uri.getHost().toLowerCase(java.util.Locale.ROOT) + ":" + port;
    }
}
