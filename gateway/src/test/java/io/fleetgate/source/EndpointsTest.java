package io.fleetgate.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetgate.error.GatewayException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointsTest {

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.5:9000", "sync.example.com:50051", "[fd00::5]:9000", "[::1]:1", "localhost:65535",
            "grpc://sync.example:9000", "https://sync.example/api"})
    void aSyncServiceReportsItsAddressAsHostPortOrAsAUrl(String address) {
        assertThat(Endpoints.validateServiceAddress("endpoint", " " + address + " ")).isEqualTo(address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.5", "10.0.0.5:0", "10.0.0.5:70000", ":9000", "host name:9000", "١٠.0.0.5:9000", "host:90a",
            "ftp://sync.example", "a\u0000b:9000", "[fd00::5:9000"})
    void anythingElseIsRefusedNamingTheField(String address) {
        assertThatThrownBy(() -> Endpoints.validateServiceAddress("endpoint", address))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.field()).isEqualTo("endpoint"));
    }
}
