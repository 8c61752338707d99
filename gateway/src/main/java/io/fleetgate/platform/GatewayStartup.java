package io.fleetgate.platform;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.Changes;
import io.fleetgate.grpc.GrpcServer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * Runs the platform bootstrap once the servers are up, retrying while the database is not
 * reachable; until it has succeeded, readiness is DOWN and gRPC health says NOT_SERVING.
 * Afterwards both follow the change feed's own connection: while it is down (the database
 * unreachable), readiness is DOWN and {@code monitoring.AgentGatewayService} NOT_SERVING. Both
 * answer from that state at once, without waiting for a pooled connection. Prints first-boot
 * secrets once.
 */
@Component("gateway")
public class GatewayStartup implements SmartLifecycle, ReactiveHealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(GatewayStartup.class);

    private final PlatformBootstrap bootstrap;
    private final GrpcServer grpc;
    private final Changes feed;
    private final Environment environment;
    private final Sinks.One<PlatformBootstrap.Result> ready = Sinks.one();
    private volatile PlatformBootstrap.Result result;
    private volatile Disposable running;
    private volatile Disposable following;
    private volatile boolean started;

    GatewayStartup(PlatformBootstrap bootstrap, GrpcServer grpc, Changes feed, Environment environment) {
        this.bootstrap = bootstrap;
        this.grpc = grpc;
        this.feed = feed;
        this.environment = environment;
    }

    /** Completes when the gateway is ready to serve. */
    public Mono<PlatformBootstrap.Result> ready() {
        return ready.asMono();
    }

    @Override
    public void start() {
        started = true;
        running = bootstrap.ensure()
                .doOnError(error -> log.warn("Platform bootstrap failed, retrying: {}", error.toString()))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(10)))
                .subscribe(this::complete);
    }

    private void complete(PlatformBootstrap.Result bootstrapped) {
        result = bootstrapped;
        bootstrapped.generatedAdminPassword().ifPresent(password -> log.warn("""

                ==================================================================
                  First boot: platform admin created.
                    user:     admin
                    password: {}
                  Shown once. Set FLEETGATE_ADMIN_PASSWORD to choose it yourself.
                ==================================================================""", password));
        bootstrapped.generatedPlatformToken().ifPresent(token -> log.warn("""

                ==================================================================
                  First boot: credential of the SaaS sync service generated.
                    FLEETGATE_PLATFORM_SYNC_TOKEN={}
                  Shown once; only its hash is stored.
                ==================================================================""", token));
        grpc.markServing();
        // every connection and loss of the feed emits Resync
        following = feed.changes().ofType(Change.Resync.class).subscribe(change -> grpc.databaseReachable(feed.isLive()));
        grpc.databaseReachable(feed.isLive());
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        String management = environment.getProperty("local.management.port", environment.getProperty("management.server.port", ""));
        if (management.equals(port)) {
            management = "";
        }
        log.info("Fleetgate ready: UI and REST at {}://localhost:{}/ , gRPC on port {}{}",
                environment.getProperty("fleetgate.http.tls.certificate", "").isBlank() ? "http" : "https",
                port, grpc.port(), management.isBlank() ? "" : ", actuator on port " + management);
        ready.tryEmitValue(bootstrapped);
    }

    @Override
    public Mono<Health> health() {
        if (result == null) {
            return Mono.just(Health.down().withDetail("bootstrap", "pending").build());
        }
        return Mono.just(feed.isLive() ? Health.up().build() : Health.down().withDetail("database", "unreachable").build());
    }

    @Override
    public void stop() {
        for (Disposable current : new Disposable[] {running, following}) {
            if (current != null) {
                current.dispose();
            }
        }
        started = false;
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    @Override
    public int getPhase() {
        // after the gRPC and HTTP servers have started
        return Integer.MAX_VALUE;
    }
}
