package io.fleetgate.client;

import java.io.File;
import picocli.CommandLine.Option;

/** The command-line options both clients use to reach the gateway (a picocli mixin). */
public final class GatewayOptions {

    @Option(names = "--gateway", required = true, paramLabel = "HOST:PORT", description = "the gateway's gRPC address")
    String gateway;

    @Option(names = "--tls", description = "connect with TLS")
    boolean tls;

    @Option(names = "--ca", paramLabel = "FILE", description = "CA certificates to trust (PEM)")
    File ca;

    @Option(names = "--cert", paramLabel = "FILE", description = "client certificate for mTLS (PEM)")
    File certificate;

    @Option(names = "--key", paramLabel = "FILE", description = "client key for mTLS (PEM)")
    File key;

    public GatewayAddress address(String token) {
        return new GatewayAddress(gateway, token, tls, ca, certificate, key, null);
    }
}
