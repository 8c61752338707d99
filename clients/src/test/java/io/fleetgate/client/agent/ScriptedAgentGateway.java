package io.fleetgate.client.agent;

import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.AgentGatewayServiceGrpc;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.AgentHelloResponse;
import io.fleetgate.proto.SweepConfig;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;

/** A gateway a test scripts: Hello accepts any agent (poll every second, config outdated); the test answers the rest. */
abstract class ScriptedAgentGateway extends AgentGatewayServiceGrpc.AgentGatewayServiceImplBase {

    @Override
    public void hello(AgentHelloRequest request, StreamObserver<AgentHelloResponse> response) {
        response.onNext(AgentHelloResponse.newBuilder().setAccepted(true).setAgentId(request.getAgentId())
                .setConfigPollIntervalSec(1).setConfigOutdated(true).build());
        response.onCompleted();
    }

    /** Serves this gateway on a free loopback port. */
    Server start() throws IOException {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(this).build().start();
    }

    static AgentConfigResponse full(String version, SweepConfig sweep) {
        return AgentConfigResponse.newBuilder().setConfigVersion(version).setSweep(sweep).setConfigPollIntervalSec(1).build();
    }
}
