package io.fleetgate.changes;

import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Listens on one dedicated PostgreSQL connection (outside the pool) for the changes every
 * replica publishes with pg_notify, and republishes them ({@link FeedConnection}). A silent
 * half-open connection would leave caches stale, so the connection is pinged.
 */
@Component
@ConditionalOnProperty(name = "fleetgate.change-feed", havingValue = "notify", matchIfMissing = true)
public class ChangeFeed extends FeedConnection {

    private static final Duration PING_EVERY = Duration.ofSeconds(5);
    /** Well inside the interval: a frozen database is noticed within about PING_EVERY + PING_TIMEOUT. */
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(2);
    /** How the listening connection shows in pg_stat_activity. */
    public static final String APPLICATION_NAME = FeedConnection.APPLICATION_NAME;

    public ChangeFeed(@Value("${spring.r2dbc.url}") String url,
                      @Value("${spring.r2dbc.username:}") String user,
                      @Value("${spring.r2dbc.password:}") String password,
                      MeterRegistry registry) {
        super(url, user, password, registry);
    }

    @Override
    protected Flux<Change> connection() {
        return Flux.usingWhen(
                Mono.from(connections.create()).cast(PostgresqlConnection.class),
                connection -> Mono.from(connection.createStatement("LISTEN " + ChangePublisher.CHANNEL).execute())
                        .flatMap(result -> Mono.from(result.getRowsUpdated()))
                        .thenMany(Flux.defer(() -> {
                            connected();
                            Flux<Change> notifications = connection.getNotifications()
                                    .map(n -> ChangeCodec.decode(n.getParameter() == null ? "" : n.getParameter()));
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
                connection -> connection.close());
    }

    @Override
    protected String receiving() {
        return "listening";
    }
}
