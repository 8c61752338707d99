package io.fleetgate.sweep;

import io.fleetgate.net.Cidr;
import io.fleetgate.net.IpAddress;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The smallest set of CIDR blocks whose union is exactly the union of the given blocks
 * (the networks of a sweep config): overlapping and adjacent ranges are merged, then each range is cut into the largest
 * aligned blocks. The result is sorted (IPv4 first) and unique for a given input set.
 */
public final class Cidrs {

    private Cidrs() {
    }

    public static List<Cidr> cover(Collection<Cidr> blocks) {
        List<Cidr> result = new ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            List<BigInteger[]> ranges = new ArrayList<>();
            for (Cidr block : blocks) {
                if (block.base().v6() == v6) {
                    BigInteger start = value(block.base());
                    ranges.add(new BigInteger[] {start, start.add(BigInteger.ONE.shiftLeft(block.base().bits() - block.prefix()))});
                }
            }
            ranges.sort((a, b) -> a[0].compareTo(b[0]));
            BigInteger start = null;
            BigInteger end = null; // exclusive
            for (BigInteger[] range : ranges) {
                if (end != null && range[0].compareTo(end) <= 0) {
                    end = end.max(range[1]);
                    continue;
                }
                if (start != null) {
                    split(start, end, v6, result);
                }
                start = range[0];
                end = range[1];
            }
            if (start != null) {
                split(start, end, v6, result);
            }
        }
        return result;
    }

    /** Cuts [start, end) into the largest aligned blocks, in order. */
    private static void split(BigInteger start, BigInteger end, boolean v6, List<Cidr> out) {
        int bits = v6 ? 128 : 32;
        BigInteger at = start;
        while (at.compareTo(end) < 0) {
            int size = at.signum() == 0 ? bits : at.getLowestSetBit(); // alignment of the start
            while (size > 0 && at.add(BigInteger.ONE.shiftLeft(size)).compareTo(end) > 0) {
                size--;
            }
            out.add(new Cidr(address(at, v6), bits - size));
            at = at.add(BigInteger.ONE.shiftLeft(size));
        }
    }

    static BigInteger value(IpAddress address) {
        BigInteger high = new BigInteger(Long.toUnsignedString(address.hi()));
        BigInteger low = new BigInteger(Long.toUnsignedString(address.lo()));
        return high.shiftLeft(64).or(low);
    }

    static IpAddress address(BigInteger value, boolean v6) {
        long low = value.longValue();
        long high = value.shiftRight(64).longValue();
        return v6 ? new IpAddress(true, high, low) : IpAddress.v4(low);
    }
}
