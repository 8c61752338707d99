package io.fleetgate.grpc;

import com.salesforce.reactorgrpc.stub.ReactorCallOptions;
import io.fleetgate.agent.AgentRpc;
import io.fleetgate.agent.ConfigWatchRpc;
import io.fleetgate.availability.SweepResultsRpc;
import io.fleetgate.error.GatewayException;
import io.fleetgate.integration.SyncConfigRpc;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.AgentGatewayServiceGrpc;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.AgentHelloResponse;
import io.fleetgate.proto.ReactorAgentGatewayServiceGrpc;
import io.fleetgate.proto.SweepResultsAck;
import io.fleetgate.proto.SweepResultsBatch;
import io.fleetgate.proto.SyncConfigRequest;
import io.fleetgate.proto.SyncConfigResponse;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.proto.SyncDevicesResponse;
import io.fleetgate.proto.SyncServiceHeartbeatRequest;
import io.fleetgate.proto.SyncServiceHeartbeatResponse;
import io.fleetgate.proto.SyncServiceHelloRequest;
import io.fleetgate.proto.SyncServiceHelloResponse;
import io.fleetgate.security.Caller;
import io.fleetgate.security.GrpcAuthentication;
import io.fleetgate.sync.SyncDevicesRpc;
import io.fleetgate.syncservice.SyncServiceRpc;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code AgentGatewayService} adapter: authenticates each call, then hands it to the
 * capability that owns the RPC. Errors become statuses in {@link GrpcErrors} only.
 */
@Component
class GatewayGrpcService extends ReactorAgentGatewayServiceGrpc.AgentGatewayServiceImplBase {

    private final GrpcAuthentication authentication;
    private final SyncServiceRpc syncServices;
    private final SyncConfigRpc syncConfigs;
    private final SyncDevicesRpc syncDevices;
    private final AgentRpc agents;
    private final ConfigWatchRpc watches;
    private final SweepResultsRpc results;
    private final Duration callTimeout;

    GatewayGrpcService(GrpcAuthentication authentication, SyncServiceRpc syncServices, SyncConfigRpc syncConfigs,
                       SyncDevicesRpc syncDevices, AgentRpc agents, ConfigWatchRpc watches, SweepResultsRpc results,
                       GrpcProperties properties) {
        this.agents = agents;
        this.watches = watches;
        this.results = results;
        this.callTimeout = properties.callTimeout();
        this.authentication = authentication;
        this.syncServices = syncServices;
        this.syncConfigs = syncConfigs;
        this.syncDevices = syncDevices;
    }

    @Override
    public Mono<AgentHelloResponse> hello(AgentHelloRequest request) {
        return withinCallTimeout(authentication.caller().flatMap(caller -> agents.hello(caller, request)));
    }

    @Override
    public Mono<AgentConfigResponse> getConfig(AgentConfigRequest request) {
        return withinCallTimeout(authentication.caller().flatMap(caller -> agents.getConfig(caller, request)));
    }

    /**
     * Every method as reactor-grpc binds it, but two. WatchConfig: a watch holds a stream open for
     * as long as the agent runs, so it is served by plain grpc-java, without a reactive pipeline per
     * stream (5.8 KiB of heap each; 100,000 watches must fit a 512 MiB gateway). GetConfig: a poll
     * answered from memory is answered as plainly as a health check ({@link #answerPoll}).
     */
    ServerServiceDefinition definition() {
        ServerServiceDefinition reactive = bindService();
        ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(reactive.getServiceDescriptor());
        MethodDescriptor<AgentConfigRequest, AgentConfigResponse> watch = AgentGatewayServiceGrpc.getWatchConfigMethod();
        MethodDescriptor<AgentConfigRequest, AgentConfigResponse> poll = AgentGatewayServiceGrpc.getGetConfigMethod();
        Set<String> plain = Set.of(watch.getFullMethodName(), poll.getFullMethodName());
        reactive.getMethods().stream()
                .filter(method -> !plain.contains(method.getMethodDescriptor().getFullMethodName()))
                .forEach(service::addMethod);
        return service.addMethod(watch, ServerCalls.asyncServerStreamingCall(this::watchConfig))
                .addMethod(poll, ServerCalls.asyncUnaryCall(this::answerPoll))
                .build();
    }

