package io.fleetgate.syncservice;

import io.fleetgate.error.PlainText;
import io.fleetgate.proto.SyncServiceHeartbeatRequest;
import io.fleetgate.proto.SyncServiceHeartbeatResponse;
import io.fleetgate.proto.SyncServiceHelloRequest;
import io.fleetgate.proto.SyncServiceHelloResponse;
import io.fleetgate.security.Caller;
import io.fleetgate.source.Endpoints;
import io.fleetgate.source.SourceType;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** SyncServiceHello and SyncServiceHeartbeat: a sync service acts only as the one its credential names. */
@Component
public class SyncServiceRpc {

    private final SyncServiceLiveness service;
    private final Clock clock;

    SyncServiceRpc(SyncServiceLiveness service, Clock clock) {
        this.service = service;
        this.clock = clock;
    }

    public Mono<SyncServiceHelloResponse> hello(Caller caller, SyncServiceHelloRequest request) {
        return Mono.defer(() -> {
            caller.requireSyncService("SyncServiceHello");
            String endpoint = request.getEndpoint().isBlank() ? null : Endpoints.validateServiceAddress("endpoint", request.getEndpoint());
            List<String> capabilities = capabilities(request.getCapabilitiesList());
            String version = PlainText.optional("version", request.getVersion(), 64);
            String hostname = PlainText.optional("hostname", request.getHostname(), 255);
            PlainText.check("name", request.getName(), 100);
            return service.register(caller.syncServiceId(), endpoint, version, capabilities, hostname)
                    .map(transition -> SyncServiceHelloResponse.newBuilder()
                            .setSyncServiceId(transition.syncServiceId().toString())
                            .setTenantId(transition.tenantId().toString())
                            .setHeartbeatIntervalSec(service.heartbeatIntervalSeconds())
                            .setAccepted(true)
                            .build());
        });
    }

    public Mono<SyncServiceHeartbeatResponse> heartbeat(Caller caller, SyncServiceHeartbeatRequest request) {
        return Mono.defer(() -> {
            caller.requireSyncService("SyncServiceHeartbeat");
            var id = caller.actingSyncService(request.getSyncServiceId(), "SyncServiceHeartbeat");
            PlainText.check("message", request.getMessage(), 1000);
            return service.heartbeat(id, request.getHealthy())
                    .map(transition -> SyncServiceHeartbeatResponse.newBuilder()
                            .setStatus(transition.to().dbValue())
                            .setServerTime(clock.instant().getEpochSecond())
                            .build());
        });
    }

    private static List<String> capabilities(List<String> requested) {
        LinkedHashSet<String> known = new LinkedHashSet<>();
        for (String capability : requested) {
            known.add(SourceType.parse("capabilities", capability.trim().toLowerCase()).id());
        }
        return List.copyOf(known);
    }
}
