package io.fleetgate.device;

import io.fleetgate.net.IpAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The {@code next} cursor of the device list: the last item of a page, as base64url of
 * {@code c:tenant:canonical} (canonical order) or {@code i:tenant:canonical:ip} (IP order). Opaque to
 * clients; anything that does not decode to exactly that is refused, never guessed at.
 */
public final class DeviceCursor {

    /** The last item of a page; {@code ip} is set in IP order only. */
    public record Position(UUID tenant, UUID canonical, @Nullable IpAddress ip) {

        boolean byAddress() {
            return ip != null;
        }
    }

    private DeviceCursor() {
    }

    public static String encode(Position position) {
        String text = (position.ip() == null ? "c:" : "i:") + position.tenant() + ":" + position.canonical()
                + (position.ip() == null ? "" : ":" + position.ip());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static Optional<Position> decode(String cursor) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        // a UUID is 36 characters: "c:" + tenant + ":" + canonical, then ":" + ip in IP order
        boolean byAddress = text.startsWith("i:");
        if (!byAddress && !text.startsWith("c:") || text.length() < 75 || text.charAt(38) != ':') {
            return Optional.empty();
        }
        UUID tenant = uuid(text.substring(2, 38));
        UUID canonical = uuid(text.substring(39, 75));
        if (tenant == null || canonical == null) {
            return Optional.empty();
        }
        if (!byAddress) {
            return text.length() == 75 ? Optional.of(new Position(tenant, canonical, null)) : Optional.empty();
        }
        if (text.length() < 77 || text.charAt(75) != ':') {
            return Optional.empty();
        }
        String ip = text.substring(76);
        try {
            IpAddress address = IpAddress.parse(ip);
            // only the canonical text round-trips (no leading zeros, no other IPv6 spelling)
            return address.toString().equals(ip) ? Optional.of(new Position(tenant, canonical, address)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static @Nullable UUID uuid(String text) {
        try {
            UUID id = UUID.fromString(text);
            // UUID.fromString accepts short forms ("1-1-1-1-1"): only the canonical one round-trips
            return id.toString().equals(text) ? id : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
