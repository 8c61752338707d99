package io.fleetgate.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {

    @ParameterizedTest
    @CsvSource({"127.0.0.1,127.0.0.1", " 10.1.2.3 ,10.1.2.3", "0.0.0.0,0.0.0.0", "255.255.255.255,255.255.255.255",
            "2001:DB8:0:0:0:0:0:1,2001:db8::1", "::1,::1", "::ffff:127.0.0.9,127.0.0.9", "fe80::0:0:1,fe80::1",
            "2001:db8:0:1:0:0:0:0,2001:db8:0:1::"})
    void literalsAreNormalised(String text, String normal) {
        assertThat(IpAddress.parse(text).toString()).isEqualTo(normal);
    }

    @org.junit.jupiter.api.Test
    void everyOctetValueRoundTrips() {
        for (int octet = 0; octet <= 255; octet++) {
            String text = octet + "." + (255 - octet) + ".0." + octet;
            assertThat(IpAddress.parse(text).toString()).isEqualTo(text);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "example.com", "127.0.0", "127.0.0.1.2", "256.0.0.1", "01.2.3.4", "1.2.3.-4",
            "fe80::1%eth0", "2001:db8::g", "1.2.3.4/32", "::ffff:1.2.3",
            "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.4.", "1234.1.1.1", "1.2.3.a", "1.2.3.4 5", "999.1.1.1", "1.2.3.00",
            // digits of other scripts (Arabic-Indic, full-width) are not digits of an address
            "\u0661\u0662\u0667.0.0.1", "\uff12\uff10\uff10\uff11:db8::1", "2001:db8::\uff41", "::ffff:\u0661.2.3.4"})
    void anythingButALiteralIsRefusedWithoutALookup(String text) {
        assertThatThrownBy(() -> IpAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
