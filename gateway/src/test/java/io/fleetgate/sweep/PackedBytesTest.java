package io.fleetgate.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PackedBytesTest {

    @Property
    void whatIsPackedComesBackAsItWas(@ForAll @Size(max = 5000) byte[] raw) {
        assertThat(PackedBytes.of(raw).bytes().toByteArray()).isEqualTo(raw);
    }

    @Test
    void repetitiveBytesAreKeptDeflatedAndRandomOnesAsTheyAre() {
        byte[] repetitive = "device_type=switch;manufacturer=Cisco;source=faker;".repeat(40).getBytes();
        assertThat(PackedBytes.of(repetitive).storedSize()).isLessThan(repetitive.length / 5);
        byte[] random = new byte[2000];
        new Random(7).nextBytes(random);
        assertThat(PackedBytes.of(random).storedSize()).as("no gain, kept as is").isEqualTo(random.length);
        assertThat(PackedBytes.of(new byte[10]).storedSize()).as("too small to bother").isEqualTo(10);
    }
}
