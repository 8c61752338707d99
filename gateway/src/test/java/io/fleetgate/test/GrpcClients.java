package io.fleetgate.test;

import io.fleetgate.proto.AgentGatewayServiceGrpc;
import io.fleetgate.proto.ReactorAgentGatewayServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

/** gRPC clients over a real port, with or without a bearer token. */
public final class GrpcClients {

    private GrpcClients() {
    }

    public static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024).build();
    }

    public static Metadata bearer(String token) {
        Metadata metadata = new Metadata();
        metadata.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return metadata;
    }

    public static AgentGatewayServiceGrpc.AgentGatewayServiceBlockingStub blocking(ManagedChannel channel, String token) {
        var stub = AgentGatewayServiceGrpc.newBlockingStub(channel);
        return token == null ? stub : stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)));
    }

    public static ReactorAgentGatewayServiceGrpc.ReactorAgentGatewayServiceStub reactor(ManagedChannel channel, String token) {
        var stub = ReactorAgentGatewayServiceGrpc.newReactorStub(channel);
        return token == null ? stub : stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)));
    }

    /** The status code a failed call ended with. */
    public static Status.Code code(Throwable error) {
        return Status.fromThrowable(error).getCode();
    }

    public static Status.Code codeOf(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }
}
