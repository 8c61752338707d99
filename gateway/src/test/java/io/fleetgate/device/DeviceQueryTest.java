package io.fleetgate.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetgate.error.GatewayException;
import io.fleetgate.net.Cidr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeviceQueryTest {

    @ParameterizedTest
    @CsvSource({
            "10.1.2.3, 10.1.2.3/32, , ",
            "10.1.0.0/16, 10.1.0.0/16, , ",
            "2001:db8::/32, 2001:db8::/32, , ",
            "00:1A:2B:3C:4D:5E, , 00:1a:2b:3c:4d:5e, ",
            "00-1a-2b-3c-4d-5e, , 00:1a:2b:3c:4d:5e, ",
            "001a.2b3c.4d5e, , 00:1a:2b:3c:4d:5e, ",
            "001a2b3c4d5e, , 00:1a:2b:3c:4d:5e, ",
            "Web-01, , , web-01",
            "10.1.2, , , 10.1.2",
    })
    void theSearchBoxTakesAnAddressACidrAMacOrAHostnamePrefix(String q, String range, String mac, String hostname) {
        DeviceQuery query = DeviceQuery.parse(null, q, null, null, null, null, null, null, null, null);
        assertThat(query.range()).isEqualTo(range == null ? null : Cidr.parse(range));
        assertThat(query.mac()).isEqualTo(mac);
        assertThat(query.hostnamePrefix()).isEqualTo(hostname);
    }

    @Test
    void anAddressAndAMacCombineButTwoRangesDoNot() {
        DeviceQuery query = DeviceQuery.parse(null, "printer", "10.0.0.1", null, "00:1a:2b:3c:4d:5e", null, null, null, 10, null);
        assertThat(query.range()).isEqualTo(Cidr.parse("10.0.0.1/32"));
        assertThat(query.hostnamePrefix()).isEqualTo("printer");
        assertThat(query.byAddress()).isTrue();
        assertThatThrownBy(() -> DeviceQuery.parse(null, "10.0.0.0/8", "10.0.0.1", null, null, null, null, null, null, null))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.field()).isEqualTo("q"));
        assertThatThrownBy(() -> DeviceQuery.parse(null, "00:1a:2b:3c:4d:5f", null, null, "00:1a:2b:3c:4d:5e", null, null, null, null, null))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.field()).isEqualTo("q"));
    }
}
