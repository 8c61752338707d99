package io.fleetgate.changes;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * Listens on one dedicated PostgreSQL connection (outside the pool) for the changes every
 * replica publishes, and republishes them as a hot {@link Flux}. While the connection is down
 * {@link #isLive()} is false, so caches neither serve nor store; each (re)connection and each
 * loss emits {@link Change.Resync}, so nothing stale survives a gap.
 */
@Component
public class ChangeFeed implements SmartLifecycle, Changes {

    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    private static final Duration PING_EVERY = Duration.ofSeconds(5);
    /** Well inside the interval: a frozen database is noticed within about PING_EVERY + PING_TIMEOUT. */
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(2);
    /** How the listening connection shows in pg_stat_activity. */
    public static final String APPLICATION_NAME = "fleetgate-change-feed";

    private final ConnectionFactory connections;
    private final Sinks.Many<Change> sink = Sinks.many().multicast().directBestEffort();
    private final AtomicBoolean live = new AtomicBoolean();
    private volatile Disposable subscription;

    public ChangeFeed(@Value("${spring.r2dbc.url}") String url,
                      @Value("${spring.r2dbc.username:}") String user,
                      @Value("${spring.r2dbc.password:}") String password,
                      MeterRegistry registry) {
        ConnectionFactoryOptions.Builder options = ConnectionFactoryOptions.parse(url).mutate()
                .option(io.r2dbc.spi.Option.valueOf("applicationName"), APPLICATION_NAME);
        if (!user.isEmpty()) {
            options.option(ConnectionFactoryOptions.USER, user);
        }
        if (!password.isEmpty()) {
            options.option(ConnectionFactoryOptions.PASSWORD, password);
        }
        this.connections = ConnectionFactories.get(options.build());
        Gauge.builder("fleetgate.change.feed.connected", live, up -> up.get() ? 1 : 0)
                .description("1 while this replica listens to the change feed (while 0, GetConfig reads around its cache)").register(registry);
    }

    @Override
    public Flux<Change> changes() {
        return sink.asFlux();
    }

    @Override
    public boolean isLive() {
        return live.get();
    }

    private Flux<Change> listen() {
        return Flux.usingWhen(
                Mono.from(connections.create()).cast(PostgresqlConnection.class),
                connection -> Mono.from(connection.createStatement("LISTEN " + ChangePublisher.CHANNEL).execute())
                        .flatMap(result -> Mono.from(result.getRowsUpdated()))
                        .thenMany(Flux.defer(() -> {
                            setLive(true);
                            Flux<Change> notifications = connection.getNotifications()
                                    .map(n -> ChangeCodec.decode(n.getParameter() == null ? "" : n.getParameter()));
                            // A silent half-open connection would leave caches stale: ping it.
                            Flux<Change> pings = Flux.interval(PING_EVERY)
                                    .onBackpressureDrop()
                                    .concatMap(tick -> Flux.from(connection.createStatement("SELECT 1").execute())
                                            .flatMap(result -> result.map((row, meta) -> 1))
                                            .then()
                                            .timeout(PING_TIMEOUT, Mono.error(() -> new IllegalStateException(
                                                    "the database did not answer a ping within " + PING_TIMEOUT.toSeconds() + " s"))), 1)
                                    .thenMany(Flux.empty());
                            return Flux.merge(notifications, pings)
                                    .concatWith(Mono.error(new IllegalStateException("notification connection closed")));
                        })),
                connection -> connection.close())
                .doOnError(error -> {
                    if (live.get()) {
                        log.warn("Change feed lost its database connection: {}", error.toString());
                    }
                    setLive(false);
                });
    }

    private void setLive(boolean value) {
        if (live.getAndSet(value) != value) {
            log.info("Change feed {}", value ? "listening" : "disconnected; caches bypassed until it reconnects");
        }
        emit(new Change.Resync());
    }

    private synchronized void emit(Change change) {
        sink.tryEmitNext(change);
    }

    @Override
    public void start() {
        subscription = listen()
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(5)))
                .subscribe(this::emit,
                        error -> log.error("Change feed stopped", error));
    }

    @Override
    public void stop() {
        Disposable current = subscription;
        if (current != null) {
            current.dispose();
        }
        live.set(false);
    }

    @Override
    public boolean isRunning() {
        Disposable current = subscription;
        return current != null && !current.isDisposed();
    }

    @Override
    public int getPhase() {
        // before the gRPC server (which starts serving cached answers)
        return Integer.MAX_VALUE - 2000;
    }
}
