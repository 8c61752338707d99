package io.fleetgate.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboundPolicyTest {

    private final OutboundPolicy saas = OutboundPolicy.publicOnly(List.of());

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
            "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "198.18.0.1",
            "::1", "::", "fe80::1", "fd00::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe"})
    void theSaasSyncRefusesLoopbackLinkLocalPrivateAndOtherSpecialAddresses(String address) {
        assertThat(saas.refusal(IpAddress.parse(address))).isPresent();
        assertThat(OutboundPolicy.anywhere().refusal(IpAddress.parse(address))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "192.169.0.1", "100.128.0.1", "2001:4860::8888", "2a00:1450::1"})
    void publicAddressesAreReached(String address) {
        assertThat(saas.refusal(IpAddress.parse(address))).isEmpty();
    }

    @Test
    void theOperatorMayAllowARange() {
        OutboundPolicy policy = OutboundPolicy.publicOnly(OutboundPolicy.parseAllowed(" 10.20.0.0/16 , fd12::/16"));
        assertThat(policy.refusal(IpAddress.parse("10.20.5.5"))).isEmpty();
        assertThat(policy.refusal(IpAddress.parse("fd12::1"))).isEmpty();
        assertThat(policy.refusal(IpAddress.parse("10.21.0.1"))).contains("a private address");
        assertThat(policy.refusal(IpAddress.parse("127.0.0.1"))).contains("a loopback address");
    }

    @Test
    void resolvedAddressesAreCheckedWithoutTheirScope() throws Exception {
        assertThat(saas.refusal(InetAddress.getByName("fe80::1%1"))).contains("a link-local address");
        assertThat(saas.refusal(InetAddress.getLoopbackAddress())).contains("a loopback address");
    }

    @Test
    void noAllowedNetworksMeansNone() {
        assertThat(OutboundPolicy.parseAllowed("")).isEmpty();
        assertThat(OutboundPolicy.parseAllowed(null)).isEmpty();
    }
}
