package io.fleetgate.platform;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.Changes;
import io.fleetgate.client.GatewayAddress;
import io.fleetgate.client.sync.SyncRunner;
import io.fleetgate.grpc.GrpcProperties;
import io.fleetgate.grpc.GrpcServer;
import io.fleetgate.security.CredentialKind;
import io.fleetgate.security.CredentialService;
import java.io.File;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Runs the SaaS sync service inside the gateway (FLEETGATE_PLATFORM_SYNC_IN_PROCESS): the same
 * {@link SyncRunner} an external sync service runs, talking to this gateway's own gRPC port. It
 * gets a credential of its own at every start (only the hash is stored, so a credential from an
 * earlier boot could not be used), revoked again at shutdown.
 */
@Component
class InProcessPlatformSync implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InProcessPlatformSync.class);

    private final PlatformProperties properties;
    private final GatewayStartup startup;
    private final CredentialService credentials;
    private final GrpcServer grpc;
    private final GrpcProperties grpcProperties;
    private final Changes feed;
    private volatile SyncRunner runner;
    private volatile UUID credentialId;
    private volatile UUID tenantId;
    private volatile Disposable starting;
    private volatile Disposable refreshing;
    private volatile boolean running;

    InProcessPlatformSync(PlatformProperties properties, GatewayStartup startup, CredentialService credentials, GrpcServer grpc,
                          GrpcProperties grpcProperties, Changes feed) {
        this.properties = properties;
        this.startup = startup;
        this.credentials = credentials;
        this.grpc = grpc;
        this.grpcProperties = grpcProperties;
        this.feed = feed;
    }

    @Override
    public void start() {
        running = true;
        if (!properties.sync().enabled() || !properties.sync().inProcess()) {
            return;
        }
        if (grpcProperties.tls().mutual()) {
            log.warn("The gRPC port requires client certificates: the in-process SaaS sync does not run; run it elsewhere "
                    + "(FLEETGATE_PLATFORM_SYNC_IN_PROCESS=false)");
            return;
        }
        starting = startup.ready()
                .flatMap(bootstrap -> bootstrap.platformSyncServiceId()
                        .map(sync -> credentials.issueSyncServiceCredential(bootstrap.platformTenantId(), sync,
                                CredentialKind.PLATFORM_SYNC, "in-process", false).map(issued -> {
                                    tenantId = bootstrap.platformTenantId();
                                    return issued;
                                }))
                        .orElse(Mono.empty()))
                .subscribe(issued -> {
                    credentialId = issued.id();
                    runner = new SyncRunner(SyncRunner.Options.defaults(address(issued.token())).withOutbound(properties.sync().outbound()));
                    runner.start();
                    // sources on the SaaS sync changed somewhere: look at once rather than at the next refresh
                    refreshing = feed.changes().ofType(Change.SyncConfigChanged.class).subscribe(change -> runner.refreshNow());
                    log.info("SaaS sync service running in-process against gRPC port {}", grpc.port());
                }, error -> log.error("In-process SaaS sync could not start", error));
    }

    private GatewayAddress address(String token) {
        String host = grpcProperties.address().isBlank() || grpcProperties.address().equals("0.0.0.0")
                || grpcProperties.address().equals("::") ? "127.0.0.1" : grpcProperties.address();
        String target = (host.contains(":") ? "[" + host + "]" : host) + ":" + grpc.port();
        if (!grpcProperties.tls().enabled()) {
            return GatewayAddress.plaintext(target, token);
        }
        // trust our own certificate; it names the gateway's public host, so check against that
        return new GatewayAddress(target, token, true, new File(grpcProperties.tls().certificate()), null, null,
                properties.sync().authority());
    }

    @Override
    public void stop() {
        running = false;
        dispose(starting);
        dispose(refreshing);
        SyncRunner current = runner;
        if (current != null) {
            current.close();
            runner = null;
        }
        UUID credential = credentialId;
        if (credential != null) {
            // best effort: the token lived only in this process's memory anyway
            credentials.revoke(tenantId, CredentialKind.PLATFORM_SYNC, credential).subscribe(ignored -> { }, error -> { });
        }
    }

    private static void dispose(Disposable disposable) {
        if (disposable != null) {
            disposable.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // stops before the gRPC server it talks to
        return Integer.MAX_VALUE;
    }
}
