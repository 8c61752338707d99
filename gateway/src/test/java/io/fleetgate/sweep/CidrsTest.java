package io.fleetgate.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.net.Cidr;
import io.fleetgate.net.IpAddress;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CIDR cover against a brute-force oracle: in a small address space (a /22 of IPv4 and a
 * /118 of IPv6), the minimal exact cover of a set is the set of maximal aligned blocks lying
 * entirely inside it; the oracle finds them by enumerating every aligned block.
 */
class CidrsTest {

    private static final int SPACE_BITS = 10; // 1024 addresses per family

    static List<Long> seeds() {
        List<Long> seeds = new ArrayList<>();
        for (long seed = 1; seed <= 300; seed++) {
            seeds.add(seed);
        }
        return seeds;
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void coverIsExactAndMinimalForRandomSets(long seed) {
        Random random = new Random(seed);
        for (boolean v6 : new boolean[] {false, true}) {
            IpAddress base = v6 ? IpAddress.parse("2001:db8::fc00") : IpAddress.parse("127.4.0.0");
            Set<Integer> members = new TreeSet<>();
            List<Cidr> input = new ArrayList<>();
            int count = random.nextInt(200);
            double density = random.nextDouble();
            for (int i = 0; i < count; i++) {
                // runs of addresses, so that merging and alignment are exercised, plus some widened blocks
                int start = random.nextInt(1 << SPACE_BITS);
                int run = random.nextDouble() < density ? 1 + random.nextInt(40) : 1;
                for (int k = start; k < Math.min(1 << SPACE_BITS, start + run); k++) {
                    members.add(k);
                    input.add(Cidr.of(offset(base, k)));
                }
                if (random.nextInt(10) == 0) {
                    int prefixBits = random.nextInt(6);
                    int aligned = start & ~((1 << prefixBits) - 1);
                    for (int k = aligned; k < aligned + (1 << prefixBits); k++) {
                        members.add(k);
                    }
                    input.add(Cidr.containing(offset(base, start), base.bits() - prefixBits));
                }
            }
            List<Cidr> cover = Cidrs.cover(input);
            assertThat(new HashSet<>(cover)).isEqualTo(oracle(base, members));
            assertThat(cover).isSorted();
            assertThat(expand(cover, base)).isEqualTo(members);
        }
    }

    @Test
    void familiesStaySeparateAndIpv4ComesFirst() {
        List<Cidr> cover = Cidrs.cover(List.of(Cidr.parse("2001:db8::1/128"), Cidr.parse("127.0.0.1/32"),
                Cidr.parse("2001:db8::/128"), Cidr.parse("127.0.0.0/32")));
        assertThat(cover).extracting(Cidr::toString).containsExactly("127.0.0.0/31", "2001:db8::/127");
    }

    @Test
    void adjacentButUnalignedBlocksDoNotMerge() {
        assertThat(Cidrs.cover(List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("127.0.0.2/32"))))
                .extracting(Cidr::toString).containsExactly("127.0.0.1/32", "127.0.0.2/32");
        assertThat(Cidrs.cover(List.of(Cidr.parse("127.0.0.0/25"), Cidr.parse("127.0.0.128/25"), Cidr.parse("127.0.1.0/24"))))
                .extracting(Cidr::toString).containsExactly("127.0.0.0/23");
        assertThat(Cidrs.cover(List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("127.0.0.1/32"))))
                .extracting(Cidr::toString).containsExactly("0.0.0.0/0");
        assertThat(Cidrs.cover(List.of())).isEmpty();
    }

    /** Every aligned block inside the set whose parent block is not inside it. */
    private static Set<Cidr> oracle(IpAddress base, Set<Integer> members) {
        Set<Cidr> blocks = new HashSet<>();
        for (int size = 0; size <= SPACE_BITS; size++) {
            for (int start = 0; start < 1 << SPACE_BITS; start += 1 << size) {
                if (full(members, start, size) && (size == SPACE_BITS || !full(members, start & ~((1 << (size + 1)) - 1), size + 1))) {
                    blocks.add(Cidr.containing(offset(base, start), base.bits() - size));
                }
            }
        }
        return blocks;
    }

    private static boolean full(Set<Integer> members, int start, int size) {
        for (int k = start; k < start + (1 << size); k++) {
            if (!members.contains(k)) {
                return false;
            }
        }
        return true;
    }

    private static Set<Integer> expand(List<Cidr> cover, IpAddress base) {
        Set<Integer> addresses = new TreeSet<>();
        BigInteger origin = Cidrs.value(base);
        for (Cidr block : cover) {
            BigInteger first = Cidrs.value(block.base()).subtract(origin);
            for (long k = 0; k < block.size(); k++) {
                addresses.add(first.intValueExact() + (int) k);
            }
        }
        return addresses;
    }

    private static IpAddress offset(IpAddress base, int k) {
        return Cidrs.address(Cidrs.value(base).add(BigInteger.valueOf(k)), base.v6());
    }
}
