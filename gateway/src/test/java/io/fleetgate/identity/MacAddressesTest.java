package io.fleetgate.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"00:1A:2b:3C:4d:5E", "00-1a-2b-3c-4d-5e", "001a.2b3c.4d5e", "001A2B3C4D5E", " 00:1a:2b:3c:4d:5e "})
    void everyCommonNotationBecomesLowerCaseColonForm(String notation) {
        assertThat(MacAddresses.normalize(notation)).isEqualTo("00:1a:2b:3c:4d:5e");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "00:1a:2b:3c:4d", "00:1a:2b:3c:4d:5g", "00:1a-2b:3c:4d:5e", "001a.2b3c-4d5e", "0:1:2:3:4:5",
            "00:1a:2b:3c:4d:5e:6f", "zzzzzzzzzzzz",
            // digits of other scripts: Character.digit takes them, a MAC does not
            "\u0660\u0660:\u0660\u0660:\u0660\u0660:\u0660\u0660:\u0660\u0660:\u0660\u0661",
            "\uff10\uff10:\uff11\uff41:2b:3c:4d:5e", "\uff10\uff10\uff11\uff41\uff12\uff42\uff13\uff43\uff14\uff44\uff15\uff45"})
    void anythingElseIsRefused(String notation) {
        assertThatThrownBy(() -> MacAddresses.normalize(notation)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyGloballyUniqueUnicastMacsIdentifyADevice() {
        assertThat(MacAddresses.usable("00:1a:2b:3c:4d:5e")).isTrue();
        assertThat(MacAddresses.usable("f0:18:98:01:02:03")).isTrue();
        assertThat(MacAddresses.usable("00:00:00:00:00:00")).as("all zero").isFalse();
        assertThat(MacAddresses.usable("ff:ff:ff:ff:ff:ff")).as("broadcast").isFalse();
        assertThat(MacAddresses.usable("01:00:5e:00:00:fb")).as("IPv4 multicast").isFalse();
        assertThat(MacAddresses.usable("33:33:00:00:00:01")).as("IPv6 multicast").isFalse();
        assertThat(MacAddresses.usable("02:42:ac:11:00:02")).as("locally administered (docker)").isFalse();
        assertThat(MacAddresses.usable("da:a1:19:00:00:01")).as("randomised").isFalse();
        assertThat(MacAddresses.usable("00:00:5e:00:01:07")).as("VRRP").isFalse();
        assertThat(MacAddresses.usable("00:00:5e:00:02:07")).as("VRRP for IPv6").isFalse();
        assertThat(MacAddresses.usable("00:00:0c:07:ac:01")).as("HSRP").isFalse();
        assertThat(MacAddresses.usable("00:00:0c:9f:f0:01")).as("HSRPv2").isFalse();
        assertThat(MacAddresses.usable("00:00:5e:00:03:01")).as("other IANA, not a router").isTrue();
    }
}
