package io.fleetgate.net;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * An IPv4 or IPv6 address as a 128-bit number ({@code hi}:{@code lo}; IPv4 lives in the low 32
 * bits), parsed from a literal only (never a DNS lookup) and printed in canonical form (RFC 5952
 * for IPv6). IPv4-mapped IPv6 addresses are IPv4. Ordered: IPv4 before IPv6, then numerically.
 */
public record IpAddress(boolean v6, long hi, long lo) implements Comparable<IpAddress> {

    public int bits() {
        return v6 ? 128 : 32;
    }

    /** The address in {@code text}, or IllegalArgumentException saying why not. */
    public static IpAddress parse(String text) {
        String value = text == null ? "" : text.trim();
        // ASCII only: Guava's IPv6 parser takes the digits of any script (Character.digit)
        if (value.isEmpty() || value.length() > 45 || value.indexOf('%') >= 0 || !Ascii.isPrintable(value)) {
            throw new IllegalArgumentException("not an IP address: '" + abbreviate(value) + "'");
        }
        if (value.indexOf(':') < 0) {
            return v4(parseV4(value));
        }
        InetAddress address;
        try {
            address = InetAddresses.forString(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address: '" + abbreviate(value) + "'");
        }
        if (address instanceof Inet4Address) {
            return v4(ByteBuffer.wrap(address.getAddress()).getInt() & 0xffffffffL);
        }
        ByteBuffer bytes = ByteBuffer.wrap(address.getAddress());
        return new IpAddress(true, bytes.getLong(), bytes.getLong());
    }

    public static IpAddress v4(long value) {
        return new IpAddress(false, 0, value & 0xffffffffL);
    }

    /** Four decimal octets 0–255 without leading zeros (those read as octal elsewhere), dot-separated. */
    private static long parseV4(String value) {
        long result = 0;
        int octets = 0;
        int start = 0;
        while (start <= value.length()) {
            int end = value.indexOf('.', start);
            if (end < 0) {
                end = value.length();
            }
            int digits = end - start;
            if (digits < 1 || digits > 3 || (digits > 1 && value.charAt(start) == '0') || ++octets > 4) {
                throw new IllegalArgumentException("not an IP address: '" + abbreviate(value) + "'");
            }
            int octet = 0;
            for (int i = start; i < end; i++) {
                char c = value.charAt(i);
                if (c < '0' || c > '9') {
                    throw new IllegalArgumentException("not an IP address: '" + abbreviate(value) + "'");
                }
                octet = octet * 10 + (c - '0');
            }
            if (octet > 255) {
                throw new IllegalArgumentException("not an IP address: '" + abbreviate(value) + "'");
            }
            result = (result << 8) | octet;
            start = end + 1;
        }
        if (octets != 4) {
            throw new IllegalArgumentException("not an IP address: '" + abbreviate(value) + "'");
        }
        return result;
    }

    /** Whether this is a loopback address (127.0.0.0/8 or ::1). */
    public boolean isLoopback() {
        return v6 ? hi == 0 && lo == 1 : (lo >>> 24) == 127;
    }

    @Override
    public String toString() {
        if (!v6) {
            return (lo >>> 24 & 0xff) + "." + (lo >>> 16 & 0xff) + "." + (lo >>> 8 & 0xff) + "." + (lo & 0xff);
        }
        byte[] bytes = ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
        try {
            return InetAddresses.toAddrString(Inet6Address.getByAddress(null, bytes, -1));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always an IPv6 address", e);
        }
    }

    @Override
    public int compareTo(IpAddress other) {
        if (v6 != other.v6) {
            return v6 ? 1 : -1;
        }
        int high = Long.compareUnsigned(hi, other.hi);
        return high != 0 ? high : Long.compareUnsigned(lo, other.lo);
    }

    static String abbreviate(String value) {
        return value.length() > 50 ? value.substring(0, 50) + "…" : value;
    }
}
