package io.fleetgate.test;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.Wrapped;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/** A connection factory that counts the connections asked of it. */
public final class CountingConnectionFactory implements ConnectionFactory, Wrapped<ConnectionFactory> {

    private static final AtomicLong acquired = new AtomicLong();
    private final ConnectionFactory delegate;

    CountingConnectionFactory(ConnectionFactory delegate) {
        this.delegate = delegate;
    }

    /** Connections taken from the gateway's pool so far. */
    public static long acquired() {
        return acquired.get();
    }

    @Override
    public Publisher<? extends Connection> create() {
        return Mono.from(delegate.create()).doOnSubscribe(subscription -> acquired.incrementAndGet());
    }

    @Override
    public ConnectionFactory unwrap() {
        return delegate; // so the pool's metrics are still found
    }

    @Override
    public ConnectionFactoryMetadata getMetadata() {
        return delegate.getMetadata();
    }
}
