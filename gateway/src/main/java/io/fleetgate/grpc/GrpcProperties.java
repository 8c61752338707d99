package io.fleetgate.grpc;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The gRPC server: port (FLEETGATE_GRPC_PORT), bind address, largest accepted message, how long
 * a shutdown waits for calls to finish, the longest a unary call may take, and optional TLS (with client certificates when a
 * client CA is given).
 */
@ConfigurationProperties("fleetgate.grpc")
public record GrpcProperties(
        int port,
        String address,
        DataSize maxInboundMessageSize,
        Duration shutdownGrace,
        Duration callTimeout,
        @DefaultValue Tls tls) {

    public record Tls(String certificate, String privateKey, String clientCa) {

        public boolean enabled() {
            return certificate != null && !certificate.isBlank();
        }

        public boolean mutual() {
            return clientCa != null && !clientCa.isBlank();
        }
    }
}
