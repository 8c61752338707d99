package io.fleetgate.changes;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * What both change feeds share: one database connection of their own (outside the pool, named
 * {@link #APPLICATION_NAME}), reopened with backoff when lost; a hot {@link Flux} of the changes;
 * and the rule that keeps caches honest: {@link #isLive()} only while changes arrive, and {@link
 * Change.Resync} on every loss and every (re)connection, so nothing stale survives a gap.
 */
abstract class FeedConnection implements SmartLifecycle, Changes {

    private static final Logger log = LoggerFactory.getLogger(FeedConnection.class);
    /** How the feed's connection shows in pg_stat_activity. */
    static final String APPLICATION_NAME = "fleetgate-change-feed";

    protected final ConnectionFactory connections;
    private final Sinks.Many<Change> sink = Sinks.many().multicast().directBestEffort();
    private final AtomicBoolean live = new AtomicBoolean();
    private volatile Disposable subscription;

    FeedConnection(String url, String user, String password, MeterRegistry registry) {
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
                .description("1 while this replica receives the change feed (while 0, GetConfig reads around its cache)").register(registry);
    }

    /** One connection's life: the changes it brings, ending in an error when the connection is lost. Calls {@link #connected()}. */
    protected abstract Flux<Change> connection();

    /** How the feed says it is up, for the log ("listening", "reading change_outbox"). */
    protected abstract String receiving();

    @Override
    public Flux<Change> changes() {
        return sink.asFlux();
    }

    @Override
    public boolean isLive() {
        return live.get();
    }

    protected void connected() {
        setLive(true);
    }

    private void setLive(boolean value) {
        if (live.getAndSet(value) != value) {
            log.info("Change feed {}", value ? receiving() : "disconnected; caches bypassed until it reconnects");
        }
        emit(new Change.Resync());
    }

    private synchronized void emit(Change change) {
        sink.tryEmitNext(change);
    }

    @Override
    public void start() {
        subscription = Flux.defer(this::connection)
                .doOnError(error -> {
                    if (live.get()) {
                        log.warn("Change feed lost its database connection: {}", error.toString());
                    }
                    setLive(false);
                })
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(5)))
                .subscribe(this::emit, error -> log.error("Change feed stopped", error));
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