    /**
     * A poll whose credential and config are in memory (every poll of a running fleet) is answered
     * on the spot, without a reactive pipeline or a scheduled call timeout: it waits on nothing.
     * Any other poll, a refused one included, takes the reactive call.
     */
    private void answerPoll(AgentConfigRequest request, StreamObserver<AgentConfigResponse> observer) {
        Caller caller = authentication.cachedCaller();
        AgentConfigResponse answer = caller == null ? null : agents.answerFromMemory(caller, request);
        if (answer == null) {
            com.salesforce.reactorgrpc.stub.ServerCalls.oneToOne(request, observer, this::getConfig, this::onErrorMap);
            return;
        }
        observer.onNext(answer);
        observer.onCompleted();
    }

    /** No call timeout: a watch stays open until the agent, the bounds or a shutdown end it. */
    private void watchConfig(AgentConfigRequest request, StreamObserver<AgentConfigResponse> observer) {
        ServerCallStreamObserver<AgentConfigResponse> call = (ServerCallStreamObserver<AgentConfigResponse>) observer;
        AtomicReference<ConfigWatchRpc.Handle> handle = new AtomicReference<>();
        AtomicBoolean cancelled = new AtomicBoolean();
        call.setOnCancelHandler(() -> {
            cancelled.set(true);
            ConfigWatchRpc.Handle open = handle.get();
            if (open != null) {
                open.close();
            }
        });
        authentication.caller().subscribe(caller -> {
            ConfigWatchRpc.Handle open;
            try {
                open = watches.open(caller, request, new ConfigWatchRpc.Outbound() {
                    @Override
                    public boolean ready() {
                        return call.isReady();
                    }

                    @Override
                    public void send(AgentConfigResponse response) {
                        call.onNext(response);
                    }

                    @Override
                    public void end(Throwable error) {
                        call.onError(GrpcErrors.toStatus(error));
                    }
                });
            } catch (RuntimeException refused) {
                call.onError(GrpcErrors.toStatus(refused));
                return;
            }
            handle.set(open);
            if (cancelled.get()) {
                open.close(); // the agent left while the watch was being opened
            }
        }, error -> call.onError(GrpcErrors.toStatus(error)));
    }

    @Override
    public Mono<SyncServiceHelloResponse> syncServiceHello(SyncServiceHelloRequest request) {
        return withinCallTimeout(authentication.caller().flatMap(caller -> syncServices.hello(caller, request)));
    }

    @Override
    public Mono<SyncServiceHeartbeatResponse> syncServiceHeartbeat(SyncServiceHeartbeatRequest request) {
        return withinCallTimeout(authentication.caller().flatMap(caller -> syncServices.heartbeat(caller, request)));
    }

    @Override
    public Mono<SyncConfigResponse> getSyncConfig(SyncConfigRequest request) {
        return withinCallTimeout(authentication.caller().flatMap(caller -> syncConfigs.getSyncConfig(caller, request)));
    }

    /**
     * A unary call ends within FLEETGATE_GRPC_CALL_TIMEOUT: a database that stopped answering
     * (frozen, partitioned: its statement_timeout cannot fire) costs the caller that long and an
     * UNAVAILABLE it retries, not its whole deadline or, without one, forever.
     */
    private <T> Mono<T> withinCallTimeout(Mono<T> call) {
        return call.timeout(callTimeout, Mono.error(() -> GatewayException.unavailable(
                "no answer within " + callTimeout.toSeconds() + " s (FLEETGATE_GRPC_CALL_TIMEOUT): the database is slow or unreachable, retry later")));
    }

    /** Shutdown: SyncDevices streams acknowledge their batch in flight and end UNAVAILABLE; watches end UNAVAILABLE. */
    void drain() {
        syncDevices.drain();
        watches.drain();
    }

    @Override
    public Flux<SyncDevicesResponse> syncDevices(Flux<SyncDevicesRequest> requests) {
        return authentication.caller().flatMapMany(caller -> syncDevices.syncDevices(caller, requests));
    }

    @Override
    public Flux<SweepResultsAck> reportSweepResults(Flux<SweepResultsBatch> batches) {
        return authentication.caller().flatMapMany(caller -> results.report(caller, batches));
    }

    @Override
    protected CallOptions getCallOptions(int methodId) {
        // Batches can be megabytes (reactor-grpc's default prefetch is 512): pull two from the
        // transport and one more for each taken, so at most two wait while one is being stored.
        return CallOptions.DEFAULT
                .withOption(ReactorCallOptions.CALL_OPTIONS_PREFETCH, 2)
                .withOption(ReactorCallOptions.CALL_OPTIONS_LOW_TIDE, 1);
    }

    @Override
    protected Throwable onErrorMap(Throwable throwable) {
        return GrpcErrors.toStatus(throwable);
    }
}
