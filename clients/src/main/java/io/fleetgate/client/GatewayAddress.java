package io.fleetgate.client;

import io.fleetgate.net.Ascii;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * Where a client finds the gateway and how it proves who it is: {@code host:port}, a bearer
 * token, and optionally TLS (a CA file to trust; a client certificate and key for mTLS).
 */
public record GatewayAddress(String target, String token, boolean tls, File caFile, File clientCertificate, File clientKey,
                             String authority) {

    public static GatewayAddress plaintext(String target, String token) {
        return new GatewayAddress(target, token, false, null, null, null, null);
    }

    public ManagedChannel channel() {
        int colon = target.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--gateway must be HOST:PORT, got " + target);
        }
        String host = target.substring(0, colon).replace("[", "").replace("]", "");
        int port = Ascii.parseInt(target.substring(colon + 1));
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(host, port, credentials())
                .maxInboundMessageSize(64 * 1024 * 1024)
                .keepAliveTime(30, TimeUnit.SECONDS);
        if (authority != null) {
            builder.overrideAuthority(authority);
        }
        return builder.build();
    }

    private ChannelCredentials credentials() {
        if (!tls) {
            return InsecureChannelCredentials.create();
        }
        try {
            TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
            if (caFile != null) {
                builder.trustManager(caFile);
            }
            if (clientCertificate != null && clientKey != null) {
                builder.keyManager(clientCertificate, clientKey);
            }
            return builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read TLS files", e);
        }
    }

    /** The stub, sending the bearer token with every call. */
    public <S extends AbstractStub<S>> S authenticated(S stub) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
