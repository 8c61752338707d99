package io.fleetgate.net;

/**
 * A CIDR block: a base address whose host bits are zero, and a prefix length. Ordered by base
 * address, then by prefix length.
 */
public record Cidr(IpAddress base, int prefix) implements Comparable<Cidr> {

    public Cidr {
        if (prefix < 0 || prefix > base.bits()) {
            throw new IllegalArgumentException("prefix /" + prefix + " out of range for " + base);
        }
        if (!mask(base, prefix).equals(base)) {
            throw new IllegalArgumentException(base + "/" + prefix + " has host bits set");
        }
    }

    /** The block of that prefix length containing the address. */
    public static Cidr containing(IpAddress address, int prefix) {
        return new Cidr(mask(address, Math.min(prefix, address.bits())), Math.min(prefix, address.bits()));
    }

    /** A single address as a block. */
    public static Cidr of(IpAddress address) {
        return new Cidr(address, address.bits());
    }

    /** Parses {@code a.b.c.d/n} or {@code v6/n}; a bare address is a single-address block. Host bits must be zero. */
    public static Cidr parse(String text) {
        String value = text == null ? "" : text.trim();
        int slash = value.indexOf('/');
        if (slash < 0) {
            return of(IpAddress.parse(value));
        }
        IpAddress base = IpAddress.parse(value.substring(0, slash));
        String length = value.substring(slash + 1);
        if (length.isEmpty() || length.length() > 3 || !Ascii.isDigits(length)) {
            throw new IllegalArgumentException("not a CIDR block: '" + IpAddress.abbreviate(value) + "'");
        }
        return new Cidr(base, Integer.parseInt(length));
    }

    public boolean contains(IpAddress address) {
        return address.v6() == base.v6() && mask(address, prefix).equals(base);
    }

    /** The number of addresses, saturated at Long.MAX_VALUE. */
    public long size() {
        int hostBits = base.bits() - prefix;
        return hostBits >= 63 ? Long.MAX_VALUE : 1L << hostBits;
    }

    static IpAddress mask(IpAddress address, int prefix) {
        if (!address.v6()) {
            long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
            return IpAddress.v4(address.lo() & mask);
        }
        long hiMask = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
        long loMask = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
        return new IpAddress(true, address.hi() & hiMask, address.lo() & loMask);
    }

    @Override
    public String toString() {
        return base + "/" + prefix;
    }

    @Override
    public int compareTo(Cidr other) {
        int byBase = base.compareTo(other.base);
        return byBase != 0 ? byBase : Integer.compare(prefix, other.prefix);
    }
}
