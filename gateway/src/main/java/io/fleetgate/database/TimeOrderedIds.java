package io.fleetgate.database;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds first, then randomness. Rows inserted
 * together get neighbouring keys, so their primary key index grows at its right edge instead of
 * touching a random page per row as random UUIDs do. The 74 random bits need to be unique, not
 * unguessable (these ids are no secrets), so they come from {@link ThreadLocalRandom}: a
 * {@code SecureRandom} made id generation a visible share of the gateway's ingest CPU.
 */
public final class TimeOrderedIds {

    private TimeOrderedIds() {
    }

    public static UUID next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long millis = System.currentTimeMillis();
        long high = (millis << 16) | 0x7000L | (random.nextInt() & 0x0fffL);
        long low = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
