package io.fleetgate.device;

import io.fleetgate.availability.DeviceAvailability;
import io.fleetgate.error.GatewayException;
import io.fleetgate.identity.MacAddresses;
import io.fleetgate.net.Cidr;
import io.fleetgate.net.IpAddress;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A page of the device list: its filters (each null for any) and where it starts. A canonical
 * device matches when it holds an IP in {@code range}, has that {@code availability}, and one of
 * its source records matches every other filter. With a range, pages come in IP order (one item per matching IP); otherwise in
 * canonical id order.
 */
public record DeviceQuery(@Nullable UUID tenant, @Nullable Cidr range, @Nullable String mac, @Nullable String hostnamePrefix,
                          @Nullable UUID source, @Nullable String agent, DeviceAvailability.@Nullable Availability availability,
                          DeviceCursor.@Nullable Position after, int limit) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    /** Longer than a DNS name: a longer prefix is a mistake, not a search. */
    private static final int MAX_TEXT = 255;

    public boolean byAddress() {
        return range != null;
    }

    /**
     * The query the API's and the UI's parameters ask for: {@code q} is a CIDR block, an IP, a MAC
     * in any notation, or else a hostname prefix (any case). INVALID_ARGUMENT names the parameter
     * that is malformed.
     */
    public static DeviceQuery parse(@Nullable UUID tenant, @Nullable String q, @Nullable String ip, @Nullable String cidr,
                                    @Nullable String mac, @Nullable UUID source, @Nullable String agent, @Nullable String availability,
                                    @Nullable Integer limit, @Nullable String after) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw GatewayException.invalid("limit", "from 1 to " + MAX_LIMIT);
        }
        Cidr range = null;
        if (present(ip)) {
            range = Cidr.of(parse("ip", ip, IpAddress::parse));
        }
        if (present(cidr)) {
            if (range != null) {
                throw GatewayException.invalid("cidr", "give ip or cidr, not both");
            }
            range = parse("cidr", cidr, Cidr::parse);
        }
        String macAddress = present(mac) ? parse("mac", mac, MacAddresses::normalize) : null;
        String hostname = null;
        if (present(q)) {
            String text = q.strip();
            if (text.length() > MAX_TEXT) {
                throw GatewayException.invalid("q", "at most " + MAX_TEXT + " characters");
            }
            Term term = Term.of(text);
            if (term.range() != null) {
                if (range != null) {
                    throw GatewayException.invalid("q", "an address or CIDR in q and in ip or cidr: give one");
                }
                range = term.range();
            } else if (term.mac() != null) {
                if (macAddress != null && !macAddress.equals(term.mac())) {
                    throw GatewayException.invalid("q", "a MAC other than the mac parameter's");
                }
                macAddress = term.mac();
            } else {
                hostname = term.hostnamePrefix();
            }
        }
        String agentUid = present(agent) ? agent.strip() : null;
        if (agentUid != null && agentUid.length() > MAX_TEXT) {
            throw GatewayException.invalid("agent_uid", "at most " + MAX_TEXT + " characters");
        }
        DeviceCursor.Position position = null;
        boolean byAddress = range != null;
        if (present(after)) {
            position = DeviceCursor.decode(after)
                    .filter(decoded -> decoded.byAddress() == byAddress)
                    .orElseThrow(() -> GatewayException.invalid("after", "not a cursor this API returned for these filters"));
        }
        DeviceAvailability.Availability state = null;
        if (present(availability)) {
            state = java.util.Arrays.stream(DeviceAvailability.Availability.values()).filter(a -> a.wireName().equals(availability.strip()))
                    .findFirst().orElseThrow(() -> GatewayException.invalid("availability", "one of available, unavailable, unknown"));
        }
        return new DeviceQuery(tenant, range, macAddress, hostname, source, agentUid, state, position, size);
    }

    /** What a search box's text is: a CIDR block or an IP, a MAC, or a hostname prefix. */
    record Term(@Nullable Cidr range, @Nullable String mac, @Nullable String hostnamePrefix) {

        static Term of(String text) {
            if (text.indexOf('/') >= 0) {
                return new Term(parse("q", text, Cidr::parse), null, null);
            }
            try {
                return new Term(Cidr.of(IpAddress.parse(text)), null, null);
            } catch (IllegalArgumentException notAnAddress) {
                // next
            }
            try {
                return new Term(null, MacAddresses.normalize(text), null);
            } catch (IllegalArgumentException notAMac) {
                return new Term(null, null, text.toLowerCase(Locale.ROOT));
            }
        }
    }

    private static boolean present(@Nullable String value) {
        return value != null && !value.isBlank();
    }

    private static <T> T parse(String parameter, String value, java.util.function.Function<String, T> parser) {
        try {
            return parser.apply(value.strip());
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalid(parameter, e.getMessage());
        }
    }
}
