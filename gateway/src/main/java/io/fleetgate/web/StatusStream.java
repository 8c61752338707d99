package io.fleetgate.web;

import io.fleetgate.platform.GatewayStartup;
import io.fleetgate.security.GatewayUser;
import io.fleetgate.syncservice.SyncStatusEvents;
import java.time.Duration;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/**
 * Sync service status changes as server-sent events, for live indicators: platform admins see
 * every service, tenant admins the SaaS one and their own. A comment every 15 s keeps proxies
 * from closing the stream.
 */
@RestController
class StatusStream {

    private final SyncStatusEvents events;
    private final GatewayStartup startup;

    StatusStream(SyncStatusEvents events, GatewayStartup startup) {
        this.events = events;
        this.startup = startup;
    }

    @GetMapping(path = "/events/sync-status", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<Map<String, String>>> statuses(@AuthenticationPrincipal GatewayUser me) {
        // a first comment at once: the response starts (headers and all) before any change happens
        ServerSentEvent<Map<String, String>> hello = ServerSentEvent.<Map<String, String>>builder().comment("sync status stream").build();
        return startup.ready().flatMapMany(platform -> Flux.merge(Flux.just(hello),
                events.events()
                        .filter(change -> me.isPlatformAdmin() || me.tenantId().equals(change.tenantId())
                                || change.tenantId().equals(platform.platformTenantId()))
                        // data as JSON, written by the codec
                        .map(change -> ServerSentEvent.builder(Map.of("id", change.syncServiceId().toString(),
                                "status", change.status())).event("status").build()),
                Flux.interval(Duration.ofSeconds(15))
                        .map(tick -> ServerSentEvent.<Map<String, String>>builder().comment("keepalive").build())));
    }
}
