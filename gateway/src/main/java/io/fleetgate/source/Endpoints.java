package io.fleetgate.source;

import io.fleetgate.error.GatewayException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;
import java.util.regex.Pattern;

/** Validation of the endpoint URLs of sync services and integration sources, and of sync services' own addresses. */
public final class Endpoints {

    private static final Set<String> SCHEMES = Set.of("http", "https", "grpc", "grpcs");
    private static final int MAX_LENGTH = 2048;
    /** A DNS name or IPv4 address, or an IPv6 address in brackets, then a port (ASCII only). */
    private static final Pattern HOST_PORT = Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:.]{2,45}\\]):[0-9]{1,5}");

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
     * A sync service's own address as it reports it: {@code host:port} as gRPC services write one
     * ({@code 10.0.0.5:9000}, {@code [fd00::5]:9000}, {@code sync.example:9000}) or a URL as
     * {@link #validate} takes it; INVALID_ARGUMENT otherwise.
     */
    public static String validateServiceAddress(String field, String address) {
        String value = address.trim();
        if (value.contains("://")) {
            return validate(field, value);
        }
        if (value.length() > 255 || !HOST_PORT.matcher(value).matches()) {
            throw GatewayException.invalid(field, "neither host:port nor a URL: '" + (value.length() > 60 ? value.substring(0, 60) + "…" : value) + "'");
        }
        int port = Integer.parseInt(value.substring(value.lastIndexOf(':') + 1));
        if (port < 1 || port > 65535) {
            throw GatewayException.invalid(field, "port " + port + " is not 1-65535");
        }
        return value;
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
