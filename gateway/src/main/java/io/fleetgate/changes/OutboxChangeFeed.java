package io.fleetgate.changes;

import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.Connection;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The change feed without LISTEN/NOTIFY (FLEETGATE_CHANGE_FEED=outbox), for databases that fire a
 * notification only on the node that ran the statement (Citus) or have none (CockroachDB): every
 * change is a row of {@code change_outbox}, written in the transaction that made it, and every
 * replica reads the rows past the last one it saw every FLEETGATE_CHANGE_FEED_POLL_INTERVAL, on a
 * connection of its own ({@link FeedConnection}). Writers take a transaction-scoped lock before
 * their rows get their numbers, so numbers commit in order and a reader never skips a row that
 * commits late. A (re)connection starts after the rows that exist then; its Resync covers the rest.
 */
@Component
@ConditionalOnProperty(name = "fleetgate.change-feed", havingValue = "outbox")
public class OutboxChangeFeed extends FeedConnection {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    /** Rows older than this were read by every replica long since: pruned, a few thousand at a time. */
    private static final Duration KEEP = Duration.ofHours(1);
    private static final int PRUNE_EVERY_READS = 300;

    private final Duration every;

    public OutboxChangeFeed(@Value("${spring.r2dbc.url}") String url,
                            @Value("${spring.r2dbc.username:}") String user,
                            @Value("${spring.r2dbc.password:}") String password,
                            @Value("${fleetgate.change-feed-poll-interval:200ms}") Duration every,
                            MeterRegistry registry) {
        super(url, user, password, registry);
        this.every = every;
    }

    @Override
    protected Flux<Change> connection() {
        return Flux.usingWhen(Mono.from(connections.create()),
                connection -> first(connection).flatMapMany(start -> {
                    long[] last = {start};
                    connected();
                    return Flux.interval(every, every).onBackpressureDrop()
                            .concatMap(tick -> rowsAfter(connection, last)
                                    .concatWith(tick % PRUNE_EVERY_READS == PRUNE_EVERY_READS - 1 ? prune(connection) : Mono.empty())
                                    .timeout(READ_TIMEOUT), 0);
                }),
                Connection::close);
    }

    @Override
    protected String receiving() {
        return "reading change_outbox";
    }

    private static Mono<Long> first(Connection connection) {
        return Flux.from(connection.createStatement("SELECT coalesce(max(seq), 0) FROM change_outbox").execute())
                .flatMap(result -> result.map((row, meta) -> row.get(0, Long.class)))
                .single()
                .timeout(READ_TIMEOUT);
    }

    private static Flux<Change> rowsAfter(Connection connection, long[] last) {
        return Flux.from(connection.createStatement("SELECT seq, payload FROM change_outbox WHERE seq > $1 ORDER BY seq LIMIT 1000")
                        .bind("$1", last[0]).execute())
                .flatMap(result -> result.map((row, meta) -> {
                    last[0] = row.get("seq", Long.class);
                    return ChangeCodec.decode(row.get("payload", String.class));
                }));
    }

    private static Mono<Change> prune(Connection connection) {
        return Flux.from(connection.createStatement("DELETE FROM change_outbox WHERE seq IN "
                                + "(SELECT seq FROM change_outbox WHERE created_at < now() - make_interval(secs => $1) LIMIT 5000)")
                        .bind("$1", (double) KEEP.toSeconds()).execute())
                .flatMap(result -> result.getRowsUpdated())
                .then(Mono.empty());
    }
}
