package io.fleetgate.grpc;

import io.fleetgate.security.GrpcAuthentication;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The gRPC server of the gateway, beside the HTTP server: the gateway service (behind bearer
 * authentication), the standard health service and server reflection. Health says NOT_SERVING
 * until the gateway is ready; on shutdown it says NOT_SERVING first, then running calls get
 * the configured grace to finish.
 */
@Component
public class GrpcServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GrpcServer.class);
    private static final String SERVICE = "monitoring.AgentGatewayService";

    private final GrpcProperties properties;
    private final GatewayGrpcService gateway;
    private final GrpcAuthentication authentication;
    private final GrpcMetricsInterceptor metrics;
    private final HealthStatusManager health = new HealthStatusManager();
    private volatile Server server;

    GrpcServer(GrpcProperties properties, GatewayGrpcService gateway, GrpcAuthentication authentication,
               GrpcMetricsInterceptor metrics) {
        this.properties = properties;
        this.gateway = gateway;
        this.authentication = authentication;
        this.metrics = metrics;
    }

    @Override
    public void start() {
        health.setStatus("", ServingStatus.NOT_SERVING);
        health.setStatus(SERVICE, ServingStatus.NOT_SERVING);
        NettyServerBuilder builder = NettyServerBuilder
                .forAddress(new InetSocketAddress(properties.address(), properties.port()), credentials())
                // no handler blocks (blocking work runs on bounded schedulers), so calls run on Netty's
                // event loops: handing each one over to gRPC's default cached pool cost polls and health
                // checks alike a large share of their throughput (runs S–U in docs/performance.md)
                .directExecutor()
                .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE,
                        properties.maxInboundMessageSize().toBytes() * MessageSizeLimit.TRANSPORT_HEADROOM))
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .addService(UnparsableRequests.tolerate(ServerInterceptors.intercept(gateway.definition(), authentication)))
                .addService(UnparsableRequests.tolerate(health.getHealthService().bindService()))
                .addService(UnparsableRequests.tolerate(ProtoReflectionServiceV1.newInstance().bindService()))
                // v1alpha too: grpcurl before 1.8.8, Postman and older grpc_cli speak only that
                .addService(UnparsableRequests.tolerate(legacyReflection().bindService()))
                .intercept(UnparsableRequests.interceptor())
                .intercept(new MessageSizeLimit(properties.maxInboundMessageSize().toBytes()))
                .intercept(metrics);
        try {
            server = builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for gRPC on " + properties.address() + ":" + properties.port(), e);
        }
        log.info("gRPC listening on {}:{}{}", properties.address(), port(),
                properties.tls().enabled() ? (properties.tls().mutual() ? " (mTLS)" : " (TLS)") : " (plaintext)");
    }

    private ServerCredentials credentials() {
        GrpcProperties.Tls tls = properties.tls();
        if (!tls.enabled()) {
            return io.grpc.InsecureServerCredentials.create();
        }
        try {
            TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder()
                    .keyManager(new File(tls.certificate()), new File(tls.privateKey()));
            if (tls.mutual()) {
                builder.trustManager(new File(tls.clientCa())).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read gRPC TLS files", e);
        }
    }

    @SuppressWarnings("deprecation")
    private static BindableService legacyReflection() {
        return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
    }

    /** The port actually bound (differs from the configured one when that is 0). */
    public int port() {
        Server current = server;
        return current == null ? properties.port() : current.getPort();
    }

    /** Health answers SERVING from now on. */
    public void markServing() {
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(SERVICE, ServingStatus.SERVING);
    }

    /**
     * Whether the agent service can answer: NOT_SERVING while the database is unreachable, so
     * gRPC-aware load balancers send agents elsewhere. The overall "" service stays SERVING: the
     * process is alive.
     */
    public void databaseReachable(boolean reachable) {
        health.setStatus(SERVICE, reachable ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    }

    @Override
    public void stop() {
        Server current = server;
        if (current == null) {
            return;
        }
        health.enterTerminalState();
        // streams first: their batch in flight is acknowledged before the grace can cancel it
        gateway.drain();
        current.shutdown();
        try {
            if (!current.awaitTermination(properties.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("gRPC calls still running after {}; cancelling them", properties.shutdownGrace());
                current.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            current.shutdownNow();
            Thread.currentThread().interrupt();
        }
        server = null;
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        // stops before the HTTP server and the database pool
        return Integer.MAX_VALUE - 1000;
    }
}
